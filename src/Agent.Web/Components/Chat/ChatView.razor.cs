using System.Globalization;
using Agent.Domain.Providers;
using Agent.Domain.Sessions;
using Agent.Domain.Tools;
using Agent.Runtime.Chat;
using Agent.Runtime.Clients.Voice;
using Agent.Runtime.Services;
using Agent.Runtime.Tools;
using Agent.Web.Components.Dialogs;
using Agent.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using MudBlazor;

namespace Agent.Web.Components.Chat;

/// <summary>One open session: header with its controls, the transcript (newest page first, older pages on scroll) and the composer.</summary>
public sealed partial class ChatView : IAsyncDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private DotNetObjectReference<ChatView>? selfReference;
    private IJSObjectReference? module;
    private ElementReference composer;
    private ComposerAttachments? attachments;
    private ElementReference transcript;
    private bool attached;
    private SessionMessage? editing;
    private string? budgetRefusal;
    private bool renaming;
    private bool optionsOpen;
    private string newTitle = "";
    private MicState mic;

    private enum MicState
    {
        Idle,
        Recording,
        Transcribing,
    }

    [Parameter, EditorRequired]
    public required ChatSession Session { get; set; }

    [Inject]
    public required ChatSessionViewModel Model { get; init; }

    [Inject]
    public required ChatCoordinator Chat { get; init; }

    [Inject]
    public required ToolApprovalService ToolApprovals { get; init; }

    [Inject]
    public required ActionRunner Actions { get; init; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Inject]
    public required SessionCommands Commands { get; init; }

    [Inject]
    public required SessionService Sessions { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required ISpeechToText Stt { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    private string StateName => !Model.Loaded ? "loading" : Model.Visible.Count == 0 ? "empty" : "ready";

    private string MicTooltip => mic switch
    {
        MicState.Recording => "Stop and put the transcript in the message box",
        MicState.Transcribing => "Transcribing…",
        _ => "Record a voice message (the transcript goes into the message box; Enter sends it)",
    };

    private string DraftKey => $"agent-draft:{Session.Id}";

    protected override async Task OnInitializedAsync()
    {
        Chat.SessionChanged += OnSessionChanged;
        ToolApprovals.Changed += OnApprovalChanged;
        Sessions.Changed += OnSessionRecordChanged;

        // The transcript is read by the interactive render only; the prerendered page shows "loading".
        if (RendererInfo.IsInteractive)
        {
            await Model.LoadAsync(Session, disposed.Token);

            // The gauge reads the whole branch: measured after the transcript shows, never before it.
            _ = InvokeAsync(async () =>
            {
                await Actions.RunAsync(() => Model.RefreshContextAsync(disposed.Token));
                StateHasChanged();
            });
        }
        else
        {
            Model.Show(Session);
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (attached || !RendererInfo.IsInteractive)
        {
            return;
        }

        attached = true;
        selfReference = DotNetObjectReference.Create(this);
        module = await JS.InvokeAsync<IJSObjectReference>("import", disposed.Token, "./Components/Chat/ChatView.razor.js");
        // The transcript first: the composer marks the chat ready, and by then scrolling up already loads older messages.
        await module.InvokeVoidAsync("attachTranscript", disposed.Token, transcript, selfReference);
        await module.InvokeVoidAsync("attachComposer", disposed.Token, composer, selfReference, DraftKey);

        // After the page is interactive, so a slow or dead model server never holds up the chat.
        try
        {
            await Model.LoadListedModelsAsync(disposed.Token);
        }
        catch (OperationCanceledException) when (disposed.IsCancellationRequested)
        {
            return;
        }

        StateHasChanged();
    }

    [JSInvokable]
    public Task SendFromKeyboard(string text) => InvokeAsync(() => SendAsync(text));

    [JSInvokable]
    public Task StopFromKeyboard() => InvokeAsync(StopAsync);

    [JSInvokable]
    public Task EditLastFromKeyboard() => InvokeAsync(async () =>
    {
        if (Model.LastUserMessage is { } last && !Model.IsStreaming)
        {
            await EditAsync(last);
        }
    });

    /// <summary>Called when the top of the transcript scrolls into view; false when there is nothing older.</summary>
    [JSInvokable]
    public async Task<bool> LoadOlderFromScroll()
    {
        var more = false;
        await InvokeAsync(async () =>
        {
            more = await Model.ShowOlderAsync(disposed.Token);
            StateHasChanged();
        });
        return more;
    }

    private async Task LoadOlder()
    {
        if (module is not null)
        {
            await module.InvokeVoidAsync("keepScrollPosition", disposed.Token, transcript);
        }

        await Model.ShowOlderAsync(disposed.Token);
    }

    private Task OpenAttachPickerAsync() => attachments?.OpenPickerAsync() ?? Task.CompletedTask;

    private async Task SendFromButtonAsync()
    {
        if (module is null)
        {
            return;
        }

        var text = await module.InvokeAsync<string>("takeDraft", disposed.Token, composer, DraftKey);
        await SendAsync(text);
    }

    private async Task SendAsync(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        var editOf = editing?.Id;
        if (attachments?.Busy == true)
        {
            Snackbar.Add("A file is still being read; send when its chip says ready (or remove it).", Severity.Warning);
            if (module is not null)
            {
                await module.InvokeVoidAsync("setDraft", disposed.Token, composer, DraftKey, text);
            }

            return;
        }

        var attached = attachments?.ReadyIds ?? [];
        budgetRefusal = null;
        if (await Actions.RunAsync(() => SendOrNoteBudgetAsync(text, editOf, attached)) && budgetRefusal is null)
        {
            editing = null;
            attachments?.ClearSent();
        }
        else if (module is not null)
        {
            // Nothing typed is lost: a refused send puts the text back.
            await module.InvokeVoidAsync("setDraft", disposed.Token, composer, DraftKey, text);
        }

        if (budgetRefusal is not null)
        {
            StateHasChanged(); // a send from the keyboard arrives through JS interop, which renders nothing by itself
        }
    }

    private async Task SendOrNoteBudgetAsync(string text, Guid? editOf, IReadOnlyList<Guid> attached)
    {
        try
        {
            await Model.SendAsync(text, editOf, attached, disposed.Token);
        }
        catch (BudgetExceededException ex)
        {
            budgetRefusal = ex.Message; // shown in the chat above the composer, not as a passing snackbar
        }
    }

    /// <summary>First click records; the second stops, transcribes and puts the text into the composer. Nothing is sent.</summary>
    private async Task ToggleRecordingAsync()
    {
        if (module is null || mic == MicState.Transcribing)
        {
            return;
        }

        if (mic == MicState.Idle)
        {
            var started = await module.InvokeAsync<VoiceResult>("startRecording", disposed.Token, composer);
            if (started.Ok)
            {
                mic = MicState.Recording;
            }
            else
            {
                Snackbar.Add(started.Describe(), Severity.Warning);
            }

            return;
        }

        mic = MicState.Transcribing;
        StateHasChanged();
        try
        {
            var result = await module.InvokeAsync<VoiceResult>("stopAndTranscribe", disposed.Token, composer, DraftKey);
            if (!result.Ok)
            {
                Snackbar.Add(result.Describe(), Severity.Warning);
            }
            else if (string.IsNullOrWhiteSpace(result.Text))
            {
                Snackbar.Add("No speech was recognised in the recording.", Severity.Info);
            }
        }
        finally
        {
            mic = MicState.Idle;
        }
    }

    private Task StopAsync() => Actions.RunAsync(() => Model.StopAsync(disposed.Token));

    private Task RegenerateAsync(Guid messageId) => Actions.RunAsync(() => Model.RegenerateAsync(messageId, disposed.Token));

    private Task ContinueAsync(Guid messageId) => Actions.RunAsync(() => Model.ContinueAsync(messageId, disposed.Token));

    private Task SwitchBranchAsync(Guid messageId) => Actions.RunAsync(() => Model.SwitchBranchAsync(messageId, disposed.Token));

    private Task ApproveAsync((Guid RequestId, bool ForSession) decision) =>
        Actions.RunAsync(() => Model.ApproveAsync(decision.RequestId, decision.ForSession, disposed.Token));

    private Task DenyAsync((Guid RequestId, string? Reason) decision) =>
        Actions.RunAsync(() => Model.DenyAsync(decision.RequestId, decision.Reason, disposed.Token));

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

    private Task ChangeModelAsync(string key) => Actions.RunAsync(() => Model.ChangeModelAsync(key, disposed.Token));

    private Task ChangeProfileAsync(string profileId) => Actions.RunAsync(() => Model.ChangeProfileAsync(profileId, disposed.Token));

    private Task ChangeTeamAsync(string teamId) => Actions.RunAsync(() => Model.ChangeTeamAsync(teamId, disposed.Token));

    private Task ChangeToolModeAsync(SessionToolMode mode) => Actions.RunAsync(() => Model.ChangeToolModeAsync(mode, disposed.Token));

    private Task<bool> SaveSettingsAsync(ChatSettings settings) => Actions.RunAsync(() => Model.SaveSettingsAsync(settings, disposed.Token));

    private async Task EditAsync(SessionMessage message)
    {
        editing = message;
        if (module is not null)
        {
            await module.InvokeVoidAsync("setDraft", disposed.Token, composer, DraftKey, message.Text);
        }
    }

    private void CancelEdit() => editing = null;

    private async Task OpenCheckpointsAsync()
    {
        var parameters = new DialogParameters<CheckpointsDialog> { { d => d.SessionId, Session.Id } };
        var options = new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseButton = true, CloseOnEscapeKey = true };
        var dialog = await Dialogs.ShowAsync<CheckpointsDialog>("Checkpoints", parameters, options);
        await dialog.Result;
        if (!disposed.IsCancellationRequested)
        {
            await Model.RefreshContextAsync(disposed.Token);
        }
    }

    private Task OpenSummaryAsync(Checkpoint checkpoint)
    {
        var parameters = new DialogParameters<SummaryDialog> { { d => d.Checkpoint, checkpoint } };
        var options = new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseButton = true, CloseOnEscapeKey = true };
        return Dialogs.ShowAsync<SummaryDialog>("Compaction summary", parameters, options);
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

    private Task DeleteAsync() => Commands.MoveToTrashAsync(Session.Id, disposed.Token);

    /// <summary>A session was renamed, pinned or moved elsewhere (the sidebar): the header shows this one's current title.</summary>
    private void OnSessionRecordChanged() => _ = InvokeAsync(async () =>
    {
        if (!disposed.IsCancellationRequested && !renaming)
        {
            await Model.RefreshSessionAsync(disposed.Token);
            StateHasChanged();
        }
    });

    /// <summary>Applies a change pushed by the coordinator in memory: no database read on the streaming path.</summary>
    private void OnSessionChanged(SessionChange change)
    {
        if (change.SessionId != Session.Id)
        {
            return;
        }

        _ = InvokeAsync(async () =>
        {
            var moved = Model.Apply(change);
            if (moved)
            {
                await Model.ReloadAsync(CancellationToken.None);
            }

            if (change.TurnEnded && !disposed.IsCancellationRequested)
            {
                // A finished turn may have given the session its title.
                await Model.RefreshSessionAsync(CancellationToken.None);
            }

            if ((moved && !Model.IsStreaming) || change.TurnEnded)
            {
                // The next request changed: measure it again, and pick up a compaction the turn made.
                StateHasChanged();
                await Actions.RunAsync(() => Model.RefreshContextAsync(disposed.Token));
            }

            StateHasChanged();
        });
    }

    private void OnApprovalChanged(ToolApprovalRequest request)
    {
        if (request.SessionId != Session.Id)
        {
            return;
        }

        _ = InvokeAsync(async () =>
        {
            await Model.LoadApprovalsAsync(disposed.Token);
            StateHasChanged();
        });
    }

    public async ValueTask DisposeAsync()
    {
        Chat.SessionChanged -= OnSessionChanged;
        ToolApprovals.Changed -= OnApprovalChanged;
        Sessions.Changed -= OnSessionRecordChanged;
        await disposed.CancelAsync();
        if (module is not null)
        {
            try
            {
                await module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The browser is gone; nothing to release there.
            }
        }

        disposed.Dispose();
        selfReference?.Dispose();
    }
}
