using System.Text.Json;
using Agent.Domain.ControlPlane;
using Agent.Runtime.ControlPlane;
using Agent.Web.ControlPlane;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Agent.Web.Components.Controls;

/// <summary>
/// The Settings page's Control plane section: what to set when the runtime admin API is off; otherwise Redis health,
/// the tenants whose config can be read (with their DIDs and where each is mapped), a DID lookup, and the publish, map
/// and unmap forms. Every operation goes through <see cref="RuntimeAdminService"/>, the same code the admin endpoints
/// call, with the page's <see cref="Caller"/> scope, and its answer is shown as the exact body the endpoint would return.
/// </summary>
public sealed partial class ControlPlaneSection : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private readonly PublishForm publish = new();
    private readonly MapForm map = new();
    private readonly UnmapForm unmap = new();
    private readonly LookupForm lookup = new();
    private bool includeSecrets;
    private bool refreshing;
    private bool busy;
    private RuntimeAdminResult? health;
    private RuntimeTenantListing? listing;
    private string? listingError;
    private Answer? publishAnswer;
    private Answer? mapAnswer;
    private Answer? unmapAnswer;
    private Answer? lookupAnswer;

    /// <summary>Whom every operation acts for: the Settings page passes the signed-in person's own tenant.</summary>
    [Parameter, EditorRequired]
    public required ControlPlaneCaller Caller { get; set; }

    [Inject]
    public required RuntimeAdminService Admin { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required ILogger<ControlPlaneSection> Logger { get; init; }

    private RuntimeAdminOptions Options => Admin.Options;

    /// <summary>disabled, loading, ok or down: the section's data-control-plane-state.</summary>
    private string StateName => !Options.AdminEnabled ? "disabled"
        : health is null ? "loading"
        : health.Succeeded ? "ok"
        : "down";

    /// <summary>"ENABLE_RUNTIME_ADMIN is not true and RUNTIME_ADMIN_TOKEN is not set": the start-up log's reasons.</summary>
    private string DisabledReasons => Options.MissingForAdmin.Count switch
    {
        0 => "",
        1 => Options.MissingForAdmin[0].Description,
        var n => string.Join(", ", Options.MissingForAdmin.Take(n - 1).Select(m => m.Description)) + " and " + Options.MissingForAdmin[^1].Description,
    };

    private string RedisDescription => Options.RedisUrl is { } url ? RedisUrl.Describe(url) : "not configured";

    /// <summary>The reason Redis is not healthy: the health body's error.</summary>
    private string? HealthError => health?.Body switch
    {
        RuntimeHealth { Ok: false } h => h.Error,
        RuntimeAdminError e => e.Error,
        _ => null,
    };

    protected override async Task OnInitializedAsync()
    {
        SetPublishTenant(Caller.TenantId ?? RuntimeAdminService.NewTenantId([]));
        map.TenantId = Caller.TenantId;
        if (Options.AdminEnabled)
        {
            await RefreshAsync();
        }
    }

    private async Task RefreshAsync()
    {
        refreshing = true;
        try
        {
            var token = disposed.Token;
            health = await Admin.HealthAsync(token);
            await LoadTenantsAsync(token);
        }
        catch (OperationCanceledException) when (disposed.IsCancellationRequested)
        {
        }
        finally
        {
            refreshing = false;
        }
    }

    private async Task LoadTenantsAsync(CancellationToken token)
    {
        try
        {
            listing = await Admin.ListTenantsAsync(Caller, includeSecrets, token);
            listingError = null;
            if (Caller.IsInstallWide && publish.IsExample && listing.Tenants.Any(t => t.Config.TenantId == publish.TenantId))
            {
                SetPublishTenant(RuntimeAdminService.NewTenantId(listing.Tenants.Select(t => t.Config.TenantId)));
            }
        }
        catch (Exception ex) when (!token.IsCancellationRequested)
        {
            Logger.LogWarning("Listing the runtime tenants failed: {ExceptionType}: {Reason}", ex.GetType().Name, ex.Message);
            listing = null;
            listingError = ex.Message;
        }
    }

    private async Task IncludeSecretsChangedAsync(bool value)
    {
        includeSecrets = value;
        await RefreshAsync();
    }

    /// <summary>Keeps the prefilled example in step with the tenant id until the person edits the JSON.</summary>
    private void PublishTenantChanged(string value)
    {
        if (publish.IsExample)
        {
            SetPublishTenant(value);
        }
        else
        {
            publish.TenantId = value;
        }
    }

    private void SetPublishTenant(string tenantId)
    {
        publish.TenantId = tenantId;
        publish.ConfigJson = RuntimeAdminService.ExampleConfigJson(tenantId);
    }

    private Task PublishAsync() => RunAsync(
        async token =>
        {
            var tenant = publish.TenantId ?? "";
            var result = await Admin.PublishAsync(Caller, tenant, publish.ConfigJson ?? "", includeSecrets, token);
            publishAnswer = new Answer($"POST {RuntimeAdminRoutes.Prefix}/tenants/{Uri.EscapeDataString(tenant)}/config", result);
            return (result, $"Published the config of {tenant.Trim()}.");
        });

    private Task MapAsync() => RunAsync(
        async token =>
        {
            var body = JsonSerializer.SerializeToElement(new DidMapping(map.Did ?? "", map.TenantId ?? ""), RuntimeContract.Json);
            var result = await Admin.MapAsync(Caller, body, token);
            mapAnswer = new Answer($"POST {RuntimeAdminRoutes.Prefix}{RuntimeAdminRoutes.MapDid}", result);
            return (result, result.Body is DidMapping m ? $"Mapped {m.DidE164} to {m.TenantId}." : "Mapped.");
        });

    private Task UnmapAsync() => RunAsync(
        async token =>
        {
            var body = JsonSerializer.SerializeToElement(new { didE164 = unmap.Did ?? "" }, RuntimeContract.Json);
            var result = await Admin.UnmapAsync(Caller, body, token);
            unmapAnswer = new Answer($"POST {RuntimeAdminRoutes.Prefix}{RuntimeAdminRoutes.UnmapDid}", result);
            return (result, result.Body is DidUnmapped u ? (u.Removed ? $"Unmapped {u.DidE164}." : $"{u.DidE164} was not mapped.") : "Unmapped.");
        });

    private Task LookupAsync() => RunAsync(
        async token =>
        {
            var did = lookup.Did ?? "";
            var result = await Admin.LookupAsync(Caller, did, token);
            lookupAnswer = new Answer($"GET {RuntimeAdminRoutes.Prefix}/dids/{Uri.EscapeDataString(did)}", result);
            return (result, result.Body is DidMapping m ? $"{m.DidE164} is mapped to {m.TenantId}." : null);
        },
        refreshAfter: false);

    /// <summary>Runs one operation, reports it in a snackbar (the body's error when refused), and lists the tenants again after a change.</summary>
    private async Task RunAsync(Func<CancellationToken, Task<(RuntimeAdminResult Result, string? Success)>> operation, bool refreshAfter = true)
    {
        if (busy)
        {
            return;
        }

        busy = true;
        try
        {
            var token = disposed.Token;
            var (result, success) = await operation(token);
            if (result.Succeeded)
            {
                if (success is not null)
                {
                    Snackbar.Add(success, Severity.Success);
                }

                if (refreshAfter)
                {
                    await LoadTenantsAsync(token);
                }
            }
            else
            {
                Snackbar.Add($"{result.StatusCode}: {ErrorOf(result)}", result.StatusCode >= 500 ? Severity.Error : Severity.Warning);
            }
        }
        catch (OperationCanceledException) when (disposed.IsCancellationRequested)
        {
        }
        finally
        {
            busy = false;
        }
    }

    private static string ErrorOf(RuntimeAdminResult result) => result.Body switch
    {
        RuntimeContractError e => $"{e.Field}: {e.Error}",
        RuntimeAdminError e => e.Error,
        _ => result.BodyJson,
    };

    private static string Caps(RuntimeCaps caps) =>
        $"{caps.MaxConcurrentCallsTenant} concurrent · {caps.MaxCallsPerMinuteTenant}/min · {caps.MaxConcurrentCallsGlobal} global";

    private static (string State, Color Color, string Label) DidState(RuntimeDidState did, string tenantId) => did.MappedTo switch
    {
        null => ("unmapped", Color.Warning, "not mapped"),
        var t when t == tenantId => ("mapped", Color.Success, "mapped"),
        var t => ("elsewhere", Color.Error, $"mapped to {t}"),
    };

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }

    /// <summary>One operation as the endpoint would have seen it, and its answer.</summary>
    private sealed record Answer(string Request, RuntimeAdminResult Result);

    private sealed class PublishForm
    {
        public string? TenantId { get; set; }

        public string? ConfigJson { get; set; }

        /// <summary>True while the JSON is still the prefilled example for the tenant id.</summary>
        public bool IsExample => ConfigJson == RuntimeAdminService.ExampleConfigJson(TenantId ?? "");
    }

    private sealed class MapForm
    {
        public string? Did { get; set; }

        public string? TenantId { get; set; }
    }

    private sealed class LookupForm
    {
        public string? Did { get; set; }
    }

    private sealed class UnmapForm
    {
        public string? Did { get; set; }
    }
}
