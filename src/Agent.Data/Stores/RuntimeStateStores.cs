using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Microsoft.Data.Sqlite;
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

    public async Task<IReadOnlyList<UnfinishedGroup>> UnfinishedAsync(IReadOnlyCollection<ExecutionStatus> statuses, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var groups = await db.Executions.AsNoTracking().Where(x => statuses.Contains(x.Status))
            .GroupBy(x => new { x.Intent, x.Status, NeverStarted = x.StartedAt == null, x.Attempts })
            .Select(g => new { g.Key.Intent, g.Key.Status, g.Key.NeverStarted, g.Key.Attempts, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return [.. groups.Select(g => new UnfinishedGroup(g.Intent, g.Status, g.NeverStarted, g.Attempts, g.Count))];
    }

    public async Task<RecoveryWrite> RecoverAsync(IReadOnlyList<RecoveryStep> steps, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(steps);

        // Each step's executions are fixed before anything changes: a requeued execution must not fall into a later step's group.
        const string Group = "Intent = @intent AND Status = @status AND (StartedAt IS NULL) = @neverStarted AND Attempts = @attempts";
        const string OfStep = "Id IN (SELECT Id FROM recovery_plan WHERE Step = @step)";
        const string AppendWal = "INSERT INTO wal (TenantId, ExecutionId, Kind, EventType, PayloadJson, RecordedAt) " +
            "SELECT TenantId, Id, @kind, @eventType, @payload, @at FROM executions WHERE " + OfStep + " ORDER BY CreatedAt, Id";
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("CREATE TEMP TABLE IF NOT EXISTS recovery_plan (Id TEXT PRIMARY KEY, Step INTEGER NOT NULL); DELETE FROM recovery_plan;", cancellationToken);
        for (var i = 0; i < steps.Count; i++)
        {
            var group = steps[i].Group;
            await db.Database.ExecuteSqlRawAsync("INSERT INTO recovery_plan (Id, Step) SELECT Id, @step FROM executions WHERE " + Group,
                [new SqliteParameter("@step", i), new SqliteParameter("@intent", group.Intent), new SqliteParameter("@status", group.Status.ToString()),
                    new SqliteParameter("@neverStarted", group.NeverStarted ? 1 : 0), new SqliteParameter("@attempts", group.Attempts)], cancellationToken);
        }

        var interrupted = 0;
        var requeued = new List<ExecutionRecord>();
        var lifecycle = nameof(WalEntryKind.LifecycleTransition);
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var index = i;
            SqliteParameter[] Of(params (string Name, object Value)[] extra) =>
                [new("@step", index), .. extra.Select(e => new SqliteParameter(e.Name, e.Value))];

            interrupted += await db.Database.ExecuteSqlRawAsync(AppendWal,
                Of(("@kind", lifecycle), ("@eventType", "execution.interrupted"), ("@payload", step.InterruptedPayloadJson), ("@at", at.UtcTicks)), cancellationToken);
            if (step.Requeue is not { } requeue)
            {
                await db.Database.ExecuteSqlRawAsync("UPDATE executions SET Status = @to, ProgressMessage = @message WHERE " + OfStep,
                    Of(("@to", nameof(ExecutionStatus.Interrupted)), ("@message", step.InterruptedMessage)), cancellationToken);
                continue;
            }

            if (requeue.ClearState)
            {
                // StateScopes.Execution(tenant, id) is "execution:{tenant}:{id:D}" with the id in lower case; SQLite keeps ids upper case.
                await db.Database.ExecuteSqlRawAsync(
                    "DELETE FROM state_entries WHERE Scope IN (SELECT 'execution:' || TenantId || ':' || lower(Id) FROM executions WHERE " + OfStep + ")", Of(), cancellationToken);
            }

            await db.Database.ExecuteSqlRawAsync(AppendWal,
                Of(("@kind", lifecycle), ("@eventType", requeue.EventType), ("@payload", requeue.PayloadJson), ("@at", at.UtcTicks)), cancellationToken);
            var records = await db.Executions.FromSqlRaw("SELECT * FROM executions WHERE " + OfStep, Of()).AsNoTracking().ToListAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("UPDATE executions SET Status = @to, ProgressMessage = @message, EndedAt = NULL WHERE " + OfStep,
                Of(("@to", nameof(ExecutionStatus.Queued)), ("@message", requeue.Message)), cancellationToken);
            requeued.AddRange(records.Select(r => r with { Status = ExecutionStatus.Queued, ProgressMessage = requeue.Message, EndedAt = null }));
        }

        await db.Database.ExecuteSqlRawAsync("DROP TABLE recovery_plan;", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RecoveryWrite(interrupted, [.. requeued.OrderBy(r => r.CreatedAt)]);
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
