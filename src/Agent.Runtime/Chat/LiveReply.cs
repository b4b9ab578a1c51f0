using System.Text;

namespace Agent.Runtime.Chat;

/// <summary>
/// A reply being streamed right now. Owned by the chat coordinator, not by any browser circuit: components only
/// subscribe (<see cref="Subscribe"/>), so closing a tab never stops it.
/// </summary>
public sealed class LiveReply : IDisposable
{
    private readonly StringBuilder text = new();
    private readonly CancellationTokenSource cancellation = new();
    private readonly Lock gate = new();
    private readonly List<ThrottledSubscription> subscriptions = [];
    private readonly TimeProvider time;
    private bool completed;

    // Claimed (the reply is stored and its execution submitted or about to be) -> Streaming (the send_message
    // handler took it) -> Ended. A stop before the handler took it ends it without any provider call.
    private const int Claimed = 0;
    private const int Taken = 1;
    private const int Ended = 2;
    private int state = Claimed;

    public LiveReply(Guid sessionId, Guid assistantMessageId, string initialText)
        : this(sessionId, assistantMessageId, initialText, TimeProvider.System)
    {
    }

    public LiveReply(Guid sessionId, Guid assistantMessageId, string initialText, TimeProvider time)
    {
        SessionId = sessionId;
        AssistantMessageId = assistantMessageId;
        this.time = time;
        text.Append(initialText);
    }

    public Guid SessionId { get; }

    public Guid AssistantMessageId { get; }

    /// <summary>The tenant whose reply this is (set by the streamer that claimed the session).</summary>
    internal string TenantId { get; init; } = "";

    /// <summary>The session as the coordinator read it when it claimed the session in this process (saves the turn a read); null after a restart.</summary>
    internal Agent.Domain.Sessions.ChatSession? Session { get; init; }

    /// <summary>The send_message execution streaming this reply, once the runtime accepted it.</summary>
    public Guid? ExecutionId { get; internal set; }

    /// <summary>The handler takes the reply; false when it was already ended (stopped before its execution started).</summary>
    internal bool TryTake() => Interlocked.CompareExchange(ref state, Taken, Claimed) == Claimed;

    /// <summary>Ends a reply no handler took; false when a handler has it (that handler writes its end).</summary>
    internal bool TryEndUntaken() => Interlocked.CompareExchange(ref state, Ended, Claimed) == Claimed;

    public CancellationToken Token => cancellation.Token;

    public bool StopRequested => cancellation.IsCancellationRequested;

    /// <summary>True once the reply reached its final state (its stored message then says which).</summary>
    public bool IsCompleted
    {
        get
        {
            lock (gate)
            {
                return completed;
            }
        }
    }

    public string Text
    {
        get
        {
            lock (gate)
            {
                return text.ToString();
            }
        }
    }

    /// <summary>
    /// Calls <paramref name="onChanged"/> at most once per <paramref name="minInterval"/> while text arrives, always once
    /// more after the last chunk, and once at completion (without waiting for the interval). Dispose to stop.
    /// </summary>
    public IDisposable Subscribe(Func<Task> onChanged, TimeSpan minInterval)
    {
        ArgumentNullException.ThrowIfNull(onChanged);
        var subscription = new ThrottledSubscription(this, onChanged, minInterval, time);
        bool alreadyCompleted;
        lock (gate)
        {
            alreadyCompleted = completed;
            if (!alreadyCompleted)
            {
                subscriptions.Add(subscription);
            }
        }

        if (alreadyCompleted)
        {
            subscription.Notify(final: true);
        }

        return subscription;
    }

    internal void Append(string chunk)
    {
        ThrottledSubscription[] targets;
        lock (gate)
        {
            text.Append(chunk);
            targets = [.. subscriptions];
        }

        foreach (var target in targets)
        {
            target.Notify(final: false);
        }
    }

    /// <summary>The reply reached its final state: subscribers get one last call, then are let go.</summary>
    internal void Complete()
    {
        ThrottledSubscription[] targets;
        lock (gate)
        {
            if (completed)
            {
                return;
            }

            completed = true;
            targets = [.. subscriptions];
            subscriptions.Clear();
        }

        foreach (var target in targets)
        {
            target.Notify(final: true);
        }
    }

    internal void Stop() => cancellation.Cancel();

    private void Remove(ThrottledSubscription subscription)
    {
        lock (gate)
        {
            subscriptions.Remove(subscription);
        }
    }

    public void Dispose() => cancellation.Dispose();

    /// <summary>One pump per subscriber: a burst of chunks becomes one call; calls never overlap.</summary>
    private sealed class ThrottledSubscription(LiveReply owner, Func<Task> onChanged, TimeSpan minInterval, TimeProvider time) : IDisposable
    {
        private readonly Lock gate = new();
        private readonly CancellationTokenSource disposed = new();
        private CancellationTokenSource? waiting;
        private bool dirty;
        private bool final;
        private bool pumping;
        private long? lastCall;

        public void Notify(bool final)
        {
            lock (gate)
            {
                if (disposed.IsCancellationRequested)
                {
                    return;
                }

                dirty = true;
                this.final |= final;
                if (final)
                {
                    waiting?.Cancel(); // completion is shown at once
                }

                if (pumping)
                {
                    return;
                }

                pumping = true;
            }

            _ = PumpAsync();
        }

        private async Task PumpAsync()
        {
            while (true)
            {
                CancellationTokenSource? wait = null;
                var remaining = TimeSpan.Zero;
                lock (gate)
                {
                    remaining = lastCall is { } last ? minInterval - time.GetElapsedTime(last) : TimeSpan.Zero;
                    if (!final && remaining > TimeSpan.Zero)
                    {
                        wait = waiting = CancellationTokenSource.CreateLinkedTokenSource(disposed.Token);
                    }
                }

                if (wait is not null)
                {
                    try
                    {
                        await Task.Delay(remaining, time, wait.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // The interval passed, completion came, or the subscriber left.
                    }

                    lock (gate)
                    {
                        waiting = null;
                    }

                    wait.Dispose();
                }

                lock (gate)
                {
                    if (disposed.IsCancellationRequested || !dirty)
                    {
                        pumping = false;
                        return;
                    }

                    dirty = false;
                    lastCall = time.GetTimestamp();
                }

                try
                {
                    await onChanged().ConfigureAwait(false);
                }
                catch (Exception) when (!disposed.IsCancellationRequested)
                {
                    // A subscriber's failure is its own; the stream and the other subscribers go on.
                }
            }
        }

        public void Dispose()
        {
            lock (gate)
            {
                if (disposed.IsCancellationRequested)
                {
                    return;
                }

                disposed.Cancel();
            }

            owner.Remove(this);
        }
    }
}
