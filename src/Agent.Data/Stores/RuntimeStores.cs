using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Microsoft.EntityFrameworkCore;

namespace Agent.Data.Stores;

public sealed class ExecutionStore(IDbContextFactory<AgentDbContext> contexts) : IExecutionStore
{
    public async Task AddAsync(ExecutionRecord record, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Executions.Add(record);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task UpdateAsync(ExecutionRecord record, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Executions.Update(record);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<ExecutionRecord?> FindAsync(string tenantId, Guid executionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Executions.AsNoTracking().FirstOrDefaultAsync(x => x.Id == executionId && x.TenantId == tenantId, cancellationToken);
    }

    public async Task<ExecutionRecord?> FindByIdempotencyKeyAsync(string tenantId, string idempotencyKey, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Executions.AsNoTracking().FirstOrDefaultAsync(x => x.TenantId == tenantId && x.IdempotencyKey == idempotencyKey, cancellationToken);
    }

    public async Task<IReadOnlyList<ExecutionRecord>> ListAsync(string tenantId, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Executions.AsNoTracking().Where(x => x.TenantId == tenantId)
            .OrderByDescending(x => x.CreatedAt).Skip(skip).Take(take).ToListAsync(cancellationToken);
    }

    public async Task<ExecutionPage> PageAsync(string tenantId, ExecutionFilter filter, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Executions.AsNoTracking().Where(x => x.TenantId == tenantId);
        if (filter.Status is { } only)
        {
            query = query.Where(x => x.Status == only);
        }

        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            var pattern = "%" + filter.Text.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
            var intents = filter.Intents ?? [];
            query = query.Where(x => intents.Contains(x.Intent)
                || db.Sessions.Any(s => s.TenantId == tenantId && s.Id == x.SessionId && EF.Functions.Like(s.Title, pattern, "\\")));
        }

        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(x => x.CreatedAt).Skip(skip).Take(take).ToListAsync(cancellationToken);
        return new ExecutionPage(items, total);
    }

    public async Task<IReadOnlyList<ExecutionRecord>> ListByStatusAsync(IReadOnlyCollection<ExecutionStatus> statuses, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Executions.AsNoTracking().Where(x => statuses.Contains(x.Status))
            .OrderBy(x => x.CreatedAt).ToListAsync(cancellationToken);
    }
}

public sealed class ArtifactStore(IDbContextFactory<AgentDbContext> contexts) : IArtifactStore
{
    public async Task AddAsync(Artifact artifact, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Artifacts.Add(artifact);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task UpdateAsync(Artifact artifact, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Artifacts.Update(artifact);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<Artifact?> FindAsync(string tenantId, Guid artifactId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Artifacts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == artifactId && a.TenantId == tenantId, cancellationToken);
    }

    public async Task<IReadOnlyList<Artifact>> ListAsync(ArtifactQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var q = db.Artifacts.AsNoTracking().Where(a => a.TenantId == query.TenantId);
        if (query.Type is { } type)
        {
            q = q.Where(a => a.Type == type);
        }

        if (query.Lifecycle is { } lifecycle)
        {
            q = q.Where(a => a.Lifecycle == lifecycle);
        }

        if (query.ProducedByExecutionId is { } executionId)
        {
            q = q.Where(a => a.ProducedByExecutionId == executionId);
        }

        return await q.OrderByDescending(a => a.CreatedAt).Skip(query.Skip).Take(query.Take).ToListAsync(cancellationToken);
    }
}

public sealed class WalStore(IDbContextFactory<AgentDbContext> contexts) : IWalStore
{
    public async Task<WalEntry> AppendAsync(WalEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = entry with { Sequence = 0 };
        db.Wal.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        return row;
    }

    public async Task<IReadOnlyList<WalEntry>> ReadAsync(long afterSequence, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Wal.AsNoTracking().Where(w => w.Sequence > afterSequence).OrderBy(w => w.Sequence).Take(take).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<WalEntry>> ReadByExecutionAsync(Guid executionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Wal.AsNoTracking().Where(w => w.ExecutionId == executionId).OrderBy(w => w.Sequence).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<WalEntry>> ReadByExecutionAsync(Guid executionId, long afterSequence, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Wal.AsNoTracking().Where(w => w.ExecutionId == executionId && w.Sequence > afterSequence).OrderBy(w => w.Sequence).ToListAsync(cancellationToken);
    }

    public async Task<long> LastSequenceAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Wal.MaxAsync(w => (long?)w.Sequence, cancellationToken) ?? 0;
    }
}
