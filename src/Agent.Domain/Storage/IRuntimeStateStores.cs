using Agent.Domain.Runtime;

namespace Agent.Domain.Storage;

/// <summary>Persists an execution record and its WAL entry in one transaction, so neither exists without the other.</summary>
public interface IExecutionJournal
{
    /// <summary>Inserts <paramref name="record"/> and appends <paramref name="entry"/>; returns the entry with its sequence.</summary>
    Task<WalEntry> CreateAsync(ExecutionRecord record, WalEntry entry, CancellationToken cancellationToken);

    /// <summary>Updates <paramref name="record"/> and appends <paramref name="entry"/>; returns the entry with its sequence.</summary>
    Task<WalEntry> UpdateAsync(ExecutionRecord record, WalEntry entry, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts (<paramref name="isNew"/>) or updates <paramref name="record"/> and appends <paramref name="entries"/> in
    /// order, in one transaction; returns the entries with their sequences once that transaction has committed.
    /// </summary>
    Task<IReadOnlyList<WalEntry>> WriteAsync(ExecutionRecord record, bool isNew, IReadOnlyList<WalEntry> entries, CancellationToken cancellationToken);

    /// <summary>Updates many records with their entries in one transaction; returns the entries in order.</summary>
    Task<IReadOnlyList<WalEntry>> UpdateManyAsync(IReadOnlyList<(ExecutionRecord Record, WalEntry Entry)> changes, CancellationToken cancellationToken);

    /// <summary>The executions in <paramref name="statuses"/>, counted by what decides their recovery.</summary>
    Task<IReadOnlyList<UnfinishedGroup>> UnfinishedAsync(IReadOnlyCollection<ExecutionStatus> statuses, CancellationToken cancellationToken);

    /// <summary>
    /// Start-up recovery as set-based statements in one transaction: per group, every execution still in it gets its
    /// interrupted WAL row, and, when the step requeues, its state cleared (a retry) and its queued WAL row; then its
    /// record is updated. Returns how many were interrupted and the records requeued.
    /// </summary>
    Task<RecoveryWrite> RecoverAsync(IReadOnlyList<RecoveryStep> steps, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>Unfinished executions that recover alike: same intent, status, started or not, and attempts.</summary>
public sealed record UnfinishedGroup(string Intent, ExecutionStatus Status, bool NeverStarted, int Attempts, int Count);

/// <summary>What recovery writes for one <see cref="UnfinishedGroup"/>; a null <see cref="Requeue"/> leaves them interrupted.</summary>
public sealed record RecoveryStep(UnfinishedGroup Group, string InterruptedMessage, string InterruptedPayloadJson, RecoveryRequeue? Requeue);

/// <summary>The queued transition recovery adds for a group it resumes or retries; a retry starts with the execution's state cleared.</summary>
public sealed record RecoveryRequeue(string Message, string EventType, string PayloadJson, bool ClearState);

/// <summary>What <see cref="IExecutionJournal.RecoverAsync"/> wrote.</summary>
public sealed record RecoveryWrite(int Interrupted, IReadOnlyList<ExecutionRecord> Requeued);

/// <summary>The persisted key/value state surface.</summary>
public interface IStateStore
{
    Task<string?> GetAsync(string scope, string key, CancellationToken cancellationToken);

    Task SetAsync(StateEntry entry, CancellationToken cancellationToken);

    Task RemoveAsync(string scope, string key, CancellationToken cancellationToken);

    Task ClearScopeAsync(string scope, CancellationToken cancellationToken);

    Task<IReadOnlyList<StateEntry>> ListAsync(string scope, CancellationToken cancellationToken);
}
