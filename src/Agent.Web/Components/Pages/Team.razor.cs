using Agent.Domain.Configuration;
using Agent.Runtime.Runtime;
using Agent.Runtime.Services;
using Agent.Runtime.Teams;
using Agent.Runtime.Tools;
using Agent.Web.Components.Dialogs;
using Agent.Web.Components.Shared;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace Agent.Web.Components.Pages;

/// <summary>
/// The team workbench: the live tree of the current team run (status, tokens, cost, duration; stop a branch, open a
/// member's messages, resume after a restart), the teams and the agent profiles with their edit dialogs. The tree
/// follows the <see cref="ExecutionFeed"/> (throttled) and re-reads every second while something runs.
/// </summary>
public sealed partial class Team : IAsyncDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private IReadOnlyList<CatalogEntry<AgentProfileOptions>> profiles = [];
    private IReadOnlyList<CatalogEntry<TeamOptions>> teams = [];
    private IReadOnlyList<TeamRunSummary> runs = [];
    private Guid? selectedRun;
    private bool runPicked;
    private RunTreeNode? tree;
    private List<RunTreeNode> interrupted = [];
    private bool loaded;
    private string? loadError;
    private IDisposable? feedSubscription;
    private IDisposable? catalogSubscription;
    private RefreshThrottle? throttle;
    private ITimer? ticker;

    [Inject]
    public required ICurrentTenant Tenant { get; init; }

    [Inject]
    public required TeamCatalog Catalog { get; init; }

    [Inject]
    public required TeamRunQueries Queries { get; init; }

    [Inject]
    public required TeamTaskService Runs { get; init; }

    [Inject]
    public required TeamRecovery Recovery { get; init; }

    [Inject]
    public required ExecutionFeed Feed { get; init; }

    [Inject]
    public required ProviderCatalog Providers { get; init; }

    [Inject]
    public required ToolRegistry Tools { get; init; }

    [Inject]
    public required ActionRunner Actions { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required IOptions<AgentOptions> Options { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required ILogger<Team> Logger { get; init; }

    private string Currency => Options.Value.Telemetry.Currency;

    private PanelStateKind State => loadError is not null ? PanelStateKind.Error : !loaded ? PanelStateKind.Loading : PanelStateKind.Ready;

    private string? StateMessage => State switch
    {
        PanelStateKind.Error => loadError,
        PanelStateKind.Loading => "Loading teams…",
        _ => null,
    };

    private string? Badge => loaded ? $"{teams.Count} {(teams.Count == 1 ? "team" : "teams")} · {profiles.Count} profiles" : null;

    protected override async Task OnInitializedAsync()
    {
        throttle = new RefreshThrottle(() => InvokeAsync(RefreshRunsAsync), TimeSpan.FromMilliseconds(250));
        feedSubscription = Feed.Subscribe(change =>
        {
            if (change.Execution.Intent is RunTeamTaskIntent.Name || change.Execution.Id == selectedRun)
            {
                throttle.Request();
            }
        });
        catalogSubscription = Catalog.Subscribe(() => _ = InvokeAsync(ReloadAsync));

        // Members write their text and tokens without a lifecycle change: re-read while the shown run is live.
        ticker = Time.CreateTimer(_ =>
        {
            if (tree?.SelfAndDescendants().Any(n => n.Status is "Running" or "Queued" or "Created") == true)
            {
                throttle.Request();
            }
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        await ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        try
        {
            profiles = await Catalog.ProfilesAsync(Tenant.TenantId, disposed.Token);
            teams = await Catalog.TeamsAsync(Tenant.TenantId, disposed.Token);
            await LoadRunsAsync();
            loadError = null;
            loaded = true;
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception ex)
        {
            Logger.LogError(ex, "Loading the Team panel failed");
            loadError = $"The teams could not be loaded: {ex.Message}";
        }

        StateHasChanged();
    }

    private async Task RefreshRunsAsync()
    {
        try
        {
            await LoadRunsAsync();
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception ex)
        {
            Logger.LogWarning(ex, "Refreshing the team run failed");
        }

        StateHasChanged();
    }

    private async Task LoadRunsAsync()
    {
        runs = await Queries.RecentExecutionsAsync(Tenant.TenantId, 20, disposed.Token);

        // The current run is the newest one until the person picks another.
        if (!runPicked || selectedRun is null || runs.All(r => r.RootExecutionId != selectedRun))
        {
            selectedRun = runs.FirstOrDefault()?.RootExecutionId;
        }

        tree = selectedRun is { } id ? await Queries.TreeAsync(Tenant.TenantId, id, disposed.Token) : null;
        interrupted = tree?.SelfAndDescendants().Where(n => n.Depth > 0 && n.Status == "Interrupted").ToList() ?? [];
    }

    private async Task SelectRunAsync(Guid id)
    {
        selectedRun = id;
        runPicked = true;
        await RefreshRunsAsync();
    }

    private string RunLabel(TeamRunSummary run) =>
        $"{run.StartedAt.ToLocalTime():MMM d, HH:mm:ss} · {run.Tasks} {(run.Tasks == 1 ? "task" : "tasks")} · {TeamName(run.TeamId)}";

    private string TeamName(string id) => teams.FirstOrDefault(t => string.Equals(t.Value.Id, id, StringComparison.OrdinalIgnoreCase))?.Value.Name ?? id;

    private string ProfileName(string id) => profiles.FirstOrDefault(p => string.Equals(p.Value.Id, id, StringComparison.OrdinalIgnoreCase))?.Value.Name ?? id;

    private Task StopBranchAsync(RunTreeNode node) => Actions.RunAsync(
        async () =>
        {
            await Runs.StopBranchAsync(Tenant.TenantId, node.Id, disposed.Token);
            throttle?.Request();
        },
        $"Stopping {node.AgentName} and what it started.");

    private Task ResumeAsync() => Actions.RunAsync(
        async () =>
        {
            await Recovery.ResumeAsync(Tenant.TenantId, selectedRun!.Value, disposed.Token);
            throttle?.Request();
        },
        "Resuming the interrupted members; the coordinator goes on when they answer.");

    private Task OpenMemberAsync(Guid taskId)
    {
        var parameters = new DialogParameters<MemberMessagesDialog> { { d => d.TaskId, taskId }, { d => d.TenantId, Tenant.TenantId } };
        return Dialogs.ShowAsync<MemberMessagesDialog>("Member messages", parameters, new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseButton = true, CloseOnEscapeKey = true });
    }

    private Task AddProfileAsync() => ShowProfileDialogAsync(new AgentProfileOptions(), isNew: true);

    private Task EditProfileAsync(AgentProfileOptions profile) => ShowProfileDialogAsync(profile.Copy(), isNew: false);

    private async Task ShowProfileDialogAsync(AgentProfileOptions profile, bool isNew)
    {
        var tools = (await Tools.GetToolsAsync(Tenant.TenantId, disposed.Token)).Tools.Select(t => t.Spec.Name).Where(n => n != AskAgentToolSource.ToolName).Order().ToList();
        var models = Providers.Providers.SelectMany(p => p.Models.Select(m => $"{p.Name}/{m.Id}")).ToList();
        var parameters = new DialogParameters<ProfileDialog>
        {
            { d => d.Profile, profile },
            { d => d.IsNew, isNew },
            { d => d.TenantId, Tenant.TenantId },
            { d => d.Tools, tools },
            { d => d.Models, models },
        };
        await Dialogs.ShowAsync<ProfileDialog>(isNew ? "Add agent profile" : $"Edit {profile.Name}", parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseButton = true, CloseOnEscapeKey = true });
    }

    private Task AddTeamAsync() => ShowTeamDialogAsync(new TeamOptions { Coordinator = profiles.FirstOrDefault()?.Value.Id ?? "" }, isNew: true);

    private Task EditTeamAsync(TeamOptions team) => ShowTeamDialogAsync(team.Copy(), isNew: false);

    private async Task ShowTeamDialogAsync(TeamOptions team, bool isNew)
    {
        var parameters = new DialogParameters<TeamDialog>
        {
            { d => d.Team, team },
            { d => d.IsNew, isNew },
            { d => d.TenantId, Tenant.TenantId },
            { d => d.Profiles, profiles.Select(p => p.Value).ToList() },
        };
        await Dialogs.ShowAsync<TeamDialog>(isNew ? "Add team" : $"Edit {team.Name}", parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseButton = true, CloseOnEscapeKey = true });
    }

    private Task ResetProfileAsync(CatalogEntry<AgentProfileOptions> entry) => Actions.RunAsync(
        () => ResetOrExplainAsync(() => Catalog.ResetProfileAsync(Tenant.TenantId, entry.Value.Id, disposed.Token)),
        entry.FromFile ? $"{entry.Value.Name} is back to the file's default." : $"{entry.Value.Name} was removed.",
        new Confirmation(entry.FromFile ? "Reset profile" : "Remove profile", entry.FromFile ? $"Drop your edits of {entry.Value.Name} and use appsettings.json's version?" : $"Remove the profile {entry.Value.Name}?", entry.FromFile ? "Reset" : "Remove"));

    private Task ResetTeamAsync(CatalogEntry<TeamOptions> entry) => Actions.RunAsync(
        () => ResetOrExplainAsync(() => Catalog.ResetTeamAsync(Tenant.TenantId, entry.Value.Id, disposed.Token)),
        entry.FromFile ? $"{entry.Value.Name} is back to the file's default." : $"{entry.Value.Name} was removed.",
        new Confirmation(entry.FromFile ? "Reset team" : "Remove team", entry.FromFile ? $"Drop your edits of {entry.Value.Name} and use appsettings.json's version?" : $"Remove the team {entry.Value.Name}?", entry.FromFile ? "Reset" : "Remove"));

    private static async Task ResetOrExplainAsync(Func<Task<bool>> reset)
    {
        try
        {
            await reset();
        }
        catch (TeamConfigException ex)
        {
            throw new InvalidOperationException($"Not reset: {string.Join(" ", ex.Errors.Select(e => $"{e.Key} {e.Problem}"))}", ex);
        }
    }

    public ValueTask DisposeAsync()
    {
        feedSubscription?.Dispose();
        catalogSubscription?.Dispose();
        ticker?.Dispose();
        throttle?.Dispose();
        disposed.Cancel();
        disposed.Dispose();
        return ValueTask.CompletedTask;
    }
}
