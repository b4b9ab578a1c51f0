using System.Collections.Concurrent;
using System.Text.Json;
using Agent.Domain.Configuration;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Agent.Domain.Tools;
using Agent.Web.Runtime;
using Agent.Web.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Agent.Web.Chat;

/// <summary>The turn that was started: the persisted user message (if any) and the streaming reply.</summary>
public sealed record TurnStarted(Guid SessionId, Guid? UserMessageId, Guid AssistantMessageId, Guid ExecutionId);

/// <summary>
/// What changed in a session's stored messages: the messages written (new or updated) and, when the shown
/// branch moved, its new leaf. Subscribers update their copy without reading the database again.
/// </summary>
public sealed record SessionChange(Guid SessionId, IReadOnlyList<SessionMessage> Upserted, Guid? ActiveLeafId)
{
    /// <summary>True when a reply reached its final state (complete, stopped, failed).</summary>
    public bool TurnEnded => Upserted.Any(m => m.Role == MessageRole.Assistant && m.IsTerminal);
}

/// <summary>
/// Owns every chat turn (a singleton, independent of browser circuits): persists the user message and
/// the streaming reply, streams from the provider, pushes each chunk to subscribers at once and writes the
/// text to the database in batches (and always on completion, stop and failure).
/// </summary>
public sealed class ChatCoordinator(
    ISessionStore sessions,
    IMessageStore messages,
    IChatClientSource clients,
    ExecutionRuntime runtime,
    ToolRegistry tools,
    AgentLoop agentLoop,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<ChatCoordinator> logger) : IDisposable
{
    private const int RecentWindow = 50;

    internal const string ContinueInstruction = "Continue your previous answer exactly where it stopped. Do not repeat what you already wrote.";

    private readonly ConcurrentDictionary<Guid, LiveRun> runs = new();
    private readonly ConcurrentDictionary<Guid, ChatTurn> turnsByMessage = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> idle = new();

    /// <summary>Raised whenever a session's stored messages change (new message, final status, branch switch).</summary>
    public event Action<SessionChange>? SessionChanged;

    public LiveRun? LiveRunFor(Guid sessionId) => runs.GetValueOrDefault(sessionId);

    public bool IsStreaming(Guid sessionId) => runs.ContainsKey(sessionId);

    /// <summary>Sends a new user message after the shown branch, or as an edit: a sibling of <paramref name="editOf"/>.</summary>
    public async Task<TurnStarted> SendAsync(string tenantId, Guid sessionId, string text, Guid? editOf, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException("A message cannot be empty.", nameof(text));
        }

        var session = await RequireSessionAsync(tenantId, sessionId, cancellationToken);
        Guid? parentId;
        if (editOf is { } edited)
        {
            parentId = (await RequireMessageAsync(tenantId, sessionId, edited, cancellationToken)).ParentId;
        }
        else
        {
            parentId = (await messages.ReadPathAsync(tenantId, sessionId, session.ActiveLeafId, null, 1, cancellationToken)).Messages.LastOrDefault()?.Id;
        }

        // The model sees the path above the new message; an edit of the first message starts from nothing.
        var above = parentId is null ? [] : await PathToAsync(tenantId, sessionId, parentId, cancellationToken);
        var lease = ResolveOrThrow(session);
        EnsureIdle(sessionId);
        var now = time.GetUtcNow();
        var user = new SessionMessage
        {
            Id = Guid.NewGuid(),
            SessionId = sessionId,
            TenantId = tenantId,
            ParentId = parentId,
            Role = MessageRole.User,
            Parts = [new TextPart(text)],
            Status = MessageStatus.Complete,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await messages.AddAsync(user, cancellationToken);
        var context = above.Append(user).ToList();
        var (assistantId, executionId) = await StartReplyAsync(session, lease, user, context, isFirstTurn: parentId is null && editOf is null, cancellationToken);
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
        var context = await PathToAsync(tenantId, sessionId, userId, cancellationToken);
        if (context.Count == 0 || context[^1].Id != userId)
        {
            throw new KeyNotFoundException($"The message this reply answers is not in session {sessionId}.");
        }

        var (assistantId, executionId) = await StartReplyAsync(session, lease, context[^1], context, isFirstTurn: false, cancellationToken);
        return new TurnStarted(sessionId, null, assistantId, executionId);
    }

    /// <summary>Asks the model to go on from an interrupted or stopped reply; the text is appended to that same message.</summary>
    public Task<TurnStarted> ContinueAsync(string tenantId, Guid sessionId, Guid assistantMessageId, CancellationToken cancellationToken) =>
        ContinueAsync(tenantId, sessionId, assistantMessageId, ContinueInstruction, cancellationToken);

    private async Task<TurnStarted> ContinueAsync(string tenantId, Guid sessionId, Guid assistantMessageId, string? instruction, CancellationToken cancellationToken)
    {
        var session = await RequireSessionAsync(tenantId, sessionId, cancellationToken);
        var reply = await RequireMessageAsync(tenantId, sessionId, assistantMessageId, cancellationToken);
        if (reply.Role != MessageRole.Assistant || reply.Status is MessageStatus.Streaming or MessageStatus.Complete)
        {
            throw new ArgumentException("Only an interrupted, stopped or failed reply can be continued.", nameof(assistantMessageId));
        }

        var lease = ResolveOrThrow(session);
        EnsureIdle(sessionId);
        var context = await PathToAsync(tenantId, sessionId, reply.Id, cancellationToken);
        var executionId = await RunReplyAsync(session, lease, null, reply with { Status = MessageStatus.Streaming, Error = null, UpdatedAt = time.GetUtcNow() }, context, instruction, cancellationToken);
        return new TurnStarted(sessionId, null, reply.Id, executionId);
    }

    /// <summary>
    /// A decision on a tool call whose turn ended with the previous server process (its approval was persisted):
    /// the call runs now (or is refused), its result is stored on the reply, and the model goes on from there.
    /// Returns null when a live turn is waiting for the decision itself, or there is nothing to resume.
    /// </summary>
    public async Task<TurnStarted?> ResumeAfterDecisionAsync(ToolApprovalRequest decided, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decided);
        if (decided.SessionId is not { } sessionId || runs.ContainsKey(sessionId) || decided.Status is ToolApprovalStatus.Pending or ToolApprovalStatus.Cancelled)
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

        var result = await RunDecidedCallAsync(decided, cancellationToken);
        var parts = reply.Parts.ToList();
        parts.Insert(parts.FindLastIndex(p => p is not TextPart) + 1, result);
        var updated = reply with { Parts = parts, UpdatedAt = time.GetUtcNow() };
        await messages.UpdateAsync(updated, cancellationToken);
        SessionChanged?.Invoke(new SessionChange(sessionId, [updated], null));
        return await ContinueAsync(decided.TenantId, sessionId, reply.Id, null, cancellationToken);
    }

    private async Task<ToolResultPart> RunDecidedCallAsync(ToolApprovalRequest decided, CancellationToken cancellationToken)
    {
        if (!decided.IsApproved)
        {
            return new ToolResultPart(decided.CallId, AgentLoop.ErrorJson($"The person denied this call: {decided.DenyReason}"), true, "denied by the person");
        }

        var started = time.GetTimestamp();
        var tool = (await tools.GetToolsAsync(decided.TenantId, cancellationToken)).Find(decided.ToolName);
        if (tool is null)
        {
            return new ToolResultPart(decided.CallId, AgentLoop.ErrorJson($"There is no tool named '{decided.ToolName}'."), true, "approved by the person");
        }

        try
        {
            var arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>(decided.ArgumentsJson) ?? [];
            var value = await tool.Function.InvokeAsync(new AIFunctionArguments(arguments), cancellationToken);
            return new ToolResultPart(decided.CallId, JsonSerializer.Serialize(value), false, "approved by the person after a restart", time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new ToolResultPart(decided.CallId, AgentLoop.ErrorJson(ex.Message), true, "approved by the person after a restart", time.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>Stops the session's running reply: its execution is cancelled, the provider request aborted and the partial text kept as cancelled.</summary>
    public async Task<bool> StopAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        if (!runs.TryGetValue(sessionId, out var run))
        {
            return false;
        }

        run.Stop();
        if (turnsByMessage.TryGetValue(run.AssistantMessageId, out var turn) && turn.Reply.ExecutionId is { } executionId)
        {
            try
            {
                await runtime.CancelAsync(turn.Reply.TenantId, executionId, cancellationToken);
            }
            catch (ExecutionStateConflictException)
            {
                // It ended on its own in the meantime.
            }
        }

        return true;
    }

    /// <summary>Selects the branch shown: the newest leaf under <paramref name="messageId"/>.</summary>
    public async Task SelectBranchAsync(string tenantId, Guid sessionId, Guid messageId, CancellationToken cancellationToken)
    {
        var session = await RequireSessionAsync(tenantId, sessionId, cancellationToken);
        var leaf = await messages.LatestLeafUnderAsync(tenantId, sessionId, messageId, cancellationToken)
            ?? throw new KeyNotFoundException($"Message {messageId} is not in this session.");
        await sessions.UpdateAsync(session with { ActiveLeafId = leaf }, cancellationToken);
        SessionChanged?.Invoke(new SessionChange(sessionId, [], leaf));
    }

    /// <summary>Waits for a session's reply to end (tests and deletion).</summary>
    public Task WhenIdleAsync(Guid sessionId) => idle.TryGetValue(sessionId, out var done) ? done.Task : Task.CompletedTask;

    /// <summary>Called by the send_message handler: the turn prepared for this reply, or null when this process did not prepare it.</summary>
    internal ChatTurn? TurnFor(Guid assistantMessageId) => turnsByMessage.GetValueOrDefault(assistantMessageId);

    private async Task<(Guid ReplyId, Guid ExecutionId)> StartReplyAsync(ChatSession session, ChatClientLease lease, SessionMessage userMessage, IReadOnlyList<SessionMessage> context, bool isFirstTurn, CancellationToken cancellationToken)
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
        var title = isFirstTurn && session.Title == "New chat" ? TitleFrom(context[^1].Text) : session.Title;
        return (reply.Id, await RunReplyAsync(session with { Title = title }, lease, userMessage, reply, context, null, cancellationToken));
    }

    /// <param name="userMessage">The user message the reply answers, already stored; null when continuing an existing reply.</param>
    private async Task<Guid> RunReplyAsync(ChatSession session, ChatClientLease lease, SessionMessage? userMessage, SessionMessage reply, IReadOnlyList<SessionMessage> context, string? instruction, CancellationToken cancellationToken)
    {
        var run = new LiveRun(session.Id, reply.Id, reply.Text);
        if (!runs.TryAdd(session.Id, run))
        {
            run.Dispose();
            throw new ChatRefusedException("A reply is already streaming in this session; stop it first.");
        }

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
            runs.TryRemove(session.Id, out _);
            run.Dispose();
            throw;
        }

        SessionChanged?.Invoke(new SessionChange(session.Id, userMessage is null ? [reply] : [userMessage, reply], reply.Id));
        var prompt = ToPrompt(context, instruction);
        if (options.Value.Profiles.FirstOrDefault(p => string.Equals(p.Id, session.AgentProfileId, StringComparison.OrdinalIgnoreCase)) is { SystemPrompt.Length: > 0 } profile)
        {
            prompt.Insert(0, new AiChatMessage(ChatRole.System, profile.SystemPrompt));
        }

        var turn = new ChatTurn(run, lease, reply, prompt);
        turnsByMessage[reply.Id] = turn;
        idle[session.Id] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The turn is an execution of the runtime, not a task of the caller: closing the tab does not stop it.
        try
        {
            var submitted = await runtime.SubmitAsync(
                new ExecutionRequest(SendMessageIntent.Name, session.TenantId, session.Id, null, new Dictionary<string, string> { [SendMessageIntent.MessageIdKey] = reply.Id.ToString() }, null),
                CancellationToken.None);
            turn.Reply = turn.Reply with { ExecutionId = submitted.Execution.Id };
            return submitted.Execution.Id;
        }
        catch (Exception ex) when (ex is CapsExceededException or SubmissionRejectedException)
        {
            await FinishAsync(turn, MessageStatus.Failed, $"The turn was not started: {ex.Message}", null, null, null);
            throw new ChatRefusedException(ex.Message);
        }
    }

    /// <summary>Streams the reply of a prepared turn; runs inside the send_message execution.</summary>
    internal async Task<MessageStatus> StreamAsync(ChatTurn turn, Guid executionId, CancellationToken executionToken)
    {
        turn.Reply = turn.Reply with { ExecutionId = executionId };
        var run = turn.Run;
        var lease = turn.Lease;
        var prompt = turn.Prompt;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(run.Token, executionToken);
        var reply = turn.Reply;
        var streaming = options.Value.Streaming;
        var started = time.GetTimestamp();
        long? firstTokenAt = null;
        var lastFlush = started;
        var chunksSinceFlush = 0;
        UsageDetails? usage = null;
        var status = MessageStatus.Complete;
        string? error = null;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["SessionId"] = run.SessionId, ["MessageId"] = run.AssistantMessageId, ["Provider"] = lease.ProviderName });
        try
        {
            var loopRequest = await tools.PrepareTurnAsync(reply.TenantId, reply.SessionId, reply.ExecutionId, linked.Token);
            var callbacks = new AgentLoopCallbacks
            {
                ToolCallRequested = (call, _) => PublishToolPartAsync(turn, call.ToCallPart()),
                ToolCallCompleted = (call, _) => PublishToolPartAsync(turn, call.ToResultPart()),
            };
            await foreach (var update in agentLoop.RunAsync(lease.Client, prompt, new ChatOptions { ModelId = lease.ModelId }, loopRequest, callbacks, linked.Token))
            {
                if (update.Role == ChatRole.Tool)
                {
                    continue; // tool results reach the transcript through the callbacks, as cards
                }

                foreach (var content in update.Contents)
                {
                    switch (content)
                    {
                        case TextContent { Text.Length: > 0 } chunk:
                            firstTokenAt ??= time.GetTimestamp();
                            run.Append(chunk.Text);
                            chunksSinceFlush++;
                            break;
                        case UsageContent usageContent:
                            usage = Add(usage, usageContent.Details); // one per model call of the tool loop
                            break;
                    }
                }

                if (chunksSinceFlush >= streaming.FlushTokenCount || time.GetElapsedTime(lastFlush).TotalMilliseconds >= streaming.FlushIntervalMs)
                {
                    await messages.UpdateAsync(turn.Reply with { Parts = turn.PartsWith(run.Text), UpdatedAt = time.GetUtcNow() }, CancellationToken.None);
                    lastFlush = time.GetTimestamp();
                    chunksSinceFlush = 0;
                }
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            status = MessageStatus.Cancelled;
        }
        catch (Exception ex)
        {
            status = MessageStatus.Failed;
            error = ex.Message;
            logger.LogWarning(ex, "Reply failed");
        }

        var end = time.GetTimestamp();
        var ttft = firstTokenAt is { } first ? time.GetElapsedTime(started, first).TotalMilliseconds : (double?)null;
        var seconds = firstTokenAt is { } from ? time.GetElapsedTime(from, end).TotalSeconds : 0;
        var rate = usage?.OutputTokenCount is > 0 && seconds > 0 ? usage.OutputTokenCount.Value / seconds : (double?)null;
        await FinishAsync(turn, status, error, usage, ttft, rate);
        return status;
    }

    /// <summary>Writes the reply's final state (always, whatever ended it) and releases the session.</summary>
    private async Task FinishAsync(ChatTurn turn, MessageStatus status, string? error, UsageDetails? usage, double? ttft, double? rate)
    {
        var run = turn.Run;
        var reply = turn.Reply;
        var text = run.Text;
        var final = reply with
        {
            Parts = turn.PartsWith(text),
            Status = status,
            Error = error,
            UpdatedAt = time.GetUtcNow(),
            Usage = usage is null ? reply.Usage : new TokenUsage(
                usage.InputTokenCount ?? 0,
                usage.OutputTokenCount ?? 0,
                usage.CachedInputTokenCount ?? 0,
                usage.ReasoningTokenCount ?? 0,
                turn.Lease.ModelId,
                turn.Lease.ProviderName),
            TimeToFirstTokenMs = ttft ?? reply.TimeToFirstTokenMs,
            TokensPerSecond = rate ?? reply.TokensPerSecond,
        };

        try
        {
            await messages.UpdateAsync(final, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Persisting the final reply failed; it will show as interrupted after a restart");
        }
        finally
        {
            runs.TryRemove(run.SessionId, out _);
            turnsByMessage.TryRemove(run.AssistantMessageId, out _);
            if (idle.TryRemove(run.SessionId, out var done))
            {
                done.TrySetResult();
            }

            run.Dispose();
            SessionChanged?.Invoke(new SessionChange(run.SessionId, [final], null));
        }
    }

    /// <summary>A tool call or result goes on the reply at once (persisted and pushed), so its card shows while the turn runs.</summary>
    private async Task PublishToolPartAsync(ChatTurn turn, MessagePart part)
    {
        turn.AddToolPart(part, turn.Run.Text);
        var snapshot = turn.Reply with { Parts = turn.PartsWith(turn.Run.Text), UpdatedAt = time.GetUtcNow() };
        await messages.UpdateAsync(snapshot, CancellationToken.None);
        SessionChanged?.Invoke(new SessionChange(turn.Run.SessionId, [snapshot], null));
    }

    private static UsageDetails Add(UsageDetails? total, UsageDetails next)
    {
        if (total is null)
        {
            return next;
        }

        total.Add(next);
        return total;
    }

    private async Task<ChatSession> RequireSessionAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken) =>
        await sessions.FindAsync(tenantId, sessionId, cancellationToken) ?? throw new KeyNotFoundException($"Session {sessionId} does not exist.");

    private async Task<SessionMessage> RequireMessageAsync(string tenantId, Guid sessionId, Guid messageId, CancellationToken cancellationToken) =>
        await messages.FindAsync(tenantId, messageId, cancellationToken) is { } found && found.SessionId == sessionId
            ? found
            : throw new KeyNotFoundException($"Message {messageId} is not in this session.");

    /// <summary>The branch from the root to <paramref name="leafId"/>, only that path: what the model is sent.</summary>
    private async Task<List<SessionMessage>> PathToAsync(string tenantId, Guid sessionId, Guid? leafId, CancellationToken cancellationToken) =>
        (await messages.ReadPathAsync(tenantId, sessionId, leafId, null, int.MaxValue, cancellationToken)).Messages.ToList();

    private ChatClientLease ResolveOrThrow(ChatSession session) => clients.Resolve(session);

    private void EnsureIdle(Guid sessionId)
    {
        if (runs.ContainsKey(sessionId))
        {
            throw new ChatRefusedException("A reply is already streaming in this session; stop it first.");
        }
    }

    /// <summary>The selected branch as the model sees it; stopped and interrupted replies keep their partial text.</summary>
    internal static List<AiChatMessage> ToPrompt(IReadOnlyList<SessionMessage> path, string? instruction)
    {
        var prompt = new List<AiChatMessage>();
        foreach (var message in path)
        {
            if (message.Role == MessageRole.Assistant)
            {
                AddAssistantTurn(prompt, message);
                continue;
            }

            var text = message.Text;
            if (text.Length > 0)
            {
                prompt.Add(new AiChatMessage(message.Role switch
                {
                    MessageRole.User => ChatRole.User,
                    MessageRole.System => ChatRole.System,
                    _ => ChatRole.Tool,
                }, text));
            }
        }

        if (instruction is not null)
        {
            prompt.Add(new AiChatMessage(ChatRole.User, instruction));
        }

        return prompt;
    }

    /// <summary>
    /// A reply as the model produced it, in order: its text and tool calls as assistant messages, each batch of
    /// results as a tool message. Calls without a result (never run) are left out, as the APIs require.
    /// </summary>
    private static void AddAssistantTurn(List<AiChatMessage> prompt, SessionMessage reply)
    {
        var answered = reply.Parts.OfType<ToolResultPart>().Select(r => r.CallId).ToHashSet(StringComparer.Ordinal);
        var assistant = new List<AIContent>();
        var results = new List<AIContent>();
        void Flush()
        {
            if (assistant.Count > 0)
            {
                prompt.Add(new AiChatMessage(ChatRole.Assistant, assistant.ToList()));
                assistant.Clear();
            }

            if (results.Count > 0)
            {
                prompt.Add(new AiChatMessage(ChatRole.Tool, results.ToList()));
                results.Clear();
            }
        }

        foreach (var part in reply.Parts)
        {
            switch (part)
            {
                case TextPart { Text.Length: > 0 } text:
                    if (results.Count > 0)
                    {
                        Flush();
                    }

                    assistant.Add(new TextContent(text.Text));
                    break;
                case ToolCallPart call when answered.Contains(call.CallId):
                    if (results.Count > 0)
                    {
                        Flush();
                    }

                    assistant.Add(new FunctionCallContent(call.CallId, call.ToolName, JsonSerializer.Deserialize<Dictionary<string, object?>>(call.ArgumentsJson)));
                    break;
                case ToolResultPart result:
                    if (assistant.Count > 0)
                    {
                        prompt.Add(new AiChatMessage(ChatRole.Assistant, assistant.ToList()));
                        assistant.Clear();
                    }

                    results.Add(new FunctionResultContent(result.CallId, JsonSerializer.Deserialize<JsonElement>(result.ResultJson)));
                    break;
            }
        }

        Flush();
    }

    private static string TitleFrom(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 60 ? line : line[..57].TrimEnd() + "…";
    }

    public void Dispose()
    {
        foreach (var run in runs.Values)
        {
            run.Stop();
        }
    }
}

