using Agent.Domain.Sessions;
using Agent.Web.Components.Dialogs;
using Agent.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace Agent.Web.Components.Chat;

/// <summary>
/// The chat's messages on the shown branch as a bounded window: the newest page first, older (and, once the newest were
/// let go, newer) pages loaded on scroll or by the buttons,
/// each message's actions (approve, deny, regenerate, continue, branch switch) and the markers where a compaction cut in.
/// </summary>
public sealed partial class ChatTranscript : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private DotNetObjectReference<ChatTranscript>? selfReference;
    private IJSObjectReference? module;
    private ElementReference transcript;

    [Parameter, EditorRequired]
    public required ChatSessionViewModel Model { get; set; }

    /// <summary>Raised after an action on a message (regenerate, continue, branch switch, an approval): the header and composer follow.</summary>
    [Parameter]
    public EventCallback Changed { get; set; }

    /// <summary>The person chose to edit one of their messages: the composer takes its text.</summary>
    [Parameter]
    public EventCallback<SessionMessage> OnEdit { get; set; }

    [Inject]
    public required ActionRunner Actions { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    /// <summary>Hands the transcript to the chat's script, which loads older messages when the top scrolls into view.</summary>
    internal async Task AttachAsync(IJSObjectReference chatModule, CancellationToken cancellationToken)
    {
        module = chatModule;
        selfReference = DotNetObjectReference.Create(this);
        await module.InvokeVoidAsync("attachTranscript", cancellationToken, transcript, selfReference);
    }

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

    /// <summary>Called when the bottom of the window scrolls into view while newer messages are let go; false when there are none.</summary>
    [JSInvokable]
    public async Task<bool> LoadNewerFromScroll()
    {
        var more = false;
        await InvokeAsync(async () =>
        {
            more = await Model.ShowNewerAsync(disposed.Token);
            StateHasChanged();
        });
        return more;
    }

    private async Task LoadOlder()
    {
        await KeepScrollPositionAsync();
        await Model.ShowOlderAsync(disposed.Token);
    }

    private async Task LoadNewer()
    {
        await KeepScrollPositionAsync();
        await Model.ShowNewerAsync(disposed.Token);
    }

    private async Task JumpToNewestAsync()
    {
        await Model.ReloadAsync(disposed.Token);
        if (module is not null)
        {
            await module.InvokeVoidAsync("scrollToEnd", disposed.Token, transcript);
        }
    }

    /// <summary>Keeps the message the reader sees where it is while pages come and go above or below it.</summary>
    private async Task KeepScrollPositionAsync()
    {
        if (module is not null)
        {
            await module.InvokeVoidAsync("keepScrollPosition", disposed.Token, transcript);
        }
    }

    private Task RegenerateAsync(Guid messageId) => RunAsync(() => Model.RegenerateAsync(messageId, disposed.Token));

    private Task ContinueAsync(Guid messageId) => RunAsync(() => Model.ContinueAsync(messageId, disposed.Token));

    private Task SwitchBranchAsync(Guid messageId) => RunAsync(() => Model.SwitchBranchAsync(messageId, disposed.Token));

    private Task ApproveAsync((Guid RequestId, bool ForSession) decision) =>
        RunAsync(() => Model.ApproveAsync(decision.RequestId, decision.ForSession, disposed.Token));

    private Task DenyAsync((Guid RequestId, string? Reason) decision) =>
        RunAsync(() => Model.DenyAsync(decision.RequestId, decision.Reason, disposed.Token));

    private async Task RunAsync(Func<Task> action)
    {
        await Actions.RunAsync(action);
        await Changed.InvokeAsync();
    }

    private Task EditAsync(SessionMessage message) => OnEdit.InvokeAsync(message);

    private Task OpenSummaryAsync(Checkpoint checkpoint)
    {
        var parameters = new DialogParameters<SummaryDialog> { { d => d.Checkpoint, checkpoint } };
        var options = new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseButton = true, CloseOnEscapeKey = true };
        return Dialogs.ShowAsync<SummaryDialog>("Compaction summary", parameters, options);
    }

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
        selfReference?.Dispose();
    }
}
