using Agent.Domain.Configuration;
using Agent.Runtime.Runtime;
using Agent.Runtime.Services;
using Agent.Runtime.Teams;
using Agent.Runtime.Tools;
using Agent.Web.Components.Shared;
using Agent.Web.Services;
using Microsoft.Extensions.Options;

namespace Agent.Web.Components.Pages;

/// <summary>
/// The Team page's state and logic: the profiles and teams, the recent team runs, the shown run's tree and its
/// interrupted members, and the words for them. The component renders it, forwards events and opens the dialogs.
/// </summary>
public sealed class TeamViewModel(
    ICurrentTenant tenant,
    TeamCatalog catalog,
    TeamRunQueries queries,
    ToolRegistry tools,
    ProviderCatalog providers,
    IOptions<AgentOptions> options,
    ILogger<TeamViewModel> logger)
{
    private bool runPicked;

    public string TenantId => tenant.TenantId;

    public string Currency => options.Value.Telemetry.Currency;

    public IReadOnlyList<CatalogEntry<AgentProfileOptions>> Profiles { get; private set; } = [];

    public IReadOnlyList<CatalogEntry<TeamOptions>> Teams { get; private set; } = [];

    /// <summary>The recent team runs, newest first.</summary>
    public IReadOnlyList<TeamRunSummary> Runs { get; private set; } = [];

    /// <summary>The root execution of the run shown: the newest until the person picks another.</summary>
    public Guid? SelectedRun { get; private set; }

    public RunTreeNode? Tree { get; private set; }

    /// <summary>The members of the shown run a restart interrupted (the root is the chat turn, resumed with them).</summary>
    public IReadOnlyList<RunTreeNode> Interrupted { get; private set; } = [];

    public bool Loaded { get; private set; }

    public string? LoadError { get; private set; }

    public PanelStateKind State => LoadError is not null ? PanelStateKind.Error : !Loaded ? PanelStateKind.Loading : PanelStateKind.Ready;

    public string? StateMessage => State switch
    {
        PanelStateKind.Error => LoadError,
        PanelStateKind.Loading => "Loading teams…",
        _ => null,
    };

    public string? Badge => Loaded ? $"{Teams.Count} {(Teams.Count == 1 ? "team" : "teams")} · {Profiles.Count} profiles" : null;

    /// <summary>Whether the shown run is still going: its members write text and tokens without a lifecycle change, so it is re-read.</summary>
    public bool TreeIsLive => Tree?.SelfAndDescendants().Any(n => n.Status is "Running" or "Queued" or "Created") == true;

    public int TreeRunning => Tree?.SelfAndDescendants().Count(n => n.Status is "Running" or "Queued") ?? 0;

    /// <summary>Whether a change from the feed can alter the runs shown: a member task, or the shown run's root.</summary>
    public bool Concerns(ExecutionChange change) => change.Execution.Intent is RunTeamTaskIntent.Name || change.Execution.Id == SelectedRun;

    /// <summary>Reads the profiles, the teams and the runs; a failure becomes <see cref="LoadError"/> (a cancellation is thrown).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            Profiles = await catalog.ProfilesAsync(TenantId, cancellationToken);
            Teams = await catalog.TeamsAsync(TenantId, cancellationToken);
            await LoadRunsAsync(cancellationToken);
            LoadError = null;
            Loaded = true;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Loading the Team panel failed");
            LoadError = $"The teams could not be loaded: {ex.Message}";
        }
    }

    /// <summary>Reads the runs and the shown run's tree again; a failure is logged and the last read stays (a cancellation is thrown).</summary>
    public async Task RefreshRunsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await LoadRunsAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Refreshing the team run failed");
        }
    }

    /// <summary>Shows the run the person picked (kept while it is among the recent ones).</summary>
    public Task SelectRunAsync(Guid rootExecutionId, CancellationToken cancellationToken)
    {
        SelectedRun = rootExecutionId;
        runPicked = true;
        return RefreshRunsAsync(cancellationToken);
    }

    public string RunLabel(TeamRunSummary run) =>
        $"{run.StartedAt.ToLocalTime():MMM d, HH:mm:ss} · {run.Tasks} {(run.Tasks == 1 ? "task" : "tasks")} · {TeamName(run.TeamId)}";

    public string TeamName(string id) => Teams.FirstOrDefault(t => string.Equals(t.Value.Id, id, StringComparison.OrdinalIgnoreCase))?.Value.Name ?? id;

    public string ProfileName(string id) => Profiles.FirstOrDefault(p => string.Equals(p.Value.Id, id, StringComparison.OrdinalIgnoreCase))?.Value.Name ?? id;

    /// <summary>
    /// The agent of a node in words. A member's task carries its name; the root (the chat turn) only knows its session's
    /// profile id, named here from the profiles.
    /// </summary>
    public string AgentName(RunTreeNode node) =>
        node.TaskId is null && node.Agent is { } profile ? ProfileName(profile) : node.AgentName ?? node.Agent ?? "agent";

    /// <summary>The title of a node's trace dialog: who ran and what, in words.</summary>
    public string TraceTitle(RunTreeNode node) => $"{AgentName(node)} · {RunFormat.Intent(node.Intent)}";

    /// <summary>A new team, coordinated by the first profile.</summary>
    public TeamOptions NewTeam() => new() { Coordinator = Profiles.FirstOrDefault()?.Value.Id ?? "" };

    /// <summary>What a profile may be given: the tenant's tools (ask_agent is the team's, not a profile's) and every listed model.</summary>
    public async Task<(IReadOnlyList<string> Tools, IReadOnlyList<string> Models)> ProfileChoicesAsync(CancellationToken cancellationToken)
    {
        var names = (await tools.GetToolsAsync(TenantId, cancellationToken)).Tools.Select(t => t.Spec.Name).Where(n => n != AskAgentToolSource.ToolName).Order().ToList();
        var models = providers.Providers.SelectMany(p => p.Models.Select(m => $"{p.Name}/{m.Id}")).ToList();
        return (names, models);
    }

    private async Task LoadRunsAsync(CancellationToken cancellationToken)
    {
        Runs = await queries.RecentExecutionsAsync(TenantId, 20, cancellationToken);
        if (!runPicked || SelectedRun is null || Runs.All(r => r.RootExecutionId != SelectedRun))
        {
            SelectedRun = Runs.FirstOrDefault()?.RootExecutionId;
        }

        Tree = SelectedRun is { } id ? await queries.TreeAsync(TenantId, id, cancellationToken) : null;
        Interrupted = Tree?.SelfAndDescendants().Where(n => n.Depth > 0 && n.Status == "Interrupted").ToList() ?? [];
    }
}
