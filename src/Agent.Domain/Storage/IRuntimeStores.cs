using Agent.Domain.Runtime;

namespace Agent.Domain.Storage;

public interface IExecutionStore
{
    Task AddAsync(ExecutionRecord record, CancellationToken cancellationToken);

    Task UpdateAsync(ExecutionRecord record, CancellationToken cancellationToken);

    Task<ExecutionRecord?> FindAsync(string tenantId, Guid executionId, CancellationToken cancellationToken);

    Task<ExecutionRecord?> FindByIdempotencyKeyAsync(string tenantId, string idempotencyKey, CancellationToken cancellationToken);

    Task<IReadOnlyList<ExecutionRecord>> ListAsync(string tenantId, int skip, int take, CancellationToken cancellationToken);

    Task<IReadOnlyList<ExecutionRecord>> ListByStatusAsync(IReadOnlyCollection<ExecutionStatus> statuses, CancellationToken cancellationToken);

    /// <summary>One page of the tenant's executions, newest first, that match the filter, with the total that matched.</summary>
    Task<ExecutionPage> PageAsync(string tenantId, ExecutionFilter filter, int skip, int take, CancellationToken cancellationToken);
}

/// <summary>
/// Which executions a page lists: of one status (null: any); and, when <see cref="Text"/> is given, those whose session's
/// title contains it (case-insensitive) or whose intent is one of <see cref="Intents"/> (the intents whose name in words matched).
/// </summary>
public sealed record ExecutionFilter(ExecutionStatus? Status = null, string? Text = null, IReadOnlyCollection<string>? Intents = null)
{
    public static ExecutionFilter All { get; } = new();
}

/// <summary>A page of executions and how many matched in all.</summary>
public sealed record ExecutionPage(IReadOnlyList<ExecutionRecord> Items, int Total);

public interface IArtifactStore
{
    Task AddAsync(Artifact artifact, CancellationToken cancellationToken);

    Task UpdateAsync(Artifact artifact, CancellationToken cancellationToken);

    Task<Artifact?> FindAsync(string tenantId, Guid artifactId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Artifact>> ListAsync(ArtifactQuery query, CancellationToken cancellationToken);
}

public sealed record ArtifactQuery(
    string TenantId,
    string? Type = null,
    ArtifactLifecycle? Lifecycle = null,
    Guid? ProducedByExecutionId = null,
    int Skip = 0,
    int Take = 50);

public interface IWalStore
{
    /// <summary>Appends and returns the entry with the sequence number the store assigned.</summary>
    Task<WalEntry> AppendAsync(WalEntry entry, CancellationToken cancellationToken);

    Task<IReadOnlyList<WalEntry>> ReadAsync(long afterSequence, int take, CancellationToken cancellationToken);

    Task<IReadOnlyList<WalEntry>> ReadByExecutionAsync(Guid executionId, CancellationToken cancellationToken);

    /// <summary>The entries of one execution after <paramref name="afterSequence"/>, in order (what a subscriber has not seen yet).</summary>
    Task<IReadOnlyList<WalEntry>> ReadByExecutionAsync(Guid executionId, long afterSequence, CancellationToken cancellationToken);

    Task<long> LastSequenceAsync(CancellationToken cancellationToken);
}
