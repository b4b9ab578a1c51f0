using Agent.Runtime.Chat;
using Agent.Runtime.Services;
using Agent.Web.Components.Shared;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Agent.Web.Components.Layout;

public sealed partial class OtherChatNotices : IDisposable
{
    private const int RememberedNotices = 200;
    private readonly HashSet<Guid> said = [];
    private readonly Queue<Guid> saidInOrder = new();
    private readonly CancellationTokenSource disposed = new();
    private IDisposable? approvalsSubscription;
    private bool subscribed;

    [Inject]
    public required ChatCoordinator Chat { get; init; }

    [Inject]
    public required LiveUpdates Live { get; init; }

    [Inject]
    public required SessionService Sessions { get; init; }

    [Inject]
    public required PrincipalTenant Caller { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required BrowserNotifications Browser { get; init; }

    protected override void OnAfterRender(bool firstRender)
    {
        if (!firstRender || !RendererInfo.IsInteractive)
        {
            return;
        }

        Chat.SessionChanged += OnSessionChanged;
        approvalsSubscription = Live.Subscribe(LiveTopics.Approvals, Caller.TenantId, TimeSpan.Zero, OnApprovalsChangedAsync);
        subscribed = true;
    }

    public void Dispose()
    {
        if (subscribed)
        {
            Chat.SessionChanged -= OnSessionChanged;
            approvalsSubscription?.Dispose();
        }

        disposed.Cancel();
        disposed.Dispose();
    }

    // Raised for every flush of every chat: only an ended reply is worth a hop to the circuit. The chat on screen is
    // told too: the toast leaves it out, the browser notification (a hidden tab) does not.
    private void OnSessionChanged(SessionChange change)
    {
        if (change.TurnEnded)
        {
            _ = InvokeAsync(() => SayAsync(ChatNotice.Of(change, Caller.TenantId, shownSession: null)));
        }
    }

    private Task OnApprovalsChangedAsync(IReadOnlyList<Domain.Tools.ToolApprovalRequest> requests) => InvokeAsync(async () =>
    {
        foreach (var request in requests)
        {
            await SayAsync(ChatNotice.Of(request, Caller.TenantId, shownSession: null));
        }
    });

    private Guid? ShownSession()
    {
        var path = Navigation.ToBaseRelativePath(Navigation.Uri).Split('?', '#')[0];
        return path.StartsWith("chat/", StringComparison.OrdinalIgnoreCase) && Guid.TryParse(path["chat/".Length..], out var id) ? id : null;
    }

    private async Task SayAsync(ChatNotice? notice)
    {
        if (notice is null || disposed.IsCancellationRequested || !said.Add(notice.Key))
        {
            return;
        }

        saidInOrder.Enqueue(notice.Key);
        if (saidInOrder.Count > RememberedNotices)
        {
            said.Remove(saidInOrder.Dequeue());
        }

        if (await Sessions.FindAsync(Caller.TenantId, notice.SessionId, disposed.Token) is not { } session)
        {
            return; // deleted since
        }

        // A browser notification when this tab is in the background and the person turned them on in Settings.
        await Browser.NotifyIfHiddenAsync(notice.Text(session.Title), $"/chat/{notice.SessionId}", $"notice-{notice.Key}", disposed.Token);
        if (notice.SessionId == ShownSession())
        {
            return;
        }

        var severity = notice.Kind switch
        {
            ChatNoticeKind.Replied => Severity.Normal,
            ChatNoticeKind.WaitingForApproval => Severity.Warning,
            _ => Severity.Error,
        };
        Snackbar.Add(notice.Text(session.Title), severity, config =>
        {
            config.Action = "Open";
            config.ActionColor = Color.Primary;
            config.RequireInteraction = notice.Kind == ChatNoticeKind.WaitingForApproval;
            config.OnClick = _ =>
            {
                Navigation.NavigateTo($"/chat/{notice.SessionId}");
                return Task.CompletedTask;
            };
        }, key: $"notice-{notice.Key}");
    }
}
