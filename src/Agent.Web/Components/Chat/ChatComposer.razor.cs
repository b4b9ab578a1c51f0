using Agent.Domain.Sessions;
using Agent.Runtime.Clients.Voice;
using Agent.Runtime.Services;
using Agent.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace Agent.Web.Components.Chat;

/// <summary>
/// The chat's composer: the message box (keys, growth and the saved draft live in the browser), attachments, voice
/// input, send and stop, the note while a message is being edited, and a budget refusal that stays until closed.
/// </summary>
public sealed partial class ChatComposer : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private DotNetObjectReference<ChatComposer>? selfReference;
    private IJSObjectReference? module;
    private ElementReference composer;
    private ComposerAttachments? attachments;
    private SessionMessage? editing;
    private string? budgetRefusal;
    private MicState mic;

    private enum MicState
    {
        Idle,
        Recording,
        Transcribing,
    }

    [Parameter, EditorRequired]
    public required ChatSessionViewModel Model { get; set; }

    [Inject]
    public required ActionRunner Actions { get; init; }

    [Inject]
    public required ISpeechToText Stt { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    private string MicTooltip => mic switch
    {
        MicState.Recording => "Stop and put the transcript in the message box",
        MicState.Transcribing => "Transcribing…",
        _ => "Record a voice message (the transcript goes into the message box; Enter sends it)",
    };

    private string DraftKey => $"agent-draft:{Model.Session!.Id}";

    /// <summary>Hands the message box to the chat's script; from then on Enter sends, Esc stops and ↑ edits the last message.</summary>
    internal async Task AttachAsync(IJSObjectReference chatModule, CancellationToken cancellationToken)
    {
        module = chatModule;
        selfReference = DotNetObjectReference.Create(this);
        await module.InvokeVoidAsync("attachComposer", cancellationToken, composer, selfReference, DraftKey);
    }

    /// <summary>Puts a message's text into the box; sending it then creates a new branch.</summary>
    internal async Task EditAsync(SessionMessage message)
    {
        editing = message;
        if (module is not null)
        {
            await module.InvokeVoidAsync("setDraft", disposed.Token, composer, DraftKey, message.Text);
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

    private void CancelEdit() => editing = null;

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
        selfReference?.Dispose();
    }
}
