using Agent.Domain.Runtime;

namespace Agent.Runtime.Runtime;

/// <summary>A change to an execution: its new record and, when one was written, the WAL entry that recorded it.</summary>
public sealed record ExecutionChange(ExecutionRecord Execution, WalEntry? Entry);

/// <summary>In-process pub/sub of execution changes, so open Runs panels update live without reload.</summary>
public sealed class ExecutionFeed(ILogger<ExecutionFeed> logger)
{
    private readonly Lock gate = new();
    private readonly List<Action<ExecutionChange>> subscribers = [];

    public IDisposable Subscribe(Action<ExecutionChange> subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        lock (gate)
        {
            subscribers.Add(subscriber);
        }

        return new Subscription(this, subscriber);
    }

    public void Publish(ExecutionChange change)
    {
        Action<ExecutionChange>[] snapshot;
        lock (gate)
        {
            snapshot = [.. subscribers];
        }

        foreach (var subscriber in snapshot)
        {
            try
            {
                subscriber(change);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "An execution feed subscriber failed for execution {ExecutionId}", change.Execution.Id);
            }
        }
    }

    private void Unsubscribe(Action<ExecutionChange> subscriber)
    {
        lock (gate)
        {
            subscribers.Remove(subscriber);
        }
    }

    private sealed class Subscription(ExecutionFeed feed, Action<ExecutionChange> subscriber) : IDisposable
    {
        public void Dispose() => feed.Unsubscribe(subscriber);
    }
}
