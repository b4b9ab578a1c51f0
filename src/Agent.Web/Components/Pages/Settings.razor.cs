using Agent.Data;
using Agent.Domain.Configuration;
using Agent.Domain.Providers;
using Agent.Domain.Storage;
using Agent.Runtime.Clients;
using Agent.Runtime.Hosting;
using Agent.Runtime.Services;
using Agent.Web.Components.Shared;
using Agent.Web.ControlPlane;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace Agent.Web.Components.Pages;

/// <summary>
/// Providers as cards (kind, mode, state, base URL, models; what to set when blocked; Test connection), storage
/// facts, streaming and telemetry defaults, the app version, the caller's access tokens, the tenant's people for
/// administrators (PeopleSection) and the runtime control plane (ControlPlaneSection).
/// Providers come from the catalog at once; the storage facts are read from the database.
/// </summary>
public sealed partial class Settings : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private IReadOnlyList<ProviderCard> providers = [];
    private StorageFacts? storage;
    private string? storageError;

    [Inject]
    public required ICurrentTenant CurrentTenant { get; init; }

    [Inject]
    public required PrincipalTenant Caller { get; init; }

    [Inject]
    public required ProviderCatalog Catalog { get; init; }

    [Inject]
    public required AppInfo App { get; init; }

    [Inject]
    public required IOptions<AgentOptions> Options { get; init; }

    [Inject]
    public required AgentDatabase Database { get; init; }

    [Inject]
    public required ISessionStore Sessions { get; init; }

    [Inject]
    public required IMessageStore Messages { get; init; }

    [Inject]
    public required IServiceProvider Services { get; init; }

    [Inject]
    public required ILogger<Settings> Logger { get; init; }

    private AgentOptions Agent => Options.Value;

    /// <summary>Absent in hosts without provider clients (some component tests): the button is then not shown.</summary>
    private ProviderConnectionTester? Tester => Services.GetService<ProviderConnectionTester>();

    /// <summary>Absent in hosts without the control plane (some component tests): the section is then not shown.</summary>
    private bool ControlPlaneAvailable => Services.GetService<RuntimeAdminService>() is not null;

    /// <summary>Absent in hosts without Identity (component tests): the People section is then not shown.</summary>
    private bool PeopleAvailable => Services.GetService<Security.PeopleService>() is not null;

    /// <summary>
    /// The Control plane section acts for the person's own tenant only: a signed-in administrator's tenant, and for the
    /// loopback owner tenant "local" (the owner is the administrator of "local"). The admin API refuses the owner without
    /// RUNTIME_ADMIN_TOKEN because on loopback the owner is anyone on this machine; the page holds no token, so it does
    /// not reach further than the API would. Install-wide work stays with the token holder, through the API.
    /// </summary>
    private ControlPlaneCaller ControlPlaneScope => ControlPlaneCaller.ForTenant(Caller.IsLocalOwner ? Domain.Sessions.Tenant.LocalId : Caller.TenantId);

    /// <summary>Paths, base URLs and key variables are install details: only an administrator (the loopback owner is one) sees them.</summary>
    private bool InstallDetails => Caller.IsAdministrator;

    private ProviderAvailability? DefaultAvailability => Catalog.Default is { } d ? AvailabilityOf(d.Provider.Name) : null;

    /// <summary>A member is told to ask an administrator instead of the variable to set.</summary>
    private ProviderAvailability AvailabilityOf(string provider) => InstallDetails ? Catalog.AvailabilityOf(provider) : Catalog.AvailabilityOf(provider).ForMember();

    private PanelStateKind State => storageError is not null ? PanelStateKind.Error
        : providers.Count == 0 ? PanelStateKind.Empty
        : DefaultAvailability is null or { State: ProviderState.Blocked } ? PanelStateKind.Blocked
        : storage is null ? PanelStateKind.Loading
        : PanelStateKind.Ready;

    private string? StateMessage => State switch
    {
        PanelStateKind.Error => storageError,
        PanelStateKind.Empty => "No providers are configured. Add one under Agent:Providers in appsettings.json (the deterministic provider needs no key).",
        PanelStateKind.Blocked => BlockedMessage(),
        PanelStateKind.Loading => "Reading the storage facts…",
        _ => null,
    };

    private string BlockedMessage()
    {
        var blocked = DefaultAvailability is { } chosen ? [chosen] : providers.Select(p => p.Availability).Where(a => a.State == ProviderState.Blocked).ToList();
        return blocked.Count == 0
            ? "No provider has a model, so new chats cannot get a reply."
            : "New chats cannot get a reply: " + string.Join(" ", blocked.Select(a => $"{a.ProviderName} is blocked. {a.Reason} To unblock: {a.Action}."));
    }

    protected override async Task OnInitializedAsync()
    {
        providers = [.. Catalog.Providers.Select(p => new ProviderCard(p, AvailabilityOf(p.Name)))];
        try
        {
            var tenant = CurrentTenant.TenantId;
            var token = disposed.Token;
            var schema = await Database.SchemaVersionAsync(token);
            var sessions = await Sessions.CountAsync(tenant, token);
            var messages = await Messages.CountAsync(tenant, token);
            storage = new StorageFacts(schema, sessions, messages);
        }
        catch (OperationCanceledException) when (disposed.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Logger.LogError(ex, "Reading the storage facts failed");
            storageError = $"The storage facts could not be read: {ex.Message}";
        }
    }

    private static string Lower<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static string KindName(ProviderKind kind) => kind switch
    {
        ProviderKind.OpenAICompatible => "OpenAI-compatible",
        _ => kind.ToString(),
    };

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }

    private sealed record ProviderCard(ProviderSpec Spec, ProviderAvailability Availability);

    private sealed record StorageFacts(string SchemaVersion, int Sessions, int Messages);
}
