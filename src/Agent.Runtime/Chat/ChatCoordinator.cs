using Agent.Domain.Configuration;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Tools;
using Agent.Runtime.Clients;
using Agent.Runtime.Runtime;
using Agent.Runtime.Services;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.Chat;

/// <summary>The turn that was started: the persisted user message (if any) and the streaming reply.</summary>
public sealed record TurnStarted(Guid SessionId, Guid? UserMessageId, Guid AssistantMessageId, Guid ExecutionId);

/// <summary>
/// The chat commands (a singleton, independent of browser circuits): send, edit, regenerate, continue, stop,
/// switch branch, resume after a tool decision. Each persists what the person did and the reply to come, and submits a
/// send_message execution whose parameters name that reply; its handler builds and streams the turn.
/// </summary>
public sealed class ChatCoordinator(
    ISessionStore sessions,
    IMessageStore messages,
    IChatClientSource clients,
    ExecutionRuntime runtime,
    TimeProvider time,
    ChatTurnStreamer streamer,
    IOptions<AgentOptions> options,
    BudgetGuard budgets,
    IAttachmentStore attachments) : ISessionTurnStopper, IDisposable
{
    private const int RecentWindow = 50;

    /// <summary>Raised whenever a session's stored messages change (new message, final status, branch switch); see <see cref="SessionChange"/>.</summary>
    public event Action<SessionChange>? SessionChanged
    {
        add => streamer.SessionChanged += value;
        remove => streamer.SessionChanged -= value;
    }

    /// <summary>The streamer and its registry of live turns.</summary>
    public ChatTurnStreamer Turns => streamer;

    public LiveReply? LiveReplyFor(Guid sessionId) => streamer.LiveReplyFor(sessionId);

    public bool IsStreaming(Guid sessionId) => streamer.IsStreaming(sessionId);

    /// <summary>Sends a new user message after the shown branch, or as an edit: a sibling of <paramref name="editOf"/>.</summary>
    public Task<TurnStarted> SendAsync(string tenantId, Guid sessionId, string text, Guid? editOf, CancellationToken cancellationToken) =>
        SendAsync(tenantId, sessionId, text, editOf, null, cancellationToken);

    /// <summary>As above, with files attached to the message (uploaded to the session first).</summary>
    public async Task<TurnStarted> SendAsync(string tenantId, Guid sessionId, string text, Guid? editOf, IReadOnlyList<Guid>? attachmentIds, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException("A message cannot be empty.", nameof(text));
        }

        if (text.Length > options.Value.Limits.MaxMessageChars)
        {
            throw new ArgumentException(
                $"text is {text.Length:N0} characters, over the limit of {options.Value.Limits.MaxMessageChars:N0} (Agent:Limits:MaxMessageChars); send it in parts or as a file.", nameof(text));
        }

        var session = await RequireSessionAsync(tenantId, sessionId, cancellationToken);
        Guid? parentId;
        if (editOf is { } edited)
        {
            parentId = (await RequireMessageAsync(tenantId, sessionId, edited, cancellationToken)).ParentId;
        }
        else
        {
            // The shown branch ends at the active leaf; only a session that never had one is read for its newest message.
            parentId = session.ActiveLeafId ?? (await messages.ReadPathAsync(tenantId, sessionId, null, null, 1, cancellationToken)).Messages.LastOrDefault()?.Id;
        }

        var attached = await RequireAttachmentsAsync(tenantId, sessionId, attachmentIds, cancellationToken);
        var lease = ResolveOrThrow(session);
        EnsureIdle(sessionId);
        await budgets.EnsureWithinAsync(tenantId, sessionId, cancellationToken);
        var now = time.GetUtcNow();
        var user = new SessionMessage
        {
            Id = Guid.NewGuid(),
            SessionId = sessionId,
            TenantId = tenantId,
            ParentId = parentId,
            Role = MessageRole.User,
            Parts = [new TextPart(text), .. attached.Select(a => new AttachmentRefPart(a.Id, a.FileName, a.ContentType, a.SizeBytes))],
            Status = MessageStatus.Complete,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await messages.AddAsync(user, cancellationToken);
        if (attached.Count > 0)
        {
            await attachments.AssignToMessageAsync(tenantId, attached.Select(a => a.Id).ToList(), user.Id, cancellationToken);
        }
        var (assistantId, executionId) = await StartReplyAsync(session, lease, user, isFirstTurn: parentId is null && editOf is null, cancellationToken);
        return new TurnStarted(sessionId, user.Id, assistantId, executionId);
    }

    /// <summary>A new reply to the same user message (a sibling branch); also how a failed or interrupted reply is retried.</summary>
    public async Task<TurnStarted> RegenerateAsync(string tenantId, Guid sessionId, Guid assistantMessageId, CancellationToken cancellationToken)
    {
        var session = await RequireSessionAsync(tenantId, sessionId, cancellationToken);
        var reply = await RequireMessageAsync(tenantId, sessionId, assistantMessageId, cancellationToken);
        if (reply.Role != MessageRole.Assistant || reply.ParentId is not { } userId)
        {
            throw new ArgumentException("Only an assistant reply can be regenerated.", nameof(assistantMessageId));
        }

        var lease = ResolveOrThrow(session);
        EnsureIdle(sessionId);
        await budgets.EnsureWithinAsync(tenantId, sessionId, cancellationToken);
        var user = await messages.FindAsync(tenantId, userId, cancellationToken) is { SessionId: var s } found && s == sessionId
            ? found
            : throw new KeyNotFoundException($"The message this reply answers is not in session {sessionId}.");
        var (assistantId, executionId) = await StartReplyAsync(session, lease, user, isFirstTurn: false, cancellationToken);
        return new TurnStarted(sessionId, null, assistantId, executionId);
    }

    /// <summary>Asks the model to go on from an interrupted or stopped reply; the text is appended to that same message.</summary>
    public Task<TurnStarted> ContinueAsync(string tenantId, Guid sessionId, Guid assistantMessageId, CancellationToken cancellationToken) =>
        ContinueAsync(tenantId, sessionId, assistantMessageId, TurnMode.Continue, cancellationToken);

    private async Task<TurnStarted> ContinueAsync(string tenantId, Guid sessionId, Guid assistantMessageId, TurnMode mode, CancellationToken cancellationToken, Guid? approvalId = null)
    {
        var session = await RequireSessionAsync(tenantId, sessionId, cancellationToken);
        var reply = await RequireMessageAsync(tenantId, sessionId, assistantMessageId, cancellationToken);
        if (reply.Role != MessageRole.Assistant || reply.Status is MessageStatus.Streaming or MessageStatus.Complete)
        {
            throw new ArgumentException("Only an interrupted, stopped or failed reply can be continued.", nameof(assistantMessageId));
        }

        var lease = ResolveOrThrow(session);
        EnsureIdle(sessionId);
        await budgets.EnsureWithinAsync(tenantId, sessionId, cancellationToken);
        var executionId = await RunReplyAsync(session, null, reply with { Status = MessageStatus.Streaming, Error = null, UpdatedAt = time.GetUtcNow() }, reply.Id, mode, cancellationToken, approvalId);
        return new TurnStarted(sessionId, null, reply.Id, executionId);
    }

    /// <summary>
    /// A decision on a tool call whose turn ended with the previous server process (its approval was persisted):
    /// a tool_results turn carries the decision into the agent loop, which runs the call (or answers the denial)
    /// through the library's function invocation, stores its result on the reply, and lets the model go on.
    /// Returns null when a live turn is waiting for the decision itself, or there is nothing to resume.
    /// </summary>
    public async Task<TurnStarted?> ResumeAfterDecisionAsync(ToolApprovalRequest decided, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decided);
        if (decided.SessionId is not { } sessionId || streamer.IsStreaming(sessionId) || decided.Status is ToolApprovalStatus.Pending or ToolApprovalStatus.Cancelled)
        {
            return null;
        }

        bool Waiting(SessionMessage m) =>
            m.Role == MessageRole.Assistant && m.Status != MessageStatus.Streaming
            && m.Parts.OfType<ToolCallPart>().Any(c => c.CallId == decided.CallId)
            && !m.Parts.OfType<ToolResultPart>().Any(r => r.CallId == decided.CallId);

        // The reply that waits is almost always at the end of the shown branch; the whole session only if the person switched away.
        var session = await sessions.FindAsync(decided.TenantId, sessionId, cancellationToken);
        var reply = session is null ? null
            : (await messages.ReadPathAsync(decided.TenantId, sessionId, session.ActiveLeafId, null, RecentWindow, cancellationToken)).Messages.LastOrDefault(Waiting)
              ?? (await messages.ListBySessionAsync(decided.TenantId, sessionId, cancellationToken)).FirstOrDefault(Waiting);
        if (reply is null)
        {
            return null;
        }

        return await ContinueAsync(reply.TenantId, sessionId, reply.Id, TurnMode.ToolResults, cancellationToken, decided.Id);
    }

    /// <summary>
    /// Stores results of tool calls an interrupted reply made (a team member resumed after a restart) and lets the
    /// model go on from them, appending to that same reply. Results of calls that already have one are skipped.
    /// </summary>
    public async Task<TurnStarted> ContinueWithToolResultsAsync(string tenantId, Guid sessionId, Guid assistantMessageId, IReadOnlyList<ToolResultPart> results, CancellationToken cancellationToken) =>
        await ContinueWithToolResultsAsync(await RequireMessageAsync(tenantId, sessionId, assistantMessageId, cancellationToken), results, cancellationToken);

    private async Task<TurnStarted> ContinueWithToolResultsAsync(SessionMessage reply, IReadOnlyList<ToolResultPart> results, CancellationToken cancellationToken)
    {
        var parts = reply.Parts.ToList();
        foreach (var result in results.Where(r => !reply.Parts.OfType<ToolResultPart>().Any(p => p.CallId == r.CallId)))
        {
            parts.Insert(parts.FindLastIndex(p => p is not TextPart) + 1, result);
        }

        var updated = reply with { Parts = parts, UpdatedAt = time.GetUtcNow() };
        await messages.UpdateAsync(updated, cancellationToken);
        streamer.Publish(new SessionChange(reply.SessionId, [updated], null));
        return await ContinueAsync(reply.TenantId, reply.SessionId, reply.Id, TurnMode.ToolResults, cancellationToken);
    }

    /// <summary>Stops the session's running reply: its execution is cancelled, the provider request aborted and the partial text kept as cancelled.</summary>
    public async Task<bool> StopAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        if (streamer.LiveReplyFor(sessionId) is not { } run)
        {
            return false;
        }

        run.Stop();
        if (run.ExecutionId is { } executionId)
        {
            try
            {
                await runtime.CancelAsync(run.TenantId, executionId, cancellationToken);
            }
            catch (ExecutionStateConflictException)
            {
                // It ended on its own in the meantime.
            }
        }

        // A turn still queued in the runtime is cancelled there without its handler ever running: end it here.
        await streamer.EndUntakenAsync(run, MessageStatus.Cancelled, null);
        return true;
    }

    /// <summary>Selects the branch shown: the newest leaf under <paramref name="messageId"/>.</summary>
    public async Task SelectBranchAsync(string tenantId, Guid sessionId, Guid messageId, CancellationToken cancellationToken)
    {
        var session = await RequireSessionAsync(tenantId, sessionId, cancellationToken);
        var leaf = await messages.LatestLeafUnderAsync(tenantId, sessionId, messageId, cancellationToken)
            ?? throw new KeyNotFoundException($"Message {messageId} is not in this session.");
        await sessions.UpdateAsync(session with { ActiveLeafId = leaf }, cancellationToken);
        streamer.Publish(new SessionChange(sessionId, [], leaf));
    }

    /// <summary>Shows the branch that ends exactly at <paramref name="leafId"/> (a rewind): the next message continues from there.</summary>
    public async Task<ChatSession> ShowLeafAsync(string tenantId, Guid sessionId, Guid leafId, CancellationToken cancellationToken)
    {
        var session = await RequireSessionAsync(tenantId, sessionId, cancellationToken);
        await RequireMessageAsync(tenantId, sessionId, leafId, cancellationToken);
        var updated = session with { ActiveLeafId = leafId, UpdatedAt = time.GetUtcNow() };
        await sessions.UpdateAsync(updated, cancellationToken);
        streamer.Publish(new SessionChange(sessionId, [], leafId));
        return updated;
    }

    /// <summary>Waits for a session's reply to end (tests and deletion).</summary>
    public Task WhenIdleAsync(Guid sessionId) => streamer.WhenIdleAsync(sessionId);

    /// <summary>Stops the running reply (if any) and waits for its turn to end: what a session's move to the trash does first.</summary>
    public async Task StopAndWaitAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await StopAsync(sessionId, cancellationToken);
        await WhenIdleAsync(sessionId).WaitAsync(cancellationToken);
    }

    private async Task<(Guid ReplyId, Guid ExecutionId)> StartReplyAsync(ChatSession session, ChatClientLease lease, SessionMessage userMessage, bool isFirstTurn, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var reply = new SessionMessage
        {
            Id = Guid.NewGuid(),
            SessionId = session.Id,
            TenantId = session.TenantId,
            ParentId = userMessage.Id,
            Role = MessageRole.Assistant,
            Parts = [],
            Status = MessageStatus.Streaming,
            CreatedAt = now,
            UpdatedAt = now,
            ProviderName = lease.ProviderName,
            ModelId = lease.ModelId,
            ProviderMode = lease.ProviderMode,
        };
        var title = isFirstTurn && session.Title == "New chat" ? ChatPromptBuilder.TitleFrom(userMessage.Text) : session.Title;
        return (reply.Id, await RunReplyAsync(session with { Title = title }, userMessage, reply, userMessage.Id, TurnMode.Reply, cancellationToken));
    }

    /// <summary>
    /// Stores the reply to come (new, or an existing one going on) and submits its send_message execution; the handler
    /// reads everything else. Returns the execution's id.
    /// </summary>
    /// <param name="userMessage">The user message the reply answers, already stored; null when an existing reply goes on.</param>
    private async Task<Guid> RunReplyAsync(ChatSession session, SessionMessage? userMessage, SessionMessage reply, Guid anchorId, TurnMode mode, CancellationToken cancellationToken, Guid? approvalId = null)
    {
        var run = streamer.Claim(session.TenantId, session.Id, reply.Id, reply.Text, session with { ActiveLeafId = reply.Id });
        try
        {
            if (userMessage is not null)
            {
                await messages.AddAsync(reply, cancellationToken);
            }
            else
            {
                await messages.UpdateAsync(reply, cancellationToken);
            }

            await sessions.UpdateAsync(session with { ActiveLeafId = reply.Id, UpdatedAt = time.GetUtcNow() }, cancellationToken);
        }
        catch
        {
            streamer.Unclaim(run);
            throw;
        }

        streamer.Publish(new SessionChange(session.Id, userMessage is null ? [reply] : [userMessage, reply], reply.Id));

        // The turn is an execution of the runtime, not a task of the caller: closing the tab does not stop it.
        try
        {
            var submitted = await runtime.SubmitAsync(
                new ExecutionRequest(SendMessageIntent.Name, session.TenantId, session.Id, null, new Dictionary<string, string>(), null)
                {
                    Parameters = SendMessageIntent.Parameters(reply, anchorId, mode, approvalId),
                },
                CancellationToken.None);
            run.ExecutionId = submitted.Execution.Id;

            // Pages showing the session attach to the reply through its execution, which they learn of here.
            streamer.Publish(new SessionChange(session.Id, [], null));
            if (run.StopRequested)
            {
                // Stopped between storing and submitting: StopAsync had no execution to cancel yet.
                try
                {
                    await runtime.CancelAsync(session.TenantId, submitted.Execution.Id, CancellationToken.None);
                }
                catch (ExecutionStateConflictException)
                {
                    // It already started (and then sees the stop) or ended.
                }

                await streamer.EndUntakenAsync(run, MessageStatus.Cancelled, null);
            }

            return submitted.Execution.Id;
        }
        catch (Exception ex) when (ex is CapsExceededException or SubmissionRejectedException)
        {
            await streamer.EndUntakenAsync(run, MessageStatus.Failed, $"The turn was not started: {ex.Message}");
            throw new ChatRefusedException(ex.Message);
        }
    }

    private async Task<IReadOnlyList<Domain.Memory.Attachment>> RequireAttachmentsAsync(string tenantId, Guid sessionId, IReadOnlyList<Guid>? ids, CancellationToken cancellationToken)
    {
        var found = new List<Domain.Memory.Attachment>();
        foreach (var id in (ids ?? []).Distinct())
        {
            var attachment = await attachments.FindAsync(tenantId, id, cancellationToken);
            if (attachment is null || attachment.SessionId != sessionId)
            {
                throw new ArgumentException($"Attachment {id} was not uploaded to this session.", nameof(ids));
            }

            found.Add(attachment);
        }

        return found;
    }

    private async Task<ChatSession> RequireSessionAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken) =>
        await sessions.FindAsync(tenantId, sessionId, cancellationToken) switch
        {
            null => throw new KeyNotFoundException($"Session {sessionId} does not exist."),
            { DeletedAt: not null } => throw new KeyNotFoundException($"Session {sessionId} is in the trash; restore it first."),
            var session => session,
        };

    private async Task<SessionMessage> RequireMessageAsync(string tenantId, Guid sessionId, Guid messageId, CancellationToken cancellationToken) =>
        await messages.FindAsync(tenantId, messageId, cancellationToken) is { } found && found.SessionId == sessionId
            ? found
            : throw new KeyNotFoundException($"Message {messageId} is not in this session.");

    private ChatClientLease ResolveOrThrow(ChatSession session) => clients.Resolve(session);

    private void EnsureIdle(Guid sessionId)
    {
        if (streamer.IsStreaming(sessionId))
        {
            throw new ChatRefusedException("A reply is already streaming in this session; stop it first.");
        }
    }

    public void Dispose() => streamer.StopAll();
}
