using System.Collections.Concurrent;
using Agent.Domain.Configuration;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Agent.Runtime.Telemetry;
using Agent.Runtime.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.Chat;

/// <summary>
/// Streams prepared turns and keeps the registry of live ones (one per session). Every write of a reply goes
/// through the turn's write gate: interim snapshots (periodic flush, tool cards) and the final state are
/// serialized, and nothing is persisted or published for a turn after its terminal write.
/// </summary>
public sealed class ChatTurnStreamer(
    IMessageStore messages,
    ToolRegistry tools,
    AgentLoop agentLoop,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<ChatTurnStreamer> logger,
    ITokenCounter counter,
    ITraceStore traces,
    ILoggerFactory? loggers = null,
    TurnUsageBoard? usageBoard = null)
{
    private readonly ConcurrentDictionary<Guid, LiveRun> runs = new();
    private readonly ConcurrentDictionary<Guid, ChatTurn> turnsByMessage = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> idle = new();

    /// <summary>Raised whenever a session's stored messages change; see <see cref="SessionChange"/> for ordering.</summary>
    public event Action<SessionChange>? SessionChanged;

    public LiveRun? LiveRunFor(Guid sessionId) => runs.GetValueOrDefault(sessionId);

    public bool IsStreaming(Guid sessionId) => runs.ContainsKey(sessionId);

    /// <summary>Waits for a session's reply to end (tests and deletion).</summary>
    public Task WhenIdleAsync(Guid sessionId) => idle.TryGetValue(sessionId, out var done) ? done.Task : Task.CompletedTask;

    /// <summary>How many turns are registered (live runs, prepared turns, idle waiters): all zero when nothing streams.</summary>
    internal (int Runs, int Turns, int Waiters) RegistryCounts => (runs.Count, turnsByMessage.Count, idle.Count);

    internal ChatTurn? TurnFor(Guid assistantMessageId) => turnsByMessage.GetValueOrDefault(assistantMessageId);

    internal void Publish(SessionChange change) => SessionChanged?.Invoke(change);

    internal LiveRun Claim(Guid sessionId, Guid replyId, string initialText)
    {
        var run = new LiveRun(sessionId, replyId, initialText, time);
        if (!runs.TryAdd(sessionId, run))
        {
            run.Dispose();
            throw new ChatRefusedException("A reply is already streaming in this session; stop it first.");
        }

        return run;
    }

    /// <summary>Gives back a session claimed for a turn that never got prepared (its first writes failed).</summary>
    internal void Unclaim(LiveRun run)
    {
        runs.TryRemove(new KeyValuePair<Guid, LiveRun>(run.SessionId, run));
        run.Dispose();
    }

    internal ChatTurn Prepare(LiveRun run, ChatClientLease lease, SessionMessage reply, List<Microsoft.Extensions.AI.ChatMessage> prompt)
    {
        var turn = new ChatTurn(run, lease, reply, prompt);
        idle[run.SessionId] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        turnsByMessage[reply.Id] = turn;
        return turn;
    }

    /// <summary>Ends a turn its execution never took (stopped while queued, or refused): otherwise it would stay streaming and registered.</summary>
    internal async Task<bool> EndUnstartedAsync(ChatTurn turn, MessageStatus status, string? error)
    {
        if (!turn.IsUnstarted)
        {
            return false;
        }

        await FinishAsync(turn, status, error, null, null, null);
        return true;
    }

    /// <summary>Streams the reply of a prepared turn; runs inside the send_message execution.</summary>
    internal async Task<MessageStatus> StreamAsync(ChatTurn turn, Guid executionId, CancellationToken executionToken)
    {
        if (!turn.TryStart())
        {
            return MessageStatus.Cancelled; // stopped before the execution started; already written as such
        }

        turn.Reply = turn.Reply with { ExecutionId = executionId };
        var run = turn.Run;
        var lease = turn.Lease;
        var prompt = turn.TakePrompt();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(run.Token, executionToken);
        var reply = turn.Reply;
        var streaming = options.Value.Streaming;
        var started = time.GetTimestamp();
        long? firstTokenAt = null;
        var lastFlush = started;
        var chunksSinceFlush = 0;
        using var recorder = new ProviderCallRecorder(
            Instrumented(lease.Client),
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
            var loopRequest = await tools.PrepareTurnAsync(reply.TenantId, reply.SessionId, reply.ExecutionId, linked.Token);
            var callbacks = new AgentLoopCallbacks
            {
                ToolCallRequested = (call, _) => PublishToolPartAsync(turn, call.ToCallPart()),
                ToolCallCompleted = (call, _) => PublishToolPartAsync(turn, call.ToResultPart()),
            };
            await foreach (var update in agentLoop.RunAsync(recorder, prompt, new ChatOptions { ModelId = lease.ModelId }, loopRequest, callbacks, linked.Token))
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
                    }
                }

                if (chunksSinceFlush >= streaming.FlushTokenCount || time.GetElapsedTime(lastFlush).TotalMilliseconds >= streaming.FlushIntervalMs)
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
        var ttft = firstTokenAt is { } first ? time.GetElapsedTime(started, first).TotalMilliseconds : (double?)null;
        var seconds = firstTokenAt is { } from ? time.GetElapsedTime(from, end).TotalSeconds : 0;
        var rate = usage?.OutputTokenCount is > 0 && seconds > 0 ? usage.OutputTokenCount.Value / seconds : (double?)null;
        await FinishAsync(turn, status, error, usage, ttft, rate, time.GetElapsedTime(started, end).TotalMilliseconds, recorder.Retries);
        return status;
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
                runs.TryRemove(new KeyValuePair<Guid, LiveRun>(run.SessionId, run));
                turnsByMessage.TryRemove(new KeyValuePair<Guid, ChatTurn>(run.AssistantMessageId, turn));
                run.Complete();
                run.Dispose();
                try
                {
                    Publish(new SessionChange(run.SessionId, [final], null));
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
        }
        finally
        {
            turn.WriteGate.Release();
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

    /// <summary>The provider's client under Microsoft.Extensions.AI's OpenTelemetry client (GenAI spans and metrics; message text only when Agent:Telemetry:OtelIncludeSensitiveData is on).</summary>
    private IChatClient Instrumented(IChatClient client) =>
        new ChatClientBuilder(new Borrowed(client))
            .UseOpenTelemetry(loggers, AgentInstrumentation.GenAiSourceName, otel => otel.EnableSensitiveData = options.Value.Telemetry.OtelIncludeSensitiveData)
            .Build();

    /// <summary>Lets the turn's pipeline be disposed (the OpenTelemetry client's ActivitySource and Meter) without disposing the provider's client under it.</summary>
    private sealed class Borrowed(IChatClient inner) : DelegatingChatClient(inner)
    {
        protected override void Dispose(bool disposing)
        {
            // The provider's client belongs to whoever leased it.
        }
    }
}
