using Agent.Domain.Configuration;
using Agent.Runtime.Clients;
using Agent.Runtime.Hosting;
using Agent.Web.ControlPlane;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace Agent.Web.Components.Pages;

/// <summary>
/// Providers as cards (kind, mode, state, base URL, models; what to set when blocked; Test connection), storage
/// facts, streaming and telemetry defaults, the app version, the caller's access tokens, the tenant's people for
/// administrators (PeopleSection) and the runtime control plane (ControlPlaneSection).
/// Providers come from the catalog at once; the storage facts are read from the database. The logic is in
/// <see cref="SettingsViewModel"/>; this component picks the sections the host offers and renders.
/// </summary>
public sealed partial class Settings : IDisposable
{
    private readonly CancellationTokenSource disposed = new();

    [Inject]
    public required SettingsViewModel Model { get; init; }

    [Inject]
    public required AppInfo App { get; init; }

    [Inject]
    public required IOptions<AgentOptions> Options { get; init; }

    [Inject]
    public required IServiceProvider Services { get; init; }

    private AgentOptions Agent => Options.Value;

    /// <summary>Absent in hosts without provider clients (some component tests): the button is then not shown.</summary>
    private ProviderConnectionTester? Tester => Services.GetService<ProviderConnectionTester>();

    /// <summary>Absent in hosts without the control plane (some component tests): the section is then not shown.</summary>
    private bool ControlPlaneAvailable => Services.GetService<RuntimeAdminService>() is not null;

    /// <summary>Absent in hosts without Identity (component tests): the People section is then not shown.</summary>
    private bool PeopleAvailable => Services.GetService<Security.PeopleService>() is not null;

    protected override async Task OnInitializedAsync()
    {
        try
        {
            await Model.LoadAsync(disposed.Token);
        }
        catch (OperationCanceledException) when (disposed.IsCancellationRequested)
        {
        }
    }

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }
}
