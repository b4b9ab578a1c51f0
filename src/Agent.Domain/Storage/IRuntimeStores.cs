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

    /// <summary>One page of the tenant's executions, newest first, optionally of one status, with the total that matched.</summary>
    Task<ExecutionPage> PageAsync(string tenantId, ExecutionStatus? status, int skip, int take, CancellationToken cancellationToken);
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
