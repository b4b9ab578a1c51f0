using Agent.Domain.Bootstrap;
using Agent.Domain.Storage;
using Agent.Domain.Tools;
using Agent.Web.Components.Shared;
using Agent.Web.Mcp;
using Agent.Web.Services;
using Agent.Web.Tools;
using Microsoft.AspNetCore.Components;

namespace Agent.Web.Components.Panels;

/// <summary>
/// The live tool registry: built-ins, load_skill and MCP tools with their enable toggle and approval; skills with
/// their toggle and any SKILL.md that could not be read; pending approvals with the exact arguments.
/// </summary>
public sealed partial class ToolsPanel : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private readonly Dictionary<Guid, string> denyReasons = [];
    private List<ToolSpec> tools = [];
    private List<SkillSpec> skills = [];
    private List<SkillProblem> problems = [];
    private List<ToolApprovalRequest> pending = [];
    private bool loaded;
    private string? loadError;
    private string? actionError;

    [Parameter, EditorRequired]
    public required BootstrapSnapshot Snapshot { get; set; }

    [Inject]
    public required ToolRegistry Registry { get; init; }

    [Inject]
    public required SkillCatalog Skills { get; init; }

    [Inject]
    public required ToolApprovalService Approvals { get; init; }

    [Inject]
    public required IConfigOverrideStore Overrides { get; init; }

    [Inject]
    public required McpServerManager Mcp { get; init; }

    [Inject]
    public required ILogger<ToolsPanel> Logger { get; init; }

    private string TenantId => Snapshot.TenantId;

    private PanelStateKind State => loadError is not null ? PanelStateKind.Error
        : !loaded ? PanelStateKind.Loading
        : tools.Count + skills.Count + problems.Count == 0 ? PanelStateKind.Empty
        : PanelStateKind.Ready;

    private string StateMessage => loadError
        ?? (!loaded ? "Loading tools…" : "No tools or skills are registered. Add a skill as a folder with a SKILL.md under skills/ (name and description in its front matter); MCP server tools appear here once a server is added in the MCP panel.");

    private string Badge => $"{tools.Count(t => t.Enabled)} tools · {skills.Count} skills" + (pending.Count > 0 ? $" · {pending.Count} waiting" : "");

    protected override async Task OnInitializedAsync()
    {
        Approvals.Changed += OnApprovalChanged;
        Mcp.Changed += OnMcpChanged;
        await LoadAsync();
    }

    private void OnApprovalChanged(ToolApprovalRequest request) => _ = InvokeAsync(LoadAsync);

    private void OnMcpChanged() => _ = InvokeAsync(LoadAsync);

    private async Task LoadAsync()
    {
        try
        {
            var token = disposed.Token;
            tools = (await Registry.GetToolsAsync(TenantId, token)).Tools.Select(t => t.Spec).ToList();
            var (skillSpecs, skillProblems) = await Skills.ScanAsync(TenantId, token);
            skills = skillSpecs.ToList();
            problems = skillProblems.ToList();
            pending = (await Approvals.ListPendingAsync(TenantId, token)).ToList();
            foreach (var request in pending)
            {
                denyReasons.TryAdd(request.Id, "");
            }

            loaded = true;
            loadError = null;
        }
        catch (OperationCanceledException) when (disposed.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            Logger.LogError(ex, "Loading the tools failed");
            loadError = $"The tools could not be loaded: {ex.Message}";
        }

        StateHasChanged();
    }

    private Task ApproveAsync(Guid id, bool forSession) => Act(() => Approvals.ApproveAsync(id, forSession, disposed.Token));

    private Task DenyAsync(Guid id) => Act(() => Approvals.DenyAsync(id, denyReasons.GetValueOrDefault(id), disposed.Token));

    private Task ToggleToolAsync(ToolSpec tool) => Act(() => Registry.SetEnabledAsync(TenantId, tool.Name, !tool.Enabled, disposed.Token));

    private Task ToggleSkillAsync(SkillSpec skill) => Act(() => Overrides.SetEnabledAsync(TenantId, SkillCatalog.OverrideScope, skill.Name, !skill.Enabled, disposed.Token));

    private Task SetApprovalAsync(string toolName, string? value) =>
        Act(() => Registry.SetApprovalAsync(TenantId, toolName, ToolApprovalPolicy.TryParseApproval(value, out var approval) ? approval : null, disposed.Token));

    private async Task Act(Func<Task> action)
    {
        try
        {
            actionError = null;
            await action();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Logger.LogWarning(ex, "A tools panel action failed");
            actionError = ex.Message;
        }

        await LoadAsync();
    }

    public void Dispose()
    {
        Approvals.Changed -= OnApprovalChanged;
        Mcp.Changed -= OnMcpChanged;
        disposed.Cancel();
        disposed.Dispose();
    }
}
