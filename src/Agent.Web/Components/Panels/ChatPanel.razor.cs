using Agent.Domain.Bootstrap;
using Agent.Domain.Providers;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Tools;
using Agent.Web.Chat;
using Agent.Web.Components.Shared;
using Agent.Web.Services;
using Agent.Web.Tools;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Agent.Web.Components.Panels;

/// <summary>One session's conversation: the shown branch, the live reply and the composer.</summary>
public sealed partial class ChatPanel : IAsyncDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private DotNetObjectReference<ChatPanel>? selfReference;
    private readonly Dictionary<Guid, SessionMessage> stored = [];
    private bool loaded;
    private Dictionary<string, ToolApprovalRequest> approvals = [];
    private SessionToolMode toolMode = SessionToolMode.AskForWrites;
    private Guid? activeLeaf;
    private MessageTree? tree;
    private List<SessionMessage> path = [];
    private LiveRun? live;
    private ElementReference composer;
    private ElementReference transcript;
    private Guid? attachedSession;
    private string draft = "";
    private string? error;
    private SessionMessage? editing;
    private bool renaming;
    private string newTitle = "";

    [Parameter, EditorRequired]
    public required BootstrapSnapshot Snapshot { get; set; }

    [Parameter]
    public ChatSession? Session { get; set; }

    [Parameter]
    public EventCallback OnCreateSession { get; set; }

    [Inject]
    public required ChatCoordinator Chat { get; init; }

    [Inject]
    public required IMessageStore Messages { get; init; }

    [Inject]
    public required SessionService Sessions { get; init; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Inject]
    public required ToolApprovalService ToolApprovals { get; init; }

    [Inject]
    public required ToolRegistry Tools { get; init; }

    [Inject]
    public required ActionRunner Actions { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    private string ModelKey => Session is null ? "" : $"{Session.ProviderName}/{Session.ModelId}";

    private string? SessionBlockedReason
    {
        get
        {
            var provider = Snapshot.Providers.FirstOrDefault(p => string.Equals(p.Name, Session?.ProviderName, StringComparison.OrdinalIgnoreCase));
            return provider?.State == ProviderState.Blocked ? $"{provider.Name} is blocked: {provider.Reason} To unblock: {provider.Action}." : null;
        }
    }

    protected override void OnInitialized()
    {
        Chat.SessionChanged += OnSessionChanged;
        ToolApprovals.Changed += OnApprovalChanged;
    }

    protected override async Task OnParametersSetAsync()
    {
        if (Session?.Id != attachedSession)
        {
            error = null;
            editing = null;
            renaming = false;
            draft = "";
            loaded = false;
        }

        // The transcript is read once per session; later changes arrive in memory from the coordinator, so a
        // re-render of the shell (a sidebar refresh, a model change) does not read every message again.
        if (!loaded)
        {
            await ReloadAsync();
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (Session is not null && attachedSession != Session.Id && RendererInfo.IsInteractive)
        {
            attachedSession = Session.Id;
            selfReference ??= DotNetObjectReference.Create(this);
            await JS.InvokeVoidAsync("agentChat.attachComposer", disposed.Token, composer, selfReference, DraftKey(Session.Id));
            await JS.InvokeVoidAsync("agentChat.attachTranscript", disposed.Token, transcript);
        }
    }

    private async Task ReloadAsync()
    {
        // A long transcript is loaded once, by the interactive render; the prerendered page shows "loading".
        if (Session is null || !RendererInfo.IsInteractive)
        {
            tree = null;
            path = [];
            live = null;
            return;
        }

        stored.Clear();
        foreach (var message in await Messages.ListBySessionAsync(Session.TenantId, Session.Id, disposed.Token))
        {
            stored[message.Id] = message;
        }

        activeLeaf = Session.ActiveLeafId; // the shell read the session when it navigated here
        toolMode = await Tools.GetModeAsync(Session.TenantId, Session.Id, disposed.Token);
        await LoadApprovalsAsync();
        loaded = true;
        Rebuild();
    }

    private async Task LoadApprovalsAsync()
    {
        var pending = await ToolApprovals.ListPendingAsync(Session!.TenantId, disposed.Token);
        approvals = pending.Where(a => a.SessionId == Session.Id).ToDictionary(a => a.CallId);
    }

    private Task ChangeProfileAsync(ChangeEventArgs args) => RunGuardedAsync(async () =>
        Session = await Sessions.ChangeProfileAsync(Session!.TenantId, Session.Id, args.Value?.ToString() is { Length: > 0 } id ? id : null, disposed.Token) ?? Session);

    private Task ChangeToolModeAsync(ChangeEventArgs args) => RunGuardedAsync(async () =>
    {
        if (Enum.TryParse<SessionToolMode>(args.Value?.ToString(), out var mode))
        {
            await Tools.SetModeAsync(Session!.TenantId, Session.Id, mode, disposed.Token);
            toolMode = mode;
        }
    });

    private Task ApproveAsync((Guid RequestId, bool ForSession) decision) => RunGuardedAsync(async () =>
    {
        if (await ToolApprovals.ApproveAsync(decision.RequestId, decision.ForSession, disposed.Token) is { } decided)
        {
            await Chat.ResumeAfterDecisionAsync(decided, disposed.Token);
        }
    });

    private Task DenyAsync((Guid RequestId, string? Reason) decision) => RunGuardedAsync(async () =>
    {
        var reason = string.IsNullOrWhiteSpace(decision.Reason) ? "denied without a reason" : decision.Reason;
        if (await ToolApprovals.DenyAsync(decision.RequestId, reason, disposed.Token) is { } decided)
        {
            await Chat.ResumeAfterDecisionAsync(decided, disposed.Token);
        }
    });

    private void OnApprovalChanged(ToolApprovalRequest request)
    {
        if (request.SessionId != Session?.Id)
        {
            return;
        }

        _ = InvokeAsync(async () =>
        {
            await LoadApprovalsAsync();
            StateHasChanged();
        });
    }

    /// <summary>The shown branch from the messages in memory; the live run's text is newer than any stored text.</summary>
    private void Rebuild()
    {
        tree = new MessageTree(stored.Values);
        path = tree.PathTo(activeLeaf).ToList();
        live = Session is null ? null : Chat.LiveRunFor(Session.Id);
    }

    [JSInvokable]
    public Task SendFromKeyboard(string text) => InvokeAsync(() => SendAsync(text));

    [JSInvokable]
    public Task StopFromKeyboard() => InvokeAsync(Stop);

    [JSInvokable]
    public Task EditLastFromKeyboard() => InvokeAsync(async () =>
    {
        var last = path.LastOrDefault(m => m.Role == MessageRole.User);
        if (last is not null && live is null)
        {
            await EditAsync(last);
        }
    });

    private async Task SendFromButtonAsync()
    {
        var text = draft;
        await JS.InvokeVoidAsync("agentChat.clearDraft", disposed.Token, composer, DraftKey(Session!.Id));
        await SendAsync(text);
    }

    private async Task SendAsync(string text)
    {
        if (Session is null || string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        draft = "";
        await RunGuardedAsync(async () =>
        {
            await Chat.SendAsync(Session.TenantId, Session.Id, text, editing?.Id, disposed.Token);
            editing = null;
        }, text);
    }

    private Task RegenerateAsync(Guid messageId) => RunGuardedAsync(() => Chat.RegenerateAsync(Session!.TenantId, Session.Id, messageId, disposed.Token));

    private Task ContinueAsync(Guid messageId) => RunGuardedAsync(() => Chat.ContinueAsync(Session!.TenantId, Session.Id, messageId, disposed.Token));

    private Task SwitchBranchAsync(Guid messageId) => RunGuardedAsync(() => Chat.SelectBranchAsync(Session!.TenantId, Session.Id, messageId, disposed.Token));

    private async Task Stop()
    {
        if (Session is not null)
        {
            await Chat.StopAsync(Session.Id, disposed.Token);
        }
    }

    private Task Edit(SessionMessage message) => EditAsync(message);

    private async Task EditAsync(SessionMessage message)
    {
        editing = message;
        draft = message.Text;
        await JS.InvokeVoidAsync("agentChat.setDraft", disposed.Token, composer, message.Text);
    }

    private void CancelEdit()
    {
        editing = null;
        draft = "";
    }

    private void StartRename()
    {
        newTitle = Session?.Title ?? "";
        renaming = true;
    }

    private Task RenameAsync() => RunGuardedAsync(async () =>
    {
        var renamed = await Sessions.RenameAsync(Session!.TenantId, Session.Id, newTitle, disposed.Token);
        if (renamed is not null)
        {
            Session = renamed;
        }

        renaming = false;
    });

    private async Task DeleteAsync()
    {
        if (Session is null)
        {
            return;
        }

        var session = Session;
        await Actions.RunAsync(async () =>
        {
            await Chat.StopAsync(session.Id, disposed.Token);
            await Chat.WhenIdleAsync(session.Id);
            await Sessions.DeleteAsync(session.TenantId, session.Id, disposed.Token);
            Navigation.NavigateTo("/");
        }, confirm: new Confirmation("Delete session", $"Delete \"{session.Title}\" and all its messages? This cannot be undone.", "Delete"));
    }

    private Task ChangeModelAsync(ChangeEventArgs args) => RunGuardedAsync(async () =>
    {
        var key = args.Value?.ToString() ?? "";
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            Session = await Sessions.ChangeModelAsync(Session!.TenantId, Session.Id, key[..slash], key[(slash + 1)..], disposed.Token) ?? Session;
        }
    });

    /// <summary>Runs a chat action; a refusal or failure shows above the transcript and loses nothing typed.</summary>
    private async Task RunGuardedAsync(Func<Task> action, string? restoreDraft = null)
    {
        try
        {
            error = null;
            await action();
        }
        catch (Exception ex) when (ex is ChatRefusedException or ArgumentException or KeyNotFoundException)
        {
            error = ex.Message;
            if (restoreDraft is not null)
            {
                draft = restoreDraft;
                await JS.InvokeVoidAsync("agentChat.setDraft", disposed.Token, composer, restoreDraft);
            }
        }
    }

    /// <summary>Applies a change pushed by the coordinator in memory: no database read on the streaming path.</summary>
    private void OnSessionChanged(SessionChange change)
    {
        if (change.SessionId != Session?.Id)
        {
            return;
        }

        _ = InvokeAsync(() =>
        {
            foreach (var message in change.Upserted)
            {
                stored[message.Id] = message;
            }

            activeLeaf = change.ActiveLeafId ?? activeLeaf;
            Rebuild();
            StateHasChanged();
        });
    }

    private string ModeNote(string providerName) =>
        Snapshot.Providers.FirstOrDefault(p => p.Name == providerName)?.State == ProviderState.Deterministic ? " (deterministic)" : "";

    private static string DraftKey(Guid sessionId) => $"agent-draft:{sessionId}";

    public async ValueTask DisposeAsync()
    {
        Chat.SessionChanged -= OnSessionChanged;
        ToolApprovals.Changed -= OnApprovalChanged;
        await disposed.CancelAsync();
        disposed.Dispose();
        selfReference?.Dispose();
    }
}
