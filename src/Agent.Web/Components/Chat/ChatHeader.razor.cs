using System.Globalization;
using Agent.Domain.Providers;
using Agent.Domain.Sessions;
using Agent.Domain.Tools;
using Agent.Web.Components.Dialogs;
using Agent.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace Agent.Web.Components.Chat;

/// <summary>
/// The chat's header: the title (rename in place), checkpoints and session actions, the model chip with its picker,
/// and the folded chat options (agent, team, tool-call mode, the chat's own instructions) beside the context gauge.
/// </summary>
public sealed partial class ChatHeader : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private IDisposable? sessionSubscription;
    private bool renaming;
    private bool optionsOpen;
    private string newTitle = "";

    [Parameter, EditorRequired]
    public required ChatSessionViewModel Model { get; set; }

    /// <summary>Raised after the session's model, agent, team, tool-call mode or record changed: the rest of the chat shows them too.</summary>
    [Parameter]
    public EventCallback Changed { get; set; }

    [Inject]
    public required ActionRunner Actions { get; init; }

    [Inject]
    public required SessionCommands Commands { get; init; }

    [Inject]
    public required LiveUpdates Live { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    protected override void OnInitialized()
    {
        var session = Model.Session!;
        sessionSubscription = Live.Subscribe(LiveTopics.Sessions, session.TenantId, TimeSpan.FromMilliseconds(200), _ => InvokeAsync(OnSessionRecordChangedAsync),
            change => change.SessionId is null || change.SessionId == session.Id);
    }

    /// <summary>The model chip: provider and model, and "deterministic" once, here, rather than on every reply.</summary>
    private string ModelLabel(ChatSession session) =>
        $"{session.ProviderName} · {session.ModelId}" + (Model.IsDeterministic && !session.ProviderName.Contains("deterministic", StringComparison.OrdinalIgnoreCase) ? " · deterministic" : "");

    private static string ProviderHeading(ModelChoice choice) => choice.State switch
    {
        ProviderState.Blocked => $"{choice.ProviderName} (blocked: no key)",
        ProviderState.Deterministic => $"{choice.ProviderName} (deterministic replies)",
        _ => choice.ProviderName,
    };

    /// <summary>What the options button says while they are folded away: the agent, team, tool-call mode and the chat's own settings.</summary>
    private string OptionsSummary(ChatSession session)
    {
        var agent = Model.Profiles.FirstOrDefault(p => p.Id == session.AgentProfileId)?.Name ?? "Default agent";
        var team = Model.Teams.FirstOrDefault(t => t.Id == Model.TeamId)?.Name;
        var mode = Model.ToolMode switch
        {
            SessionToolMode.Manual => "ask for every call",
            SessionToolMode.AskForWrites => "ask for writes",
            _ => "autonomous",
        };
        var parts = new List<string> { agent };
        if (team is not null)
        {
            parts.Add(team);
        }

        parts.Add(mode);
        if (Model.Settings.SystemPrompt is not null)
        {
            parts.Add("own instructions");
        }

        if (Model.Settings.Temperature is { } temperature)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"temperature {temperature:0.0}"));
        }

        return string.Join(" · ", parts);
    }

    private Task ChangeModelAsync(string key) => ChangeAsync(() => Model.ChangeModelAsync(key, disposed.Token));

    private Task ChangeProfileAsync(string profileId) => ChangeAsync(() => Model.ChangeProfileAsync(profileId, disposed.Token));

    private Task ChangeTeamAsync(string teamId) => ChangeAsync(() => Model.ChangeTeamAsync(teamId, disposed.Token));

    private Task ChangeToolModeAsync(SessionToolMode mode) => ChangeAsync(() => Model.ChangeToolModeAsync(mode, disposed.Token));

    private async Task<bool> SaveSettingsAsync(ChatSettings settings)
    {
        var saved = await Actions.RunAsync(() => Model.SaveSettingsAsync(settings, disposed.Token));
        await Changed.InvokeAsync();
        return saved;
    }

    private async Task ChangeAsync(Func<Task> change)
    {
        await Actions.RunAsync(change);
        await Changed.InvokeAsync();
    }

    private async Task OpenCheckpointsAsync()
    {
        var parameters = new DialogParameters<CheckpointsDialog> { { d => d.SessionId, Model.Session!.Id } };
        var options = new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseButton = true, CloseOnEscapeKey = true };
        var dialog = await Dialogs.ShowAsync<CheckpointsDialog>("Checkpoints", parameters, options);
        await dialog.Result;
        if (!disposed.IsCancellationRequested)
        {
            await Model.RefreshContextAsync(disposed.Token);
        }
    }

    private void StartRename()
    {
        newTitle = Model.Session?.Title ?? "";
        renaming = true;
    }

    private async Task RenameAsync()
    {
        if (await Actions.RunAsync(() => Model.RenameAsync(newTitle, disposed.Token)))
        {
            renaming = false;
            await Changed.InvokeAsync();
        }
    }

    private async Task RenameKeyAsync(KeyboardEventArgs e)
    {
        if (e.Key == "Enter")
        {
            await RenameAsync();
        }
        else if (e.Key == "Escape")
        {
            renaming = false;
        }
    }

    private Task DeleteAsync() => Commands.MoveToTrashAsync(Model.Session!.Id, disposed.Token);

    /// <summary>This session was renamed, pinned or changed elsewhere (the sidebar, another tab): the header shows its current record.</summary>
    private async Task OnSessionRecordChangedAsync()
    {
        if (!disposed.IsCancellationRequested && !renaming)
        {
            await Model.RefreshSessionAsync(disposed.Token);
            StateHasChanged();
            await Changed.InvokeAsync();
        }
    }

    public void Dispose()
    {
        sessionSubscription?.Dispose();
        disposed.Cancel();
        disposed.Dispose();
    }
}
