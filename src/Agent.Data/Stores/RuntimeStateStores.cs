using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Microsoft.EntityFrameworkCore;

namespace Agent.Data.Stores;

public sealed class ExecutionJournal(IDbContextFactory<AgentDbContext> contexts) : IExecutionJournal
{
    public Task<WalEntry> CreateAsync(ExecutionRecord record, WalEntry entry, CancellationToken cancellationToken) =>
        WriteAsync(db => db.Executions.Add(record), entry, cancellationToken);

    public Task<WalEntry> UpdateAsync(ExecutionRecord record, WalEntry entry, CancellationToken cancellationToken) =>
        WriteAsync(db => db.Executions.Update(record), entry, cancellationToken);

    public async Task<IReadOnlyList<WalEntry>> UpdateManyAsync(IReadOnlyList<(ExecutionRecord Record, WalEntry Entry)> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return [];
        }

        // One transaction for all; saved in chunks so the change tracker stays small (start-up recovery of thousands).
        const int chunk = 200;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var rows = new List<WalEntry>(changes.Count);
        for (var start = 0; start < changes.Count; start += chunk)
        {
            foreach (var (record, entry) in changes.Skip(start).Take(chunk))
            {
                db.Executions.Update(record);
                var row = entry with { Sequence = 0 };
                db.Wal.Add(row);
                rows.Add(row);
            }

            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    private async Task<WalEntry> WriteAsync(Action<AgentDbContext> change, WalEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        change(db);
        var row = entry with { Sequence = 0 };
        db.Wal.Add(row);

        // One SaveChanges is one SQLite transaction: the record and its log row commit together or not at all.
        await db.SaveChangesAsync(cancellationToken);
        return row;
    }
}

public sealed class StateStore(IDbContextFactory<AgentDbContext> contexts) : IStateStore
{
    public async Task<string?> GetAsync(string scope, string key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.StateEntries.AsNoTracking().Where(s => s.Scope == scope && s.Key == key).Select(s => s.Value).FirstOrDefaultAsync(cancellationToken);
    }

    public async Task SetAsync(StateEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var exists = await db.StateEntries.AsNoTracking().AnyAsync(s => s.Scope == entry.Scope && s.Key == entry.Key, cancellationToken);
        if (exists)
        {
            db.StateEntries.Update(entry);
        }
        else
        {
            db.StateEntries.Add(entry);
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task RemoveAsync(string scope, string key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.StateEntries.Where(s => s.Scope == scope && s.Key == key).ExecuteDeleteAsync(cancellationToken);
    }

    public async Task ClearScopeAsync(string scope, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.StateEntries.Where(s => s.Scope == scope).ExecuteDeleteAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<StateEntry>> ListAsync(string scope, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.StateEntries.AsNoTracking().Where(s => s.Scope == scope).OrderBy(s => s.Key).ToListAsync(cancellationToken);
    }
}
