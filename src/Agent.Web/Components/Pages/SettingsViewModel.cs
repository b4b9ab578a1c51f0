using Agent.Data;
using Agent.Domain.Providers;
using Agent.Domain.Storage;
using Agent.Runtime.Services;
using Agent.Web.Components.Shared;
using Agent.Web.ControlPlane;
using Agent.Web.Services;

namespace Agent.Web.Components.Pages;

/// <summary>A provider as its Settings card shows it, with its availability as the caller may see it.</summary>
public sealed record ProviderCard(ProviderSpec Spec, ProviderAvailability Availability);

/// <summary>What the Settings page tells about the database and the caller's tenant's use of it.</summary>
public sealed record StorageFacts(string SchemaVersion, int Sessions, int Messages);

/// <summary>
/// The Settings page's state and logic: provider cards (what a member may see of why one is blocked), the storage
/// facts of the caller's tenant, which state the panel is in and what it says, and whom the control plane acts for.
/// </summary>
public sealed class SettingsViewModel(
    ProviderCatalog catalog,
    ICurrentTenant tenant,
    PrincipalTenant caller,
    AgentDatabase database,
    ISessionStore sessions,
    IMessageStore messages,
    ILogger<SettingsViewModel> logger)
{
    public IReadOnlyList<ProviderCard> Providers { get; private set; } = [];

    /// <summary>Null until read, and when the read failed (<see cref="StorageError"/>).</summary>
    public StorageFacts? Storage { get; private set; }

    public string? StorageError { get; private set; }

    /// <summary>What a new chat uses; null only when no provider has a model.</summary>
    public (ProviderSpec Provider, ModelSpec Model)? Default => catalog.Default;

    public bool IsAdministrator => caller.IsAdministrator;

    /// <summary>Paths, base URLs and key variables are install details: only an administrator (the loopback owner is one) sees them.</summary>
    public bool InstallDetails => caller.IsAdministrator;

    /// <summary>
    /// The Control plane section acts for the person's own tenant only: a signed-in administrator's tenant, and for the
    /// loopback owner tenant "local" (the owner is the administrator of "local"). The admin API refuses the owner without
    /// RUNTIME_ADMIN_TOKEN because on loopback the owner is anyone on this machine; the page holds no token, so it does
    /// not reach further than the API would. Install-wide work stays with the token holder, through the API.
    /// </summary>
    public ControlPlaneCaller ControlPlaneScope => ControlPlaneCaller.ForTenant(caller.IsLocalOwner ? Domain.Sessions.Tenant.LocalId : caller.TenantId);

    public PanelStateKind State => StorageError is not null ? PanelStateKind.Error
        : Providers.Count == 0 ? PanelStateKind.Empty
        : DefaultAvailability is null or { State: ProviderState.Blocked } ? PanelStateKind.Blocked
        : Storage is null ? PanelStateKind.Loading
        : PanelStateKind.Ready;

    public string? StateMessage => State switch
    {
        PanelStateKind.Error => StorageError,
        PanelStateKind.Empty => "No providers are configured. Add one under Agent:Providers in appsettings.json (the deterministic provider needs no key).",
        PanelStateKind.Blocked => BlockedMessage(),
        PanelStateKind.Loading => "Reading the storage facts…",
        _ => null,
    };

    private ProviderAvailability? DefaultAvailability => catalog.Default is { } d ? AvailabilityOf(d.Provider.Name) : null;

    /// <summary>Builds the provider cards at once, then reads the storage facts; a failed read becomes <see cref="StorageError"/>.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        Providers = [.. catalog.Providers.Select(p => new ProviderCard(p, AvailabilityOf(p.Name)))];
        try
        {
            var tenantId = tenant.TenantId;
            var schema = await database.SchemaVersionAsync(cancellationToken);
            var sessionCount = await sessions.CountAsync(tenantId, cancellationToken);
            var messageCount = await messages.CountAsync(tenantId, cancellationToken);
            Storage = new StorageFacts(schema, sessionCount, messageCount);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Reading the storage facts failed");
            StorageError = $"The storage facts could not be read: {ex.Message}";
        }
    }

    public static string Lower<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    public static string KindName(ProviderKind kind) => kind switch
    {
        ProviderKind.OpenAICompatible => "OpenAI-compatible",
        _ => kind.ToString(),
    };

    /// <summary>A member is told to ask an administrator instead of the variable to set.</summary>
    private ProviderAvailability AvailabilityOf(string provider) => InstallDetails ? catalog.AvailabilityOf(provider) : catalog.AvailabilityOf(provider).ForMember();

    private string BlockedMessage()
    {
        var blocked = DefaultAvailability is { } chosen ? [chosen] : Providers.Select(p => p.Availability).Where(a => a.State == ProviderState.Blocked).ToList();
        return blocked.Count == 0
            ? "No provider has a model, so new chats cannot get a reply."
            : "New chats cannot get a reply: " + string.Join(" ", blocked.Select(a => $"{a.ProviderName} is blocked. {a.Reason} To unblock: {a.Action}."));
    }
}
