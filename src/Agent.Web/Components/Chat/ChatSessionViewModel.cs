using Agent.Domain.Providers;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Tools;
using Agent.Runtime.Chat;
using Agent.Runtime.Chat.Context;
using Agent.Runtime.Services;
using Agent.Runtime.Tools;
using Agent.Web.Services;

namespace Agent.Web.Components.Chat;

/// <summary>
/// The state and commands of one open session: the shown branch (a window of its newest messages, older ones
/// on request), the live reply, pending approvals, tool mode, model and profile. The component renders it and
/// forwards pushed changes; nothing here touches the UI.
/// </summary>
public sealed class ChatSessionViewModel(
    ChatCoordinator chat,
    IMessageStore messages,
    SessionService sessions,
    ToolApprovalService approvals,
    ToolRegistry tools,
    ProviderCatalog providers,
    ChatContextService contexts,
    ICheckpointStore checkpoints,
    TeamCatalog teams,
    IModelLister modelLister,
    PrincipalTenant caller)
{
    /// <summary>Messages read per page: the newest on opening, then each older or newer page as the reader scrolls.</summary>
    public const int PageSize = 20;

    /// <summary>
    /// The most messages the transcript holds at once, whatever the session's length: past it, the end away from the
    /// reader is let go (and read again on scroll), so the page's DOM and this circuit's memory stay bounded.
    /// </summary>
    public const int MaxShown = 40;

    // The newest copy of every message this view has seen, read or pushed; a read never replaces a newer push.
    private readonly Dictionary<Guid, SessionMessage> held = [];
    private List<SessionMessage> path = [];
    private Dictionary<Guid, BranchPosition> branches = [];
    private Guid? activeLeaf;
    private bool loadingOlder;

    public ChatSession? Session { get; private set; }

    public bool Loaded { get; private set; }

    /// <summary>The loaded window of the shown branch, oldest first: the newest page, and older or newer pages on scroll.</summary>
    public IReadOnlyList<SessionMessage> Visible => path;

    public bool HasOlder { get; private set; }

    /// <summary>The reader scrolled back far enough that the newest messages were let go; they are read again on request.</summary>
    public bool HasNewer { get; private set; }

    public LiveReply? Live { get; private set; }

    /// <summary>What the next request will carry against the model's window; null until measured.</summary>
    public ContextGauge? Gauge { get; private set; }

    /// <summary>The session's compaction checkpoints by the message they follow (where the transcript shows "compacted here").</summary>
    public IReadOnlyDictionary<Guid, Checkpoint> CompactionsByLeaf { get; private set; } = new Dictionary<Guid, Checkpoint>();

    public IReadOnlyDictionary<string, ToolApprovalRequest> Approvals { get; private set; } = new Dictionary<string, ToolApprovalRequest>();

    public SessionToolMode ToolMode { get; private set; } = SessionToolMode.AskForWrites;

    /// <summary>The chat's own instructions and temperature.</summary>
    public ChatSettings Settings { get; private set; } = ChatSettings.Default;

    /// <summary>The team the session is bound to ("" for none) and the teams it can be bound to.</summary>
    public string TeamId { get; private set; } = "";

    public IReadOnlyList<AgentProfileChoice> Teams { get; private set; } = [];

    /// <summary>The agents the session can use: the tenant's profiles, those added in the Team panel included.</summary>
    public IReadOnlyList<AgentProfileChoice> Profiles { get; private set; } = [];

    /// <summary>
    /// Every configured model, with its provider's state, as the model picker lists them; after
    /// <see cref="LoadListedModelsAsync"/>, each provider's configured models are followed by those its server listed.
    /// </summary>
    public IReadOnlyList<ModelChoice> Models => providers.Providers
        .SelectMany(p => p.Models.Select(m => new ModelChoice(p.Name, m.Id, providers.AvailabilityOf(p.Name).State))
            .Concat(ListedOnly(p).Select(id => new ModelChoice(p.Name, id, providers.AvailabilityOf(p.Name).State, Listed: true))))
        .ToList();

    /// <summary>What the providers' servers listed (or why not), by provider name; empty until loaded.</summary>
    public IReadOnlyDictionary<string, ModelListing> Listings { get; private set; } = new Dictionary<string, ModelListing>(StringComparer.OrdinalIgnoreCase);

    public string ModelKey => Session is null ? "" : ModelChoice.KeyOf(Session.ProviderName, Session.ModelId);

    public bool IsDeterministic => Session is not null && providers.AvailabilityOf(Session.ProviderName).State == ProviderState.Deterministic;

    /// <summary>Why sending to this session's provider is refused, with what unblocks it; null when it can be used.</summary>
    public string? BlockedReason
    {
        get
        {
            if (Session is null)
            {
                return null;
            }

            // A member is told to ask an administrator; the variable to set is an install detail.
            var availability = caller.IsAdministrator ? providers.AvailabilityOf(Session.ProviderName) : providers.AvailabilityOf(Session.ProviderName).ForMember();
            return availability.State == ProviderState.Blocked ? $"{Session.ProviderName} is blocked: {availability.Reason} To unblock: {availability.Action}." : null;
        }
    }

    public bool IsStreaming => Live is not null;

    public BranchInfo BranchOf(SessionMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!branches.TryGetValue(message.Id, out var position))
        {
            return new BranchInfo(0, 1, null, null);
        }

        var ids = position.SiblingIds;
        return new BranchInfo(position.Index, position.Count, position.Index > 0 ? ids[position.Index - 1] : null, position.Index < ids.Count - 1 ? ids[position.Index + 1] : null);
    }

    public SessionMessage? LastUserMessage => path.LastOrDefault(m => m.Role == MessageRole.User);

    /// <summary>Shows the session's header without reading its messages (the prerendered page).</summary>
    public void Show(ChatSession session) => Session = session;

    public async Task LoadAsync(ChatSession session, CancellationToken cancellationToken)
    {
        Session = session;
        activeLeaf = session.ActiveLeafId;
        await ReloadAsync(cancellationToken);
        ToolMode = await tools.GetModeAsync(session.TenantId, session.Id, cancellationToken);
        Settings = await sessions.ChatSettingsAsync(session.TenantId, session.Id, cancellationToken) ?? ChatSettings.Default;
        Teams = (await teams.TeamsAsync(session.TenantId, cancellationToken)).Select(t => new AgentProfileChoice(t.Value.Id, t.Value.Name)).ToList();
        Profiles = (await sessions.ProfilesAsync(session.TenantId, cancellationToken)).Select(p => new AgentProfileChoice(p.Id, p.Name)).ToList();
        TeamId = (await teams.TeamOfSessionAsync(session.TenantId, session.Id, cancellationToken))?.Id ?? "";
        await LoadApprovalsAsync(cancellationToken);
        Loaded = true;
    }

    /// <summary>Measures the gauge again and reads the compaction markers (after a turn, a branch switch or a rewind).</summary>
    public async Task RefreshContextAsync(CancellationToken cancellationToken)
    {
        var session = RequireSession();
        CompactionsByLeaf = (await checkpoints.ListBySessionAsync(session.TenantId, session.Id, cancellationToken))
            .Where(c => c.Kind == CheckpointKind.Compaction && c.LeafMessageId is not null)
            .GroupBy(c => c.LeafMessageId!.Value)
            .ToDictionary(g => g.Key, g => g.MaxBy(c => c.CreatedAt)!);
        Gauge = await contexts.MeasureAsync(session.TenantId, session.Id, cancellationToken);
    }

    /// <summary>Reads the newest part of the shown branch again: as many messages as are shown now and a new turn's two, within a page and <see cref="MaxShown"/>.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var session = RequireSession();
        var window = await messages.ReadPathAsync(session.TenantId, session.Id, activeLeaf, null, Math.Clamp(path.Count + 2, PageSize, MaxShown), cancellationToken);
        path = [.. window.Messages.Select(Newest)];
        branches = new Dictionary<Guid, BranchPosition>(window.Branches);
        HasOlder = window.HasOlder;
        HasNewer = false;
        ForgetUnshown();
        Live = chat.LiveReplyFor(session.Id);
    }

    /// <summary>Loads the next older page of the shown branch above what is shown; false when there is none.</summary>
    public async Task<bool> ShowOlderAsync(CancellationToken cancellationToken)
    {
        // A click and a scroll to the top can ask at once; the second would add the same page twice.
        if (!HasOlder || path.Count == 0 || loadingOlder)
        {
            return false;
        }

        loadingOlder = true;
        try
        {
            var session = RequireSession();
            var window = await messages.ReadPathAsync(session.TenantId, session.Id, activeLeaf, path[0].Id, PageSize, cancellationToken);
            var shown = path.Select(m => m.Id).ToHashSet();
            path = [.. window.Messages.Where(m => !shown.Contains(m.Id)).Select(Newest), .. path];
            foreach (var (id, position) in window.Branches)
            {
                branches[id] = position;
            }

            HasOlder = window.HasOlder;
            if (path.Count > MaxShown)
            {
                path.RemoveRange(MaxShown, path.Count - MaxShown);
                HasNewer = true;
                ForgetUnshown();
            }

            return true;
        }
        finally
        {
            loadingOlder = false;
        }
    }

    /// <summary>Loads the next newer page below what is shown, after older pages let the newest go; false when there is none.</summary>
    public async Task<bool> ShowNewerAsync(CancellationToken cancellationToken)
    {
        if (!HasNewer || path.Count == 0 || loadingOlder)
        {
            return false;
        }

        loadingOlder = true;
        try
        {
            // The branch is read from its end: widen the read until it reaches the last message shown.
            var session = RequireSession();
            var bottom = path[^1].Id;
            for (var take = PageSize * 2; ; take *= 2)
            {
                var window = await messages.ReadPathAsync(session.TenantId, session.Id, activeLeaf, null, take, cancellationToken);
                var at = window.Messages.ToList().FindIndex(m => m.Id == bottom);
                if (at < 0 && window.HasOlder)
                {
                    continue;
                }

                if (at < 0)
                {
                    break; // the shown messages are no longer on the branch: show its newest part
                }

                var newer = window.Messages.Skip(at + 1).Take(PageSize).Select(Newest).ToList();
                path.AddRange(newer);
                foreach (var (id, position) in window.Branches)
                {
                    branches[id] = position;
                }

                HasNewer = window.Messages.Count - (at + 1) > newer.Count;
                if (path.Count > MaxShown)
                {
                    path.RemoveRange(0, path.Count - MaxShown);
                    HasOlder = true;
                    ForgetUnshown();
                }

                return true;
            }
        }
        finally
        {
            loadingOlder = false;
        }

        await ReloadAsync(cancellationToken);
        return true;
    }

    /// <summary>Lets go of what the window no longer shows: the copies held to order pushes, and the branch positions.</summary>
    private void ForgetUnshown()
    {
        var shown = path.Select(m => m.Id).ToHashSet();
        foreach (var id in held.Keys.Where(id => !shown.Contains(id)).ToList())
        {
            held.Remove(id);
        }

        foreach (var id in branches.Keys.Where(id => !shown.Contains(id)).ToList())
        {
            branches.Remove(id);
        }
    }

    public async Task LoadApprovalsAsync(CancellationToken cancellationToken)
    {
        if (Session is null)
        {
            return;
        }

        var pending = await approvals.ListPendingAsync(Session.TenantId, cancellationToken);
        Approvals = pending.Where(a => a.SessionId == Session.Id).ToDictionary(a => a.CallId);
    }

    /// <summary>
    /// Applies a change pushed by the coordinator; an upsert older than the copy held is dropped. Returns true when
    /// the shown branch moved (a new turn, a branch switch) and the window must be read again.
    /// </summary>
    public bool Apply(SessionChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (Session is null || change.SessionId != Session.Id)
        {
            return false;
        }

        foreach (var message in change.Upserted)
        {
            if (SessionChange.Supersedes(message, held.GetValueOrDefault(message.Id)))
            {
                held[message.Id] = message;
                var index = path.FindIndex(m => m.Id == message.Id);
                if (index >= 0)
                {
                    path[index] = message;
                }
            }
        }

        Live = chat.LiveReplyFor(Session.Id);
        if (change.ActiveLeafId is { } leaf && leaf != path.LastOrDefault()?.Id)
        {
            activeLeaf = leaf;
            return true;
        }

        return false;
    }

    public Task SendAsync(string text, Guid? editOf, CancellationToken cancellationToken) =>
        SendAsync(text, editOf, [], cancellationToken);

    public Task SendAsync(string text, Guid? editOf, IReadOnlyList<Guid> attachmentIds, CancellationToken cancellationToken) =>
        chat.SendAsync(RequireSession().TenantId, RequireSession().Id, text, editOf, attachmentIds, cancellationToken);

    public Task RegenerateAsync(Guid messageId, CancellationToken cancellationToken) =>
        chat.RegenerateAsync(RequireSession().TenantId, RequireSession().Id, messageId, cancellationToken);

    public Task ContinueAsync(Guid messageId, CancellationToken cancellationToken) =>
        chat.ContinueAsync(RequireSession().TenantId, RequireSession().Id, messageId, cancellationToken);

    public Task SwitchBranchAsync(Guid messageId, CancellationToken cancellationToken) =>
        chat.SelectBranchAsync(RequireSession().TenantId, RequireSession().Id, messageId, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) =>
        Session is null ? Task.CompletedTask : chat.StopAsync(Session.Id, cancellationToken);

    public async Task ApproveAsync(Guid requestId, bool forSession, CancellationToken cancellationToken)
    {
        if (await approvals.ApproveAsync(requestId, forSession, cancellationToken) is { } decided)
        {
            await chat.ResumeAfterDecisionAsync(decided, cancellationToken);
        }
    }

    public async Task DenyAsync(Guid requestId, string? reason, CancellationToken cancellationToken)
    {
        var because = string.IsNullOrWhiteSpace(reason) ? "denied without a reason" : reason;
        if (await approvals.DenyAsync(requestId, because, cancellationToken) is { } decided)
        {
            await chat.ResumeAfterDecisionAsync(decided, cancellationToken);
        }
    }

    /// <summary>Asks every provider's server for its models; the lister caches them and never throws for a provider's failure.</summary>
    public async Task LoadListedModelsAsync(CancellationToken cancellationToken)
    {
        var names = providers.Providers.Select(p => p.Name).ToList();
        var listings = await Task.WhenAll(names.Select(name => modelLister.ListAsync(name, cancellationToken)));
        Listings = names.Zip(listings).ToDictionary(x => x.First, x => x.Second, StringComparer.OrdinalIgnoreCase);
    }

    private IEnumerable<string> ListedOnly(ProviderSpec provider) =>
        Listings.TryGetValue(provider.Name, out var listing)
            ? listing.Models.Where(id => provider.Models.All(m => m.Id != id))
            : [];

    public async Task ChangeModelAsync(string key, CancellationToken cancellationToken)
    {
        var (provider, model) = ModelChoice.Parse(key);
        Session = await sessions.ChangeModelAsync(RequireSession().TenantId, RequireSession().Id, provider, model, cancellationToken) ?? Session;
    }

    public async Task ChangeProfileAsync(string? profileId, CancellationToken cancellationToken) =>
        Session = await sessions.ChangeProfileAsync(RequireSession().TenantId, RequireSession().Id, string.IsNullOrEmpty(profileId) ? null : profileId, cancellationToken) ?? Session;

    /// <summary>Binds the session to a team ("" unbinds); the agent becomes the team's coordinator.</summary>
    public async Task ChangeTeamAsync(string? teamId, CancellationToken cancellationToken)
    {
        var session = RequireSession();
        var team = await sessions.BindTeamAsync(session.TenantId, session.Id, teamId, cancellationToken);
        TeamId = team?.Id ?? "";
        Session = await sessions.FindAsync(session.TenantId, session.Id, cancellationToken) ?? Session;
    }

    public async Task ChangeToolModeAsync(SessionToolMode mode, CancellationToken cancellationToken)
    {
        await tools.SetModeAsync(RequireSession().TenantId, RequireSession().Id, mode, cancellationToken);
        ToolMode = mode;
    }

    /// <summary>Keeps the chat's settings; a value out of range is refused with the reason (an <see cref="ArgumentException"/>).</summary>
    public async Task SaveSettingsAsync(ChatSettings settings, CancellationToken cancellationToken) =>
        Settings = await sessions.UpdateChatSettingsAsync(RequireSession().TenantId, RequireSession().Id, settings, cancellationToken) ?? Settings;

    public async Task RenameAsync(string title, CancellationToken cancellationToken) =>
        Session = await sessions.RenameAsync(RequireSession().TenantId, RequireSession().Id, title, cancellationToken) ?? Session;

    /// <summary>Picks up a new title, model or settings after the session changed elsewhere (a finished turn titles it).</summary>
    public async Task RefreshSessionAsync(CancellationToken cancellationToken)
    {
        if (Session is not null)
        {
            Session = await sessions.FindAsync(Session.TenantId, Session.Id, cancellationToken) ?? Session;
            Settings = await sessions.ChatSettingsAsync(Session.TenantId, Session.Id, cancellationToken) ?? Settings;
        }
    }

    private SessionMessage Newest(SessionMessage read)
    {
        if (held.TryGetValue(read.Id, out var known) && !SessionChange.Supersedes(read, known))
        {
            return known;
        }

        held[read.Id] = read;
        return read;
    }

    private ChatSession RequireSession() => Session ?? throw new InvalidOperationException("No session is open.");
}

public sealed record AgentProfileChoice(string Id, string Name);

/// <summary>A model in the picker; its key is "provider/model".</summary>
/// <param name="Listed">The provider's server listed the model and the configuration does not: it has no price.</param>
public sealed record ModelChoice(string ProviderName, string ModelId, ProviderState State, bool Listed = false)
{
    public string Key => KeyOf(ProviderName, ModelId);

    public string Label => $"{ProviderName} · {ModelId}" + State switch
    {
        ProviderState.Blocked => " (blocked)",
        ProviderState.Deterministic => " (deterministic)",
        _ => "",
    };

    public static string KeyOf(string providerName, string modelId) => $"{providerName}/{modelId}";

    public static (string Provider, string Model) Parse(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? (key[..slash], key[(slash + 1)..]) : throw new ArgumentException($"'{key}' is not a provider/model key.", nameof(key));
    }
}

/// <summary>Where a message stands among its alternatives (‹ Index+1 / Count ›).</summary>
public sealed record BranchInfo(int Index, int Count, Guid? PreviousId, Guid? NextId);
