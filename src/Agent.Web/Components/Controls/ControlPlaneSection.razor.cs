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
/// call, with the page's <see cref="Caller"/> scope. Its answer is a sentence; the request line and the exact body the
/// endpoint would return are behind Details.
/// </summary>
public sealed partial class ControlPlaneSection : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private readonly Dictionary<string, string> publishErrors = new(StringComparer.Ordinal);
    private TenantConfigForm publish = new();
    private bool advanced;
    private string advancedJson = "";
    private string? advancedError;
    private string? publishProblem;
    private readonly MapForm map = new();
    private readonly DidForm unmap = new();
    private readonly DidForm lookup = new();
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
            if (Caller.IsInstallWide && PublishIsExample && listing.Tenants.Any(t => t.Config.TenantId == publish.TenantId))
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

    /// <summary>Keeps the prefilled example in step with the tenant id until the person edits another field or the JSON.</summary>
    private void PublishTenantChanged(string value)
    {
        if (advanced)
        {
            var followsTenant = advancedJson == publish.ToJson();
            publish.TenantId = value;
            if (followsTenant)
            {
                advancedJson = publish.ToJson();
            }
        }
        else
        {
            publish.TenantId = value;
        }

        publishErrors.Remove(nameof(TenantConfigForm.TenantId));
    }

    private void SetPublishTenant(string tenantId)
    {
        publish = TenantConfigForm.Example(tenantId);
        if (advanced)
        {
            advancedJson = publish.ToJson();
        }
    }

    /// <summary>True while the form (or, in Advanced, the JSON) is still the prefilled example for its tenant id.</summary>
    private bool PublishIsExample =>
        (advanced ? advancedJson : publish.ToJson()) == TenantConfigForm.Example(publish.TenantId).ToJson();

    private string? PublishError(string property) => publishErrors.GetValueOrDefault(property);

    /// <summary>A field's new value: kept, and its message cleared (the next publish checks it again).</summary>
    private void Edited(string property, Action set)
    {
        set();
        publishErrors.Remove(property);
    }

    /// <summary>Opens Advanced with JSON from the fields, or goes back to the fields when the JSON reads into them.</summary>
    private void ToggleAdvanced()
    {
        if (!advanced)
        {
            advancedJson = publish.ToJson();
            advancedError = null;
            advanced = true;
            return;
        }

        if (!TenantConfigForm.TryParseJson(advancedJson, out var parsed, out var error))
        {
            advancedError = $"The JSON cannot be shown as fields, so it stays here: {error}";
            return;
        }

        // The tenant id field is the route's: a different tenantId in the JSON would be refused, so the field keeps its value.
        parsed.TenantId = publish.TenantId;
        publish = parsed;
        publishErrors.Clear();
        advancedError = null;
        advanced = false;
    }

    private void AdvancedJsonChanged(string value)
    {
        advancedJson = value;
        advancedError = null;
    }

    private async Task PublishAsync()
    {
        publishProblem = null;
        publishErrors.Clear();
        string body;
        if (advanced)
        {
            body = advancedJson;
        }
        else
        {
            foreach (var (property, message) in publish.CheckFields())
            {
                publishErrors[property] = message;
            }

            if (publishErrors.Count == 0 && publish.Validate().Error is { } invalid)
            {
                ShowPublishError(invalid);
            }

            if (publishErrors.Count > 0 || publishProblem is not null)
            {
                publishProblem ??= "Nothing was published: fix the marked fields first.";
                return;
            }

            body = publish.ToJson();
        }

        await RunAsync(
            async token =>
            {
                var tenant = publish.TenantId;
                var result = await Admin.PublishAsync(Caller, tenant, body, includeSecrets, token);
                publishAnswer = new Answer($"POST {RuntimeAdminRoutes.Prefix}/tenants/{Uri.EscapeDataString(tenant)}/config", result,
                    result.Succeeded ? $"Published the config of tenant {tenant.Trim()}." : $"Not published. {Refusal(result)}");
                if (!result.Succeeded && result.Body is RuntimeContractError error)
                {
                    ShowPublishError(error);
                }

                return result;
            });
    }

    /// <summary>A contract error under the field its path names, or above the button when no field holds it.</summary>
    private void ShowPublishError(RuntimeContractError error)
    {
        if (!advanced && TenantConfigForm.PropertyFor(error.Field) is { } property)
        {
            publishErrors[property] = publish.MessageFor(error);
        }
        else if (advanced)
        {
            advancedError = TenantConfigForm.Describe(error);
        }
        else
        {
            publishProblem = TenantConfigForm.Describe(error);
        }
    }

    private async Task MapAsync()
    {
        map.DidError = TenantConfigForm.DidProblem(map.Did);
        map.TenantError = string.IsNullOrWhiteSpace(map.TenantId) ? "Enter the tenant id to map the DID to." : null;
        if (map.DidError is not null || map.TenantError is not null)
        {
            return;
        }

        await RunAsync(
            async token =>
            {
                var body = JsonSerializer.SerializeToElement(new DidMapping(map.Did ?? "", map.TenantId ?? ""), RuntimeContract.Json);
                var result = await Admin.MapAsync(Caller, body, token);
                mapAnswer = new Answer($"POST {RuntimeAdminRoutes.Prefix}{RuntimeAdminRoutes.MapDid}", result,
                    result.Body is DidMapping m ? $"Mapped {m.DidE164} to tenant {m.TenantId}." : $"Not mapped. {Refusal(result)}");
                if (result.Body is RuntimeContractError { Field: "didE164" } didError)
                {
                    map.DidError = didError.Error;
                }
                else if (result.Body is RuntimeContractError { Field: "tenantId" } tenantError)
                {
                    map.TenantError = tenantError.Error;
                }

                return result;
            });
    }

    private async Task UnmapAsync()
    {
        unmap.DidError = TenantConfigForm.DidProblem(unmap.Did);
        if (unmap.DidError is not null)
        {
            return;
        }

        await RunAsync(
            async token =>
            {
                var body = JsonSerializer.SerializeToElement(new { didE164 = unmap.Did ?? "" }, RuntimeContract.Json);
                var result = await Admin.UnmapAsync(Caller, body, token);
                unmapAnswer = new Answer($"POST {RuntimeAdminRoutes.Prefix}{RuntimeAdminRoutes.UnmapDid}", result, result.Body switch
                {
                    DidUnmapped { Removed: true } u => $"Unmapped {u.DidE164}.",
                    DidUnmapped u => $"{u.DidE164} was not mapped, so nothing changed.",
                    _ => $"Not unmapped. {Refusal(result)}",
                });
                return result;
            });
    }

    private async Task LookupAsync()
    {
        lookup.DidError = TenantConfigForm.DidProblem(lookup.Did);
        if (lookup.DidError is not null)
        {
            return;
        }

        await RunAsync(
            async token =>
            {
                var did = lookup.Did ?? "";
                var result = await Admin.LookupAsync(Caller, did, token);
                lookupAnswer = new Answer($"GET {RuntimeAdminRoutes.Prefix}/dids/{Uri.EscapeDataString(did)}", result, result.Body switch
                {
                    DidMapping m => $"{m.DidE164} is mapped to tenant {m.TenantId}.",
                    _ => Refusal(result),
                });
                return result;
            },
            refreshAfter: false);
    }

    /// <summary>Why a typed DID cannot be sent: blank, or not E.164 after the domain's normalization (spaces removed).</summary>
    /// <summary>Runs one operation and lists the tenants again after a change; the answer under the form says how it went.</summary>
    private async Task RunAsync(Func<CancellationToken, Task<RuntimeAdminResult>> operation, bool refreshAfter = true)
    {
        if (busy)
        {
            return;
        }

        busy = true;
        try
        {
            var token = disposed.Token;
            var result = await operation(token);
            if (result.Succeeded && refreshAfter)
            {
                await LoadTenantsAsync(token);
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

    /// <summary>A refusal or failure in words: the error codes of the API become sentences; a contract error keeps its field.</summary>
    private static string Refusal(RuntimeAdminResult result) => result.Body switch
    {
        RuntimeContractError { Error: RuntimeAdminRoutes.DidNotMapped } => "That DID is not mapped to a tenant you can see.",
        RuntimeContractError { Error: RuntimeAdminRoutes.TenantConfigNotFound } => "There is no config for that tenant that you can see.",
        RuntimeContractError e when e.Error.Contains(e.Field, StringComparison.Ordinal) => e.Error,
        RuntimeContractError e => $"{e.Field}: {e.Error}",
        RuntimeAdminError { Error: RuntimeAdminRoutes.PublishFailed or RuntimeAdminRoutes.MapFailed or RuntimeAdminRoutes.UnmapFailed or RuntimeAdminRoutes.LookupFailed }
            => "Redis did not take the change; check that it is running (see Redis above) and try again.",
        RuntimeAdminError e => Sentence(e.Error),
        _ => result.BodyJson,
    };

    private static string Sentence(string text) =>
        text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..] + (text.EndsWith('.') ? "" : ".");

    /// <summary>The mode the validator accepts, and the current one too when the JSON brought another (so the select can show it).</summary>
    private static IEnumerable<(string Mode, string Label)> ModeChoices(string accepted, string label, string current)
    {
        yield return (accepted, label);
        if (!string.Equals(current, accepted, StringComparison.Ordinal))
        {
            yield return (current, current.Length == 0 ? "(none)" : current);
        }
    }

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

    /// <summary>One operation as the endpoint would have seen it, its answer, and the answer in words.</summary>
    private sealed record Answer(string Request, RuntimeAdminResult Result, string Sentence);

    private sealed class MapForm
    {
        public string? Did { get; set; }

        public string? TenantId { get; set; }

        public string? DidError { get; set; }

        public string? TenantError { get; set; }
    }

    private sealed class DidForm
    {
        public string? Did { get; set; }

        public string? DidError { get; set; }
    }
}
