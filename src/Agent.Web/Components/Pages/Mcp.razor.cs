using Agent.Runtime.Mcp;
using Agent.Web.Components.Shared;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Agent.Web.Components.Pages;

/// <summary>
/// The configured and imported MCP servers with their true state (re-read on every change notification of the
/// manager, and polled every 2 s while a server is starting, since a start may finish without one), the exact
/// command to confirm, errors, stderr, tools/resources/prompts, and the mcpServers import.
/// </summary>
public sealed partial class Mcp : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource disposed = new();
    private IDisposable? serversSubscription;
    private ITimer? poll;
    private IReadOnlyList<McpServerView> servers = [];
    private List<string> importProblems = [];
    private string importJson = "";
    private bool importing;
    private bool loaded;
    private string? loadError;

    [Inject]
    public required LiveUpdates Live { get; init; }

    [Inject]
    public required McpServerManager Manager { get; init; }

    [Inject]
    public required PrincipalTenant CurrentTenant { get; init; }

    [Inject]
    public required ActionRunner Actions { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required ILogger<Mcp> Logger { get; init; }

    private PanelStateKind State => loadError is not null ? PanelStateKind.Error
        : !loaded ? PanelStateKind.Loading
        : servers.Count == 0 ? PanelStateKind.Empty
        : servers.All(s => s.State is McpServerState.AwaitingConfirmation or McpServerState.Disabled) && servers.Any(s => s.State == McpServerState.AwaitingConfirmation) ? PanelStateKind.Blocked
        : PanelStateKind.Ready;

    private string? StateMessage => State switch
    {
        PanelStateKind.Error => loadError,
        PanelStateKind.Loading => "Loading MCP servers…",
        PanelStateKind.Empty when !CanChange => "No MCP servers yet. An administrator adds them (under Agent:McpServers in appsettings.json, or by importing them here).",
        PanelStateKind.Empty => "No MCP servers configured. Add one under Agent:McpServers in appsettings.json, or import below the same mcpServers JSON shape other MCP clients use ({ \"name\": { \"command\": …, \"args\": [ … ] } } or { \"url\": … }).",
        PanelStateKind.Blocked when !CanChange => "No server runs yet: each one waits for an administrator to confirm the exact command it starts.",
        PanelStateKind.Blocked => "No server runs yet: each one waits for you to confirm the exact command it starts.",
        _ => null,
    };

    private string? Badge => !loaded ? null : $"{servers.Count(s => s.State == McpServerState.Ready)} ready of {servers.Count}";

    /// <summary>Servers run as programs of this machine: only an administrator changes them (the API enforces the same role).</summary>
    private bool CanChange => CurrentTenant.IsAdministrator;

    internal static string StateName(McpServerState state) => McpServerManager.StateName(state);

    private static string ChipStatus(McpServerState state) => state switch
    {
        McpServerState.AwaitingConfirmation => "awaiting-confirmation",
        McpServerState.Disabled => "disabled",
        _ => state.ToString().ToLowerInvariant(),
    };

    protected override async Task OnInitializedAsync()
    {
        serversSubscription = Live.Subscribe(LiveTopics.McpServers, CurrentTenant.TenantId, TimeSpan.FromMilliseconds(150), _ => InvokeAsync(LoadAsync));
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        try
        {
            servers = await Manager.ListAsync(CurrentTenant.TenantId, installDetails: CanChange, disposed.Token);
            loaded = true;
            loadError = null;
        }
        catch (OperationCanceledException) when (disposed.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            Logger.LogError(ex, "Loading the MCP servers failed");
            loadError = $"The MCP servers could not be loaded: {ex.Message}";
        }

        UpdatePoll();
        StateHasChanged();
    }

    /// <summary>Polls only while a server is starting: the page then shows ready or failed without a reload.</summary>
    private void UpdatePoll()
    {
        var starting = servers.Any(s => s.State == McpServerState.Starting);
        if (starting && poll is null && !disposed.IsCancellationRequested)
        {
            poll = Time.CreateTimer(_ => InvokeAsync(LoadAsync), null, PollInterval, PollInterval);
        }
        else if (!starting && poll is not null)
        {
            poll.Dispose();
            poll = null;
        }
    }

    private Task ConfirmAsync(McpServerView server) => RunAsync(
        () => Manager.ConfirmAsync(CurrentTenant.TenantId, server.Spec.Name, disposed.Token),
        $"{server.Spec.Name} confirmed; starting",
        new Confirmation($"Start {server.Spec.Name}?", "This exact command will run on this machine with your user's rights:", "Confirm and start", server.CommandLine));

    private Task RestartAsync(McpServerView server) => RunAsync(() => Manager.RestartAsync(CurrentTenant.TenantId, server.Spec.Name, disposed.Token), $"{server.Spec.Name} restarting");

    private Task SetEnabledAsync(McpServerView server, bool enabled) => RunAsync(
        () => Manager.SetEnabledAsync(CurrentTenant.TenantId, server.Spec.Name, enabled, disposed.Token),
        $"{server.Spec.Name} {(enabled ? "enabled" : "disabled")}");

    private Task RemoveAsync(McpServerView server) => RunAsync(
        () => Manager.RemoveImportedAsync(CurrentTenant.TenantId, server.Spec.Name, disposed.Token),
        $"{server.Spec.Name} removed",
        new Confirmation($"Remove {server.Spec.Name}?", "The imported server is stopped and forgotten; its tools leave the registry. You can import it again later.", "Remove"));

    private async Task RunAsync(Func<Task> action, string success, Confirmation? confirm = null)
    {
        if (!CanChange)
        {
            Snackbar.Add("Only an administrator changes MCP servers.", Severity.Error);
            return;
        }

        await Actions.RunAsync(action, success, confirm);
        await LoadAsync();
    }

    private async Task ImportAsync()
    {
        if (!CanChange)
        {
            Snackbar.Add("Only an administrator imports MCP servers.", Severity.Error);
            return;
        }

        importProblems = [];
        importing = true;
        IReadOnlyList<string> names = [];
        await Actions.RunAsync(async () =>
        {
            try
            {
                names = await Manager.ImportAsync(CurrentTenant.TenantId, importJson, disposed.Token);
                importJson = "";
            }
            catch (McpImportException ex)
            {
                importProblems = [.. ex.Problems];
            }
        });
        importing = false;
        if (names.Count > 0)
        {
            Snackbar.Add(names.Count == 1 ? $"Imported {names[0]}" : $"Imported {names.Count} servers: {string.Join(", ", names)}", Severity.Success);
        }

        await LoadAsync();
    }

    public void Dispose()
    {
        serversSubscription?.Dispose();
        poll?.Dispose();
        disposed.Cancel();
        disposed.Dispose();
    }
}
