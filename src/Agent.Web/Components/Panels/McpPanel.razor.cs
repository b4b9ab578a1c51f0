using Agent.Domain.Bootstrap;
using Agent.Web.Components.Shared;
using Agent.Web.Mcp;
using Microsoft.AspNetCore.Components;

namespace Agent.Web.Components.Panels;

/// <summary>
/// The live MCP servers: status (starting, ready, failed, disabled, awaiting confirmation), the exact command to
/// confirm, error and stderr tail, tools/resources/prompts, restart, enable/disable and import of mcpServers JSON.
/// </summary>
public sealed partial class McpPanel : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private IReadOnlyList<McpServerView> servers = [];
    private List<string> importProblems = [];
    private string importJson = "";
    private bool loaded;
    private string? loadError;
    private string? actionError;

    [Parameter, EditorRequired]
    public required BootstrapSnapshot Snapshot { get; set; }

    [Inject]
    public required McpServerManager Mcp { get; init; }

    [Inject]
    public required ILogger<McpPanel> Logger { get; init; }

    private PanelStateKind State => loadError is not null ? PanelStateKind.Error
        : !loaded ? PanelStateKind.Loading
        : servers.Count == 0 ? PanelStateKind.Empty
        : PanelStateKind.Ready;

    private string StateMessage => loadError
        ?? (!loaded ? "Loading MCP servers…" : "No MCP servers configured. Add one under Agent:McpServers in appsettings.json, or import below the same mcpServers JSON shape other MCP clients use ({ \"name\": { \"command\": …, \"args\": [ … ] } } or { \"url\": … }).");

    private string Badge => $"{servers.Count(s => s.State == McpServerState.Ready)} ready of {servers.Count}";

    private static string StateName(McpServerState state) => McpServerManager.StateName(state);

    private static string PillClass(McpServerState state) => state switch
    {
        McpServerState.Ready => "ok",
        McpServerState.Failed => "error",
        McpServerState.Disabled => "off",
        _ => "warn",
    };

    protected override async Task OnInitializedAsync()
    {
        Mcp.Changed += OnChanged;
        await LoadAsync();
    }

    private void OnChanged() => _ = InvokeAsync(LoadAsync);

    private async Task LoadAsync()
    {
        try
        {
            servers = await Mcp.ListAsync(disposed.Token);
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

        StateHasChanged();
    }

    private async Task ImportAsync()
    {
        importProblems = [];
        try
        {
            await Mcp.ImportAsync(importJson, disposed.Token);
            importJson = "";
        }
        catch (McpImportException ex)
        {
            importProblems = ex.Problems.ToList();
        }

        await LoadAsync();
    }

    private async Task Act(Func<Task> action)
    {
        try
        {
            actionError = null;
            await action();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Logger.LogWarning(ex, "An MCP panel action failed");
            actionError = ex.Message;
        }

        await LoadAsync();
    }

    public void Dispose()
    {
        Mcp.Changed -= OnChanged;
        disposed.Cancel();
        disposed.Dispose();
    }
}