/// <summary>A reply prepared by the coordinator and streamed by its send_message execution.</summary>
internal sealed class ChatTurn(LiveRun run, ChatClientLease lease, SessionMessage reply, List<AiChatMessage> prompt)
{
    public LiveRun Run { get; } = run;

    public ChatClientLease Lease { get; } = lease;

    public List<AiChatMessage> Prompt { get; } = prompt;

    // Parts in the order they happened: text, tool calls, their results, more text. A continued reply keeps its own.
    private readonly List<MessagePart> parts = reply.Parts.ToList();
    private readonly Lock gate = new();
    private int textInParts = reply.Text.Length;

    /// <summary>The reply as last written; updated with the execution id once the runtime accepted the turn.</summary>
    public SessionMessage Reply { get; set; } = reply;

    /// <summary>Adds a tool part after the text streamed so far (which becomes its own text part).</summary>
    public void AddToolPart(MessagePart part, string textSoFar)
    {
        lock (gate)
        {
            if (textSoFar.Length > textInParts)
            {
                parts.Add(new TextPart(textSoFar[textInParts..]));
                textInParts = textSoFar.Length;
            }

            parts.Add(part);
        }
    }

    /// <summary>The reply's parts with the text streamed since the last tool part at the end.</summary>
    public IReadOnlyList<MessagePart> PartsWith(string text)
    {
        lock (gate)
        {
            var all = new List<MessagePart>(parts);
            if (text.Length > textInParts)
            {
                all.Add(new TextPart(text[textInParts..]));
            }

            return all;
        }
    }
}
