using Agent.Domain.Sessions;
using Agent.Domain.Tools;
using Agent.Runtime.Chat;
using Agent.Runtime.Tools;
using Agent.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Agent.Web.Components.Chat;

/// <summary>
/// One open session: loads it into its view model, follows the coordinator's changes and the session's approvals,
/// and lays out the header, the transcript (newest page first, older pages on scroll) and the composer.
/// </summary>
public sealed partial class ChatView : IAsyncDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private IJSObjectReference? module;
    private ChatTranscript? transcriptView;
    private ChatComposer? composerView;
    private bool attached;

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

    private string StateName => !Model.Loaded ? "loading" : Model.Visible.Count == 0 ? "empty" : "ready";

    protected override async Task OnInitializedAsync()
    {
        Chat.SessionChanged += OnSessionChanged;
        ToolApprovals.Changed += OnApprovalChanged;

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
        if (attached || !RendererInfo.IsInteractive || transcriptView is null || composerView is null)
        {
            return;
        }

        attached = true;
        module = await JS.InvokeAsync<IJSObjectReference>("import", disposed.Token, "./Components/Chat/ChatView.razor.js");
        // The transcript first: the composer marks the chat ready, and by then scrolling up already loads older messages.
        await transcriptView.AttachAsync(module, disposed.Token);
        await composerView.AttachAsync(module, disposed.Token);

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

    private Task EditAsync(SessionMessage message) => composerView?.EditAsync(message) ?? Task.CompletedTask;

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
    }
}
