using Agent.Domain.Tools;
using Agent.Runtime.Services;
using Agent.Runtime.Tools;
using Agent.Web.Components.Shared;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;

namespace Agent.Web.Components.Pages;

/// <summary>
/// The live tool registry: pending approvals with their exact arguments on top, then the tools grouped by source (built-in,
/// skills, each MCP server) with a search and the tenant's ask, auto or off per tool, then skill folders and any SKILL.md that could not be read. Reloads when an
/// approval or an MCP server of the tenant changes (through LiveUpdates, a few times a second at most).
/// </summary>
public sealed partial class Tools : IDisposable
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(150);
    private readonly CancellationTokenSource disposed = new();
    private readonly Dictionary<Guid, string> denyReasons = [];
    private IDisposable? approvalsSubscription;
    private IDisposable? serversSubscription;
    private readonly ToolsViewModel view = new();
    private List<SkillSpec> skills = [];
    private List<SkillProblem> problems = [];
    private List<ToolApprovalRequest> pending = [];
    private bool loaded;
    private string? loadError;

    [Inject]
    public required ICurrentTenant CurrentTenant { get; init; }

    /// <summary>Skill folders are paths of this install: a member sees the skill, not where it lives.</summary>
    private bool InstallDetails => CurrentTenant is not PrincipalTenant caller || caller.IsAdministrator;

    /// <summary>Whether a tool asks, runs on its own or is off is the tenant's setting: only its administrator changes it.</summary>
    private bool CanChange => InstallDetails;

    [Inject]
    public required ToolRegistry Registry { get; init; }

    [Inject]
    public required SkillCatalog Skills { get; init; }

    [Inject]
    public required ToolApprovalService Approvals { get; init; }

    [Inject]
    public required LiveUpdates Live { get; init; }

    [Inject]
    public required ActionRunner Actions { get; init; }

    [Inject]
    public required ILogger<Tools> Logger { get; init; }

    private string TenantId => CurrentTenant.TenantId;

    private PanelStateKind State => loadError is not null ? PanelStateKind.Error
        : !loaded ? PanelStateKind.Loading
        : view.All.Count + skills.Count + problems.Count + pending.Count == 0 ? PanelStateKind.Empty
        : PanelStateKind.Ready;

    private string StateMessage => loadError
        ?? (!loaded ? "Loading tools…" : "No tools or skills are registered. Add a skill as a folder with a SKILL.md under skills/ (name and description in its front matter); MCP server tools appear here once a server is added in the MCP panel.");

    private string? Badge => !loaded ? null
        : $"{view.All.Count(t => t.Enabled)} of {view.All.Count} tools on · {skills.Count} skills" + (pending.Count > 0 ? $" · {pending.Count} waiting" : "");

    protected override async Task OnInitializedAsync()
    {
        approvalsSubscription = Live.Subscribe(LiveTopics.Approvals, TenantId, RefreshInterval, _ => InvokeAsync(LoadAsync));
        serversSubscription = Live.Subscribe(LiveTopics.McpServers, TenantId, RefreshInterval, _ => InvokeAsync(LoadAsync));
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        try
        {
            var token = disposed.Token;
            view.Load((await Registry.GetToolsAsync(TenantId, token)).Tools.Select(t => t.Spec));
            var (skillSpecs, skillProblems) = await Skills.ScanAsync(TenantId, token);
            skills = [.. skillSpecs];
            problems = [.. skillProblems];
            pending = [.. await Approvals.ListPendingAsync(TenantId, token)];
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

    private Task ApproveAsync(ToolApprovalRequest request, bool forSession) => RunAsync(
        () => Approvals.ApproveAsync(request.Id, forSession, disposed.Token),
        forSession ? $"{request.ToolName} approved for this session" : $"{request.ToolName} approved once");

    private Task DenyAsync(ToolApprovalRequest request) => RunAsync(
        () => Approvals.DenyAsync(request.Id, denyReasons.GetValueOrDefault(request.Id), disposed.Token),
        $"{request.ToolName} denied");

    private void OnSearch(string? text) => view.Search = text ?? "";

    private Task SetSettingAsync(ToolSpec tool, ToolSetting setting) => !CanChange ? Task.CompletedTask : RunAsync(
        () => Registry.SetSettingAsync(TenantId, tool.Name, setting, disposed.Token),
        $"{tool.Name}: {SettingName(setting)}");

    private Task SetSkillEnabledAsync(SkillSpec skill, bool enabled) => RunAsync(
        () => Skills.SetEnabledAsync(TenantId, skill.Name, enabled, disposed.Token),
        $"Skill {skill.Name} {(enabled ? "enabled" : "disabled")}");

    private async Task RunAsync(Func<Task> action, string success)
    {
        await Actions.RunAsync(action, success);
        await LoadAsync();
    }

    internal static string ApprovalName(ToolApproval approval) => approval.ToString().ToLowerInvariant();

    internal static string SettingName(ToolSetting setting) => setting.ToString().ToLowerInvariant();

    internal static string SourceName(ToolSource source) => source switch
    {
        ToolSource.BuiltIn => "built-in",
        ToolSource.Skill => "skill",
        ToolSource.Mcp => "MCP",
        _ => source.ToString(),
    };

    internal static IEnumerable<string> EffectsOf(ToolEffects effects) =>
        Enum.GetValues<ToolEffects>().Where(e => e != ToolEffects.None && effects.HasFlag(e)).Select(e => e.ToString().ToLowerInvariant());

    public void Dispose()
    {
        approvalsSubscription?.Dispose();
        serversSubscription?.Dispose();
        disposed.Cancel();
        disposed.Dispose();
    }
}
