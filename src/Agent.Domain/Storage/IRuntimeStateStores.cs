using Agent.Domain.Runtime;

namespace Agent.Domain.Storage;

/// <summary>Persists an execution record and its WAL entry in one transaction, so neither exists without the other.</summary>
public interface IExecutionJournal
{
    /// <summary>Inserts <paramref name="record"/> and appends <paramref name="entry"/>; returns the entry with its sequence.</summary>
    Task<WalEntry> CreateAsync(ExecutionRecord record, WalEntry entry, CancellationToken cancellationToken);

    /// <summary>Updates <paramref name="record"/> and appends <paramref name="entry"/>; returns the entry with its sequence.</summary>
    Task<WalEntry> UpdateAsync(ExecutionRecord record, WalEntry entry, CancellationToken cancellationToken);

    /// <summary>Updates many records with their entries in one transaction (start-up recovery); returns the entries in order.</summary>
    Task<IReadOnlyList<WalEntry>> UpdateManyAsync(IReadOnlyList<(ExecutionRecord Record, WalEntry Entry)> changes, CancellationToken cancellationToken);
}

/// <summary>The persisted key/value state surface.</summary>
public interface IStateStore
{
    Task<string?> GetAsync(string scope, string key, CancellationToken cancellationToken);

    Task SetAsync(StateEntry entry, CancellationToken cancellationToken);

    Task RemoveAsync(string scope, string key, CancellationToken cancellationToken);

    Task ClearScopeAsync(string scope, CancellationToken cancellationToken);

    Task<IReadOnlyList<StateEntry>> ListAsync(string scope, CancellationToken cancellationToken);
}
