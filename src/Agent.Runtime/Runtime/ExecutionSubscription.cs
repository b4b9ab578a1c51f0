using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Agent.Domain.Tools;

namespace Agent.Runtime.Runtime;

/// <summary>Where a page or a transport subscribes to an execution (<see cref="ExecutionSubscription"/>).</summary>
public interface IExecutionEventSource
{
    /// <summary>
    /// The events of an execution of the tenant after <paramref name="start"/>, or null when the tenant has no such
    /// execution. The sequence ends after the end event, or when its enumeration is cancelled; when nothing happens for
    /// <paramref name="keepAlive"/> it yields an <see cref="ExecutionKeepAliveEvent"/>.
    /// </summary>
    Task<IAsyncEnumerable<ExecutionStreamEvent>?> SubscribeAsync(string tenantId, Guid executionId, ExecutionCursor start, TimeSpan keepAlive, CancellationToken cancellationToken);
}

/// <summary>
/// Subscribes to one execution: its WAL entries (as status, artifact and tool events), the reply it streams (text and
/// tool parts, through an <see cref="IExecutionReplySource"/>), awaiting_approval as it comes and goes, and an end event
/// once it has ended. Every event carries the <see cref="ExecutionCursor"/> after it; a subscription started from a
/// cursor repeats nothing before it. A transport (the SSE route) only formats what this yields; the chat page reads a
/// streaming reply's text from it too.
/// </summary>
/// <remarks>
/// Nothing here holds a lock of the runtime: the feed, the approvals and the reply only set a flag and wake the
/// subscriber's loop, which then reads the stores on its own time. A wake that carries nothing (a change that sent no
/// signal) is covered by re-reading everything once per keep-alive interval.
/// </remarks>
public sealed class ExecutionSubscription(
    ExecutionRuntime runtime,
    ExecutionFeed feed,
    IWalStore wal,
    ArtifactRegistry artifacts,
    ExecutionStatusReader statuses,
    IEnumerable<IExecutionReplySource> replies,
    TimeProvider time,
    IToolApprovalNotifications? approvalNotifications = null) : IExecutionEventSource
{
    private readonly IReadOnlyList<IExecutionReplySource> replySources = [.. replies];
    private int open;

    /// <summary>Streams being read right now (they end when their reader stops, for example when a client disconnects).</summary>
    internal int OpenStreams => Volatile.Read(ref open);

    public async Task<IAsyncEnumerable<ExecutionStreamEvent>?> SubscribeAsync(string tenantId, Guid executionId, ExecutionCursor start, TimeSpan keepAlive, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(keepAlive, TimeSpan.Zero);
        var record = await runtime.FindAsync(tenantId, executionId, cancellationToken);
        return record is null ? null : StreamAsync(record, start, keepAlive, CancellationToken.None);
    }

    private async IAsyncEnumerable<ExecutionStreamEvent> StreamAsync(ExecutionRecord execution, ExecutionCursor start, TimeSpan keepAlive, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var id = execution.Id;
        var tenant = execution.TenantId;
        var wake = new Wake();

        // Watch first, read afterwards: a change between the two is then read, never missed.
        using var fromFeed = feed.Subscribe(change =>
        {
            if (change.Execution.Id == id)
            {
                wake.Set(Wake.WalChanged);
            }
        });
        using var fromApprovals = approvalNotifications?.Subscribe(request =>
        {
            if (request.ExecutionId == id)
            {
                wake.Set(Wake.ApprovalsChanged);
            }
        });
        using var reply = replySources.Select(source => source.Watch(execution, () => wake.Set(Wake.ReplyChanged))).FirstOrDefault(watch => watch is not null);

        Interlocked.Increment(ref open);
        try
        {
            var state = new StreamState(start with { Text = reply is null ? null : start.Text ?? 0 });
            var lastSent = time.GetTimestamp();
            while (true)
            {
                var changed = wake.Take();
                var fresh = new List<WalEntry>();
                if ((changed & Wake.WalChanged) != 0)
                {
                    foreach (var entry in await wal.ReadByExecutionAsync(id, state.ReadUpTo, cancellationToken))
                    {
                        state.ReadUpTo = entry.Sequence;
                        if (entry.Sequence <= state.Cursor.Wal)
                        {
                            state.Fold.Apply(entry); // sent before the reconnect: it only moves the status on
                        }
                        else
                        {
                            fresh.Add(entry);
                        }
                    }
                }

                var finalStatus = fresh.Select(StatusFold.TargetOf).LastOrDefault(s => s is not null) ?? state.Fold.Status;
                var ended = ContractStatus.Of(finalStatus).HasEnded;
                if (finalStatus != ExecutionStatus.Running)
                {
                    state.Awaiting = false;
                }
                else if ((changed & Wake.ApprovalsChanged) != 0 || state.Fold.Status != finalStatus)
                {
                    // Read the pending approvals when they changed or the execution (re)started, not on every entry.
                    state.Awaiting = await statuses.HasPendingApprovalAsync(tenant, id, cancellationToken);
                }

                ExecutionReply? output = null;
                if (reply is not null && ((changed & Wake.ReplyChanged) != 0 || fresh.Count > 0 || ended))
                {
                    output = await reply.ReadAsync(cancellationToken);
                }

                // In the order things happened as far as one read can tell: the entries, the reply, and the entry that
                // ended the execution after the reply (the reply's last words are written before its execution ends).
                var split = ended ? fresh.FindLastIndex(e => StatusFold.TargetOf(e) is not null) : fresh.Count;
                var sent = false;
                for (var i = 0; i < split; i++)
                {
                    yield return await EventForAsync(state, fresh[i], tenant, reply?.MessageId, cancellationToken);
                    sent = true;
                }

                if (output is not null)
                {
                    foreach (var item in ReplyEvents(state, output, ended))
                    {
                        yield return item;
                        sent = true;
                    }
                }

                for (var i = Math.Max(split, 0); i < fresh.Count; i++)
                {
                    yield return await EventForAsync(state, fresh[i], tenant, reply?.MessageId, cancellationToken);
                    sent = true;
                }

                if (ended)
                {
                    var record = await runtime.FindAsync(tenant, id, cancellationToken);
                    var final = state.Current;
                    yield return new ExecutionEndEvent(state.Cursor, new ExecutionStreamEnd(final.Status, final.SubStatus, state.Fold.Error ?? record?.Error,
                        record?.Progress ?? 0, record?.ProgressMessage, record?.EndedAt));
                    yield break;
                }

                if (state.Current != state.Shown)
                {
                    // A change the WAL does not record: a tool call started or stopped waiting for a person.
                    state.Shown = state.Current;
                    yield return new ExecutionStatusEvent(state.Cursor, new ExecutionStreamStatus(state.Current.Status, state.Current.SubStatus, null, null));
                    sent = true;
                }

                if (sent)
                {
                    lastSent = time.GetTimestamp();
                }

                var idle = time.GetElapsedTime(lastSent);
                if (idle >= keepAlive)
                {
                    yield return new ExecutionKeepAliveEvent(state.Cursor);
                    lastSent = time.GetTimestamp();
                    idle = TimeSpan.Zero;
                }

                if (!await wake.WaitAsync(keepAlive - idle, time, cancellationToken))
                {
                    wake.Set(Wake.Everything); // nothing signalled for a while: read everything once more
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref open);
        }
    }

    /// <summary>The event for one WAL entry: an artifact it registered, a tool event, or the status after it.</summary>
    private async Task<ExecutionStreamEvent> EventForAsync(StreamState state, WalEntry entry, string tenant, Guid? messageId, CancellationToken cancellationToken)
    {
        state.Fold.Apply(entry);
        state.Cursor = state.Cursor with { Wal = entry.Sequence };
        var view = ExecutionEventView.Of(entry);
        if (entry.Kind == WalEntryKind.DomainEvent)
        {
            if (entry.EventType == "artifact.created" && ArtifactIdOf(view) is { } artifactId
                && await artifacts.ResolveAsync(tenant, artifactId, cancellationToken) is { } artifact)
            {
                return new ExecutionArtifactEvent(state.Cursor, ArtifactView.Of(artifact));
            }

            if (entry.EventType.StartsWith("tool.", StringComparison.Ordinal))
            {
                return new ExecutionToolEvent(state.Cursor, new ReplyToolActivity(messageId, null, view));
            }
        }

        var current = state.Current;
        state.Shown = current;
        return new ExecutionStatusEvent(state.Cursor, new ExecutionStreamStatus(current.Status, current.SubStatus,
            entry.Kind == WalEntryKind.LifecycleTransition ? state.Fold.Error : null, view));
    }

    /// <summary>The reply's text and tool parts the subscriber does not have yet, each tool part after the text before it.</summary>
    private static List<ExecutionStreamEvent> ReplyEvents(StreamState state, ExecutionReply reply, bool ended)
    {
        var events = new List<ExecutionStreamEvent>();
        for (var i = state.Cursor.Tools; i < reply.ToolParts.Count; i++)
        {
            var part = reply.ToolParts[i];
            AddText(Math.Min(part.Position, reply.Text.Length), final: true);
            state.Cursor = state.Cursor with { Tools = i + 1 };
            events.Add(new ExecutionToolEvent(state.Cursor, new ReplyToolActivity(reply.MessageId, part.Part, null)));
        }

        AddText(reply.Text.Length, final: ended);
        return events;

        void AddText(int end, bool final)
        {
            var start = state.Cursor.Text ?? 0;

            // A character outside the Basic Multilingual Plane is two UTF-16 units; never send half of one while more may follow.
            if (!final && end > start && char.IsHighSurrogate(reply.Text[end - 1]))
            {
                end--;
            }

            if (end > start)
            {
                state.Cursor = state.Cursor with { Text = end };
                events.Add(new ExecutionTextEvent(state.Cursor, new ReplyTextChunk(reply.MessageId, start, reply.Text[start..end])));
            }
        }
    }

    private static Guid? ArtifactIdOf(ExecutionEventView view) =>
        view.Payload.ValueKind == JsonValueKind.Object && view.Payload.TryGetProperty("artifactId", out var value) && value.TryGetGuid(out var id) ? id : null;

    /// <summary>What one subscriber has been sent, and the status as of the last entry read.</summary>
    private sealed class StreamState(ExecutionCursor cursor)
    {
        public ExecutionCursor Cursor { get; set; } = cursor;

        /// <summary>The highest WAL sequence read so far (sent, or skipped as sent before a reconnect).</summary>
        public long ReadUpTo { get; set; }

        public StatusFold Fold { get; } = new();

        /// <summary>Whether a tool call of the running execution waits for a person (the WAL does not record it).</summary>
        public bool Awaiting { get; set; }

        /// <summary>
        /// The status last sent; null before the first. A reconnect starts from null too: awaiting_approval is in no WAL
        /// entry, so the cursor cannot say whether the subscriber saw it come or go, and a resumed stream with no newer
        /// entry starts with the current status (an event without an entry, never a repeated entry).
        /// </summary>
        public ContractStatus? Shown { get; set; }

        public ContractStatus Current => ContractStatus.Of(Fold.Status, Awaiting && Fold.Status == ExecutionStatus.Running);
    }

    /// <summary>The lifecycle as the WAL tells it: every transition names the status it moved to, and a failure its error.</summary>
    private sealed class StatusFold
    {
        public ExecutionStatus Status { get; private set; } = ExecutionStatus.Created;

        /// <summary>The error the last transition recorded (a failure's, or a retry's reason), or null.</summary>
        public string? Error { get; private set; }

        public void Apply(WalEntry entry)
        {
            if (TargetOf(entry) is { } to)
            {
                Status = to;
                Error = ErrorOf(entry);
            }
        }

        public static ExecutionStatus? TargetOf(WalEntry entry)
        {
            if (entry.Kind != WalEntryKind.LifecycleTransition)
            {
                return null;
            }

            using var payload = Parse(entry.PayloadJson);
            return payload?.RootElement.ValueKind == JsonValueKind.Object
                && payload.RootElement.TryGetProperty("to", out var to) && to.ValueKind == JsonValueKind.String
                && Enum.TryParse<ExecutionStatus>(to.GetString(), ignoreCase: false, out var status)
                ? status
                : null;
        }

        private static string? ErrorOf(WalEntry entry)
        {
            using var payload = Parse(entry.PayloadJson);
            if (payload?.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var root = payload.RootElement;
            var holder = root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.Object ? detail : root;
            return holder.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : null;
        }

        private static JsonDocument? Parse(string json)
        {
            try
            {
                return JsonDocument.Parse(json);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>What changed since the loop last looked, and a wake-up for it; setting never blocks.</summary>
    private sealed class Wake
    {
        public const int WalChanged = 1;
        public const int ReplyChanged = 2;
        public const int ApprovalsChanged = 4;
        public const int Everything = WalChanged | ReplyChanged | ApprovalsChanged;

        private readonly Channel<bool> signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        private int pending = Everything;

        public void Set(int what)
        {
            Interlocked.Or(ref pending, what);
            signal.Writer.TryWrite(true);
        }

        /// <summary>What changed since the last call (the flags are cleared).</summary>
        public int Take() => Interlocked.Exchange(ref pending, 0);

        /// <summary>True when something was set before <paramref name="timeout"/> passed.</summary>
        public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
        {
            if (Volatile.Read(ref pending) != 0)
            {
                signal.Reader.TryRead(out _);
                return true;
            }

            using var timer = new CancellationTokenSource(timeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
            try
            {
                await signal.Reader.WaitToReadAsync(linked.Token);
                signal.Reader.TryRead(out _);
                return true;
            }
            catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }
    }
}
