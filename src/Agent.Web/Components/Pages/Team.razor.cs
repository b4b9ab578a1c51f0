using Agent.Domain.Configuration;
using Agent.Runtime.Services;
using Agent.Runtime.Teams;
using Agent.Web.Components.Dialogs;
using Agent.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Agent.Web.Components.Pages;

/// <summary>
/// The team workbench: the live tree of the current team run (status, tokens, cost, duration; stop a branch, open a
/// member's messages or an execution's trace, resume after a restart), the teams and the agent profiles with their edit
/// dialogs. The logic is in <see cref="TeamViewModel"/>; this component follows the tenant's executions through
/// <see cref="LiveUpdates"/> and re-reads every second while something runs, and wires the commands and dialogs.
/// </summary>
public sealed partial class Team : IAsyncDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private IDisposable? feedSubscription;
    private IDisposable? catalogSubscription;
    private ITimer? ticker;

    [Inject]
    public required TeamViewModel Model { get; init; }

    [Inject]
    public required TeamCatalog Catalog { get; init; }

    [Inject]
    public required TeamTaskService Runs { get; init; }

    [Inject]
    public required TeamRecovery Recovery { get; init; }

    [Inject]
    public required LiveUpdates Live { get; init; }

    [Inject]
    public required ActionRunner Actions { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    protected override async Task OnInitializedAsync()
    {
        feedSubscription = Live.Subscribe(LiveTopics.Executions, Model.TenantId, TimeSpan.FromMilliseconds(250), _ => InvokeAsync(RefreshRunsAsync), Model.Concerns);
        catalogSubscription = Catalog.Subscribe(() => _ = InvokeAsync(ReloadAsync));
        ticker = Time.CreateTimer(_ =>
        {
            if (Model.TreeIsLive)
            {
                _ = InvokeAsync(RefreshRunsAsync);
            }
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        await ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        try
        {
            await Model.LoadAsync(disposed.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        StateHasChanged();
    }

    private async Task RefreshRunsAsync()
    {
        try
        {
            await Model.RefreshRunsAsync(disposed.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        StateHasChanged();
    }

    private async Task SelectRunAsync(Guid id)
    {
        try
        {
            await Model.SelectRunAsync(id, disposed.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        StateHasChanged();
    }

    private Task StopBranchAsync(RunTreeNode node) => Actions.RunAsync(
        async () =>
        {
            await Runs.StopBranchAsync(Model.TenantId, node.Id, disposed.Token);
            await RefreshRunsAsync();
        },
        $"Stopping {node.AgentName} and what it started.");

    private Task ResumeAsync() => Actions.RunAsync(
        async () =>
        {
            await Recovery.ResumeAsync(Model.TenantId, Model.SelectedRun!.Value, disposed.Token);
            await RefreshRunsAsync();
        },
        "Resuming the interrupted members; the coordinator goes on when they answer.");

    private Task OpenMemberAsync(Guid taskId)
    {
        var parameters = new DialogParameters<MemberMessagesDialog> { { d => d.TaskId, taskId }, { d => d.TenantId, Model.TenantId } };
        return Dialogs.ShowAsync<MemberMessagesDialog>("Member messages", parameters, new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseButton = true, CloseOnEscapeKey = true });
    }

    /// <summary>The execution's trace in the dialog the Runs page opens.</summary>
    private Task OpenTraceAsync(RunTreeNode node)
    {
        var parameters = new DialogParameters<RunDetailDialog> { { d => d.ExecutionId, node.Id }, { d => d.TenantId, Model.TenantId } };
        var options = new DialogOptions { MaxWidth = MaxWidth.Large, FullWidth = true, CloseButton = true, CloseOnEscapeKey = true };
        return Dialogs.ShowAsync<RunDetailDialog>(Model.TraceTitle(node), parameters, options);
    }

    private Task AddProfileAsync() => ShowProfileDialogAsync(new AgentProfileOptions(), isNew: true);

    private Task EditProfileAsync(AgentProfileOptions profile) => ShowProfileDialogAsync(profile.Copy(), isNew: false);

    private async Task ShowProfileDialogAsync(AgentProfileOptions profile, bool isNew)
    {
        var (tools, models) = await Model.ProfileChoicesAsync(disposed.Token);
        var parameters = new DialogParameters<ProfileDialog>
        {
            { d => d.Profile, profile },
            { d => d.IsNew, isNew },
            { d => d.TenantId, Model.TenantId },
            { d => d.Tools, tools },
            { d => d.Models, models },
        };
        await Dialogs.ShowAsync<ProfileDialog>(isNew ? "Add agent profile" : $"Edit {profile.Name}", parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseButton = true, CloseOnEscapeKey = true });
    }

    private Task AddTeamAsync() => ShowTeamDialogAsync(Model.NewTeam(), isNew: true);

    private Task EditTeamAsync(TeamOptions team) => ShowTeamDialogAsync(team.Copy(), isNew: false);

    private async Task ShowTeamDialogAsync(TeamOptions team, bool isNew)
    {
        var parameters = new DialogParameters<TeamDialog>
        {
            { d => d.Team, team },
            { d => d.IsNew, isNew },
            { d => d.TenantId, Model.TenantId },
            { d => d.Profiles, Model.Profiles.Select(p => p.Value).ToList() },
        };
        await Dialogs.ShowAsync<TeamDialog>(isNew ? "Add team" : $"Edit {team.Name}", parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseButton = true, CloseOnEscapeKey = true });
    }

    private Task ResetProfileAsync(CatalogEntry<AgentProfileOptions> entry) => Actions.RunAsync(
        () => ResetOrExplainAsync(() => Catalog.ResetProfileAsync(Model.TenantId, entry.Value.Id, disposed.Token)),
        entry.FromFile ? $"{entry.Value.Name} is back to the file's default." : $"{entry.Value.Name} was removed.",
        new Confirmation(entry.FromFile ? "Reset profile" : "Remove profile", entry.FromFile ? $"Drop your edits of {entry.Value.Name} and use appsettings.json's version?" : $"Remove the profile {entry.Value.Name}?", entry.FromFile ? "Reset" : "Remove"));

    private Task ResetTeamAsync(CatalogEntry<TeamOptions> entry) => Actions.RunAsync(
        () => ResetOrExplainAsync(() => Catalog.ResetTeamAsync(Model.TenantId, entry.Value.Id, disposed.Token)),
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
        disposed.Cancel();
        disposed.Dispose();
        return ValueTask.CompletedTask;
    }
}
