using System.Collections.Concurrent;
using System.Text.Json;
using Agent.Domain.Configuration;
using Agent.Domain.Context;
using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Agent.Runtime.Chat.Context;
using Agent.Runtime.Clients;
using Agent.Runtime.Telemetry;
using Agent.Runtime.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.Chat;

/// <summary>The reply as its turn left it, and the tool calls this turn made (their results are registered as artifacts).</summary>
internal sealed record EndedTurn(SessionMessage Reply, IReadOnlyCollection<string> NewToolCallIds);

/// <summary>
/// Runs turns and keeps the registry of live ones (one per session). Every write of a reply goes
/// through the turn's write gate: interim snapshots (periodic flush, tool cards) and the final state are
/// serialized, and nothing is persisted or published for a turn after its terminal write.
/// </summary>
public sealed class ChatTurnStreamer(
    IMessageStore messages,
    ISessionStore sessions,
    IChatClientSource clients,
    TurnCompaction compaction,
    ITurnContextStore turnContexts,
    ToolRegistry tools,
    AgentLoop agentLoop,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<ChatTurnStreamer> logger,
    ITokenCounter counter,
    ITraceStore traces,
    TurnUsageBoard? usageBoard = null,
    AgentInstrumentation? instrumentation = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<Guid, LiveReply> runs = new();
    private readonly ConcurrentDictionary<Guid, ChatTurn> streaming = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> idle = new();

    /// <summary>The session state key of the turn in flight (its execution and reply), kept while a handler streams it.</summary>
    public const string TurnStateKey = SessionStateKeys.Turn;

    /// <summary>Raised whenever a session's stored messages change; see <see cref="SessionChange"/> for ordering.</summary>
    public event Action<SessionChange>? SessionChanged;

    public LiveReply? LiveReplyFor(Guid sessionId) => runs.GetValueOrDefault(sessionId);

    public bool IsStreaming(Guid sessionId) => runs.ContainsKey(sessionId);

    /// <summary>Waits for a session's reply to end (tests and deletion).</summary>
    public Task WhenIdleAsync(Guid sessionId) => idle.TryGetValue(sessionId, out var done) ? done.Task : Task.CompletedTask;

    /// <summary>How many turns are registered (live runs, turns being streamed, idle waiters): all zero when nothing streams.</summary>
    internal (int Runs, int Turns, int Waiters) RegistryCounts => (runs.Count, streaming.Count, idle.Count);

    /// <summary>The turn a handler is streaming into this reply right now (a team member shows its approvals on it).</summary>
    internal ChatTurn? StreamingTurnFor(Guid assistantMessageId) => streaming.GetValueOrDefault(assistantMessageId);

    internal void Publish(SessionChange change) => SessionChanged?.Invoke(change);

    /// <summary>Marks the session busy with this reply, so the page shows it streaming and no second turn starts.</summary>
    internal LiveReply Claim(string tenantId, Guid sessionId, Guid replyId, string initialText, ChatSession? session = null)
    {
        var run = new LiveReply(sessionId, replyId, initialText, time) { TenantId = tenantId, Session = session };
        if (!runs.TryAdd(sessionId, run))
        {
            run.Dispose();
            throw new ChatRefusedException("A reply is already streaming in this session; stop it first.");
        }

        idle[sessionId] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return run;
    }

    /// <summary>Gives back a session claimed for a turn whose reply was never stored (its first writes failed).</summary>
    internal void Unclaim(LiveReply run) => Release(run);

    /// <summary>
    /// Ends a reply no handler took (stopped while its execution was queued, or refused at submit): the stored reply
    /// gets its final status and the session is released. False when a handler has the reply (it writes the end).
    /// </summary>
    internal async Task<bool> EndUntakenAsync(LiveReply run, MessageStatus status, string? error)
    {
        if (!run.TryEndUntaken())
        {
            return false;
        }

        await EndWithoutStreamingAsync(run, status, error);
        return true;
    }

    /// <summary>Writes the final status of a reply that streamed nothing in this turn, and releases the session.</summary>
    private async Task<SessionMessage?> EndWithoutStreamingAsync(LiveReply run, MessageStatus status, string? error)
    {
        SessionMessage? final = null;
        try
        {
            if (await messages.FindAsync(run.TenantId, run.AssistantMessageId, CancellationToken.None) is { Status: MessageStatus.Streaming } reply)
            {
                var now = time.GetUtcNow();
                final = reply with { Status = status, Error = error, UpdatedAt = now > reply.UpdatedAt ? now : reply.UpdatedAt.AddTicks(1) };
                await messages.UpdateAsync(final, CancellationToken.None);
            }
        }
        finally
        {
            Release(run, final);
        }

        return final;
    }

    /// <summary>
    /// Runs one turn inside its send_message execution: reads the stored reply and the branch it answers, builds the
    /// request (compacting the session first when it would not fit), and streams the reply. The same path for every
    /// turn: new, queued before a restart, continued, retried, or going on after a tool decision.
    /// </summary>
    internal async Task<EndedTurn> RunTurnAsync(TurnRequest request, Domain.Runtime.ExecutionContext context, CancellationToken executionToken)
    {
        var stages = new TurnStages(time, instrumentation?.Source);
        stages.AddBefore("admission", context.CreatedAt);
        var reply = await stages.TimeAsync("read reply", () => messages.FindAsync(request.TenantId, request.ReplyId, executionToken));
        if (reply is null || reply.SessionId != request.SessionId || reply.Role != MessageRole.Assistant)
        {
            throw new Domain.Runtime.PermanentIntentFailureException($"Reply {request.ReplyId} is not in session {request.SessionId}.");
        }

        // Claimed by the coordinator in this process, or by nobody: a turn queued before a restart claims the session now.
        var run = runs.GetValueOrDefault(request.SessionId);
        if (run is null || run.AssistantMessageId != reply.Id)
        {
            if (reply.Status != MessageStatus.Streaming)
            {
                return new EndedTurn(reply, []); // ended before it started (stopped while queued)
            }

            try
            {
                run = Claim(request.TenantId, request.SessionId, reply.Id, reply.Text);
            }
            catch (ChatRefusedException)
            {
                // A turn queued before a restart, while the person started another in the same session: this reply
                // ends as failed (Retry offers it again) instead of staying "streaming" with nothing behind it.
                var error = "Another reply was streaming in this session when this one could start; use Retry.";
                var now = time.GetUtcNow();
                var failed = reply with { Status = MessageStatus.Failed, Error = error, UpdatedAt = now > reply.UpdatedAt ? now : reply.UpdatedAt.AddTicks(1) };
                await messages.UpdateAsync(failed, CancellationToken.None);
                Publish(new SessionChange(request.SessionId, [failed], null));
                throw new Domain.Runtime.PermanentIntentFailureException(error);
            }
        }

        if (!run.TryTake())
        {
            return new EndedTurn(await messages.FindAsync(request.TenantId, reply.Id, CancellationToken.None) ?? reply with { Status = MessageStatus.Cancelled }, []);
        }

        run.ExecutionId = context.ExecutionId;
        reply = reply with { ExecutionId = context.ExecutionId };
        ChatTurn? turn = null;
        ContextPlan? plan = null;
        try
        {
            // The session and its settings (the chat's instructions and temperature, its tool mode) are independent reads.
            var sessionRead = run.Session is { } claimed ? Task.FromResult<ChatSession?>(claimed) : stages.TimeAsync("read session", () => sessions.FindAsync(request.TenantId, request.SessionId, executionToken));
            var settingsRead = context.State.Session is { } settingsScope
                ? stages.TimeAsync("read chat settings", () => settingsScope.ReadAllAsync(executionToken))
                : Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());
            var session = await sessionRead ?? throw new Domain.Runtime.PermanentIntentFailureException($"Session {request.SessionId} no longer exists.");
            var stored = await settingsRead;
            var lease = clients.Resolve(session with { ProviderName = request.ProviderName ?? reply.ProviderName ?? session.ProviderName, ModelId = request.ModelId ?? reply.ModelId ?? session.ModelId });
            var anchor = request.AnchorId ?? (request.Mode == TurnMode.Reply ? reply.ParentId : reply.Id);
            var settings = ChatSettings.From(stored);
            var (built, notice) = await compaction.BuildAsync(session, anchor, request.Instruction, settings, context, executionToken, stages);
            turn = new ChatTurn(run, lease, reply, built.Prompt)
            {
                Notice = notice,
                Temperature = (float?)settings.Temperature,
                StoredToolMode = stored.GetValueOrDefault(SessionStateKeys.ToolMode),
            };
            plan = built.Plan;
            streaming[reply.Id] = turn;
            if (context.State.Session is { } sessionState)
            {
                await stages.TimeAsync("mark turn in flight", () => sessionState.SetAsync(TurnStateKey, JsonSerializer.Serialize(new { executionId = context.ExecutionId, messageId = reply.Id, mode = request.Mode.ToString().ToLowerInvariant() }, Json), CancellationToken.None));
            }
        }
        catch (Exception ex) when (turn is null)
        {
            // Refused before any provider call (blocked provider, a store failure): the reply says why.
            var status = ex is OperationCanceledException && (run.StopRequested || executionToken.IsCancellationRequested) ? MessageStatus.Cancelled : MessageStatus.Failed;
            var error = status == MessageStatus.Failed ? $"The turn could not start: {ex.Message}" : null;
            if (ex is not ChatRefusedException and not OperationCanceledException)
            {
                logger.LogWarning(ex, "Turn {MessageId} could not start", reply.Id);
            }

            var final = await EndWithoutStreamingAsync(run, status, error);
            return new EndedTurn(final ?? reply with { Status = status, Error = error }, []);
        }

        try
        {
            await StreamAsync(turn, plan!, context.ExecutionId, request.ApprovalId, stages, executionToken);
            return new EndedTurn(turn.Reply, turn.ToolCallIds);
        }
        finally
        {
            streaming.TryRemove(new KeyValuePair<Guid, ChatTurn>(reply.Id, turn));
            if (context.State.Session is { } sessionState)
            {
                await sessionState.RemoveAsync(TurnStateKey, CancellationToken.None);
            }
        }
    }

    /// <summary>Streams the reply of a turn the handler built.</summary>
    private async Task StreamAsync(ChatTurn turn, ContextPlan plan, Guid executionId, Guid? decidedApprovalId, TurnStages stages, CancellationToken executionToken)
    {
        var run = turn.Run;
        var lease = turn.Lease;
        var prompt = turn.TakePrompt();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(run.Token, executionToken);
        var reply = turn.Reply;
        var streamingOptions = options.Value.Streaming;
        var started = time.GetTimestamp();
        var waits = new PersonWaitClock(time);
        long? firstTokenAt = null;
        var waitedBeforeFirstToken = TimeSpan.Zero;
        var lastFlush = started;
        var chunksSinceFlush = 0;
        using var recorder = new ProviderCallRecorder(
            lease.Client,
            new ProviderCallScope(reply.TenantId, reply.SessionId, executionId, lease.ProviderName, lease.ModelId),
            counter,
            traces,
            time,
            logger);
        using var tracked = usageBoard?.Track(executionId, () => recorder.Usage is { } sum ? (sum.InputTokenCount ?? 0) + (sum.OutputTokenCount ?? 0) : 0);
        var status = MessageStatus.Complete;
        string? error = null;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["SessionId"] = run.SessionId, ["MessageId"] = run.AssistantMessageId, ["Provider"] = lease.ProviderName });
        try
        {
            var loopRequest = await stages.TimeAsync("tools", () => tools.PrepareTurnAsync(reply.TenantId, reply.SessionId, executionId, turn.StoredToolMode, linked.Token)) with { DecidedApprovalId = decidedApprovalId };
            var callbacks = new AgentLoopCallbacks
            {
                ToolCallRequested = (call, _) => PublishToolPartAsync(turn, call.ToCallPart()),
                ToolCallCompleted = (call, _) => PublishToolPartAsync(turn, call.ToResultPart()),
                WaitingForPerson = waits.Begin,
            };
            await foreach (var update in agentLoop.RunAsync(recorder, prompt, new ChatOptions { ModelId = lease.ModelId, Temperature = turn.Temperature }, loopRequest, callbacks, linked.Token))
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
                            if (firstTokenAt is null)
                            {
                                firstTokenAt = time.GetTimestamp();
                                waitedBeforeFirstToken = waits.Elapsed;
                            }

                            run.Append(chunk.Text);
                            chunksSinceFlush++;
                            break;
                    }
                }

                if (chunksSinceFlush >= streamingOptions.FlushTokenCount || time.GetElapsedTime(lastFlush).TotalMilliseconds >= streamingOptions.FlushIntervalMs)
                {
                    await WriteInterimAsync(turn, publish: false);
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

        // Reported usage of every model call of the tool loop, or our count marked as an estimate where a call reported none.
        var usage = recorder.Usage;
        var end = time.GetTimestamp();
        // Approval waits are left out of the time to first token and the token rate (the reply's meta says so).
        var ttft = firstTokenAt is { } first ? (time.GetElapsedTime(started, first) - waitedBeforeFirstToken).TotalMilliseconds : (double?)null;
        var seconds = firstTokenAt is { } from ? (time.GetElapsedTime(from, end) - (waits.Elapsed - waitedBeforeFirstToken)).TotalSeconds : 0;
        var rate = usage?.OutputTokenCount is > 0 && seconds > 0 ? usage.OutputTokenCount.Value / seconds : (double?)null;

        // Written once the provider is done, so it never holds the request back, and before the final state, so whoever
        // sees the reply end can open what the model saw.
        await SaveContextAsync(turn, plan, executionId, stages);
        await FinishAsync(turn, status, error, usage, ttft, rate, time.GetElapsedTime(started, end).TotalMilliseconds, recorder.Retries);
    }

    /// <summary>
    /// Keeps "what the model saw" and the timed stages before the model call with the execution; a failure to keep them is
    /// logged, never fails the turn or its final state.
    /// </summary>
    private async Task SaveContextAsync(ChatTurn turn, ContextPlan plan, Guid executionId, TurnStages stages)
    {
        try
        {
            await turnContexts.AddAsync(new TurnContext(executionId, turn.Reply.TenantId, turn.Reply.SessionId, turn.Reply.Id, turn.Lease.ProviderName, turn.Lease.ModelId,
                plan.Tokenizer, plan.IsEstimate, plan.ContextWindow, plan.Budget, plan.TotalTokens, plan.Parts, time.GetUtcNow()), CancellationToken.None);
            await traces.AddRangeAsync(stages.ToTraceEvents(turn.Reply.TenantId, turn.Reply.SessionId, executionId), CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Keeping the context of execution {ExecutionId} failed", executionId);
        }
    }

    /// <summary>A tool call or result goes on the reply at once (persisted and pushed), so its card shows while the turn runs.</summary>
    internal Task PublishToolPartAsync(ChatTurn turn, MessagePart part)
    {
        turn.AddToolPart(part, turn.Run.Text);
        return WriteInterimAsync(turn, publish: true);
    }

    /// <summary>A streaming snapshot of the reply: written (and pushed) unless the turn already ended.</summary>
    internal async Task WriteInterimAsync(ChatTurn turn, bool publish)
    {
        await turn.WriteGate.WaitAsync(CancellationToken.None);
        try
        {
            if (turn.HasEnded)
            {
                return;
            }

            var snapshot = turn.Reply with { Parts = turn.PartsWith(turn.Run.Text), UpdatedAt = turn.NextWriteTime(time.GetUtcNow()) };
            await messages.UpdateAsync(snapshot, CancellationToken.None);
            if (publish)
            {
                Publish(new SessionChange(turn.Run.SessionId, [snapshot], null));
            }
        }
        finally
        {
            turn.WriteGate.Release();
        }
    }

    /// <summary>Writes the reply's final state (once, whatever ended it), releases the session and pushes the final copy last.</summary>
    internal async Task FinishAsync(ChatTurn turn, MessageStatus status, string? error, UsageDetails? usage, double? ttft, double? rate, double? totalMs = null, int? retries = null)
    {
        await turn.WriteGate.WaitAsync(CancellationToken.None);
        try
        {
            if (!turn.TryEnd())
            {
                return;
            }

            var run = turn.Run;
            var reply = turn.Reply;

            // No model call ended (refused before the first one): usage and cost stay absent (null), never a silent zero.
            var finalUsage = usage is null ? reply.Usage : new TokenUsage(
                usage.InputTokenCount ?? 0,
                usage.OutputTokenCount ?? 0,
                usage.CachedInputTokenCount ?? 0,
                usage.ReasoningTokenCount ?? 0,
                turn.Lease.ModelId,
                turn.Lease.ProviderName,
                ProviderCallRecorder.IsEstimated(usage));
            var cost = AgentOptionsValidator.ToPriceTable(options.Value).Price(finalUsage);
            var final = reply with
            {
                Parts = turn.PartsWith(run.Text),
                Status = status,
                Error = error ?? turn.Notice,
                UpdatedAt = turn.NextWriteTime(time.GetUtcNow()),
                Usage = finalUsage,
                Cost = cost?.Amount ?? reply.Cost,
                PriceTableVersion = cost?.PriceTableVersion ?? reply.PriceTableVersion,
                TimeToFirstTokenMs = ttft ?? reply.TimeToFirstTokenMs,
                TokensPerSecond = rate ?? reply.TokensPerSecond,
                TotalTimeMs = totalMs ?? reply.TotalTimeMs,
                Retries = retries ?? reply.Retries,
            };
            turn.Reply = final;

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
                streaming.TryRemove(new KeyValuePair<Guid, ChatTurn>(run.AssistantMessageId, turn));
                Release(run, final);
            }
        }
        finally
        {
            turn.WriteGate.Release();
        }
    }

    /// <summary>Frees the session: the run completes, the final copy of the reply (if any) is pushed, then idle waiters go on.</summary>
    private void Release(LiveReply run, SessionMessage? final = null)
    {
        runs.TryRemove(new KeyValuePair<Guid, LiveReply>(run.SessionId, run));
        run.Complete();
        run.Dispose();
        try
        {
            if (final is not null)
            {
                Publish(new SessionChange(run.SessionId, [final], null));
            }
        }
        finally
        {
            // Last: whoever waits for the session to be idle sees the run completed and its final change published.
            if (idle.TryRemove(run.SessionId, out var done))
            {
                done.TrySetResult();
            }
        }
    }

    /// <summary>Asks every live turn to stop (shutdown).</summary>
    internal void StopAll()
    {
        foreach (var run in runs.Values)
        {
            run.Stop();
        }
    }
}
