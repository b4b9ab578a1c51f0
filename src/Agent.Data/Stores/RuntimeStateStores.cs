using System.Threading.Channels;
using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Agent.Data.Stores;

/// <summary>
/// Writes execution records with their WAL rows. Writes from many executions are drained by one writer loop and
/// committed together, one transaction per batch; each caller's task completes only after its batch has committed
/// (so a 202 sent after it survives a killed process). A batch that fails is written again one write per transaction,
/// so one bad write fails alone.
/// </summary>
public sealed class ExecutionJournal : IExecutionJournal, IAsyncDisposable, IDisposable
{
    private const int MaxBatch = 512;
    private readonly IDbContextFactory<AgentDbContext> contexts;
    private readonly Channel<PendingWrite> writes = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(16_384)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly Task writer;

    public ExecutionJournal(IDbContextFactory<AgentDbContext> contexts)
    {
        this.contexts = contexts;
        writer = Task.Run(WriteLoopAsync);
    }

    public async Task<WalEntry> CreateAsync(ExecutionRecord record, WalEntry entry, CancellationToken cancellationToken) =>
        (await WriteAsync(record, true, [entry], cancellationToken))[0];

    public async Task<WalEntry> UpdateAsync(ExecutionRecord record, WalEntry entry, CancellationToken cancellationToken) =>
        (await WriteAsync(record, false, [entry], cancellationToken))[0];

    public async Task<IReadOnlyList<WalEntry>> WriteAsync(ExecutionRecord record, bool isNew, IReadOnlyList<WalEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(entries);
        var write = new PendingWrite(record, isNew, entries);
        await writes.Writer.WriteAsync(write, cancellationToken);

        // Once queued the write happens; the caller learns its outcome even if it stopped waiting for anything else.
        return await write.Done.Task;
    }

    public async Task<IReadOnlyList<WalEntry>> UpdateManyAsync(IReadOnlyList<(ExecutionRecord Record, WalEntry Entry)> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return [];
        }

        var pending = changes.Select(c => new PendingWrite(c.Record, false, [c.Entry])).ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await CommitAsync(db, pending, cancellationToken);
        return [.. rows.Select(r => r[0])];
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

    /// <summary>Stops taking writes; those already queued are still committed.</summary>
    public async ValueTask DisposeAsync()
    {
        writes.Writer.TryComplete();
        await writer;
    }

    public void Dispose() => writes.Writer.TryComplete();

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        while (await writes.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && writes.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            try
            {
                await using var db = await contexts.CreateDbContextAsync();
                var rows = await CommitAsync(db, batch, CancellationToken.None);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(rows[i]);
                }
            }
            catch (Exception) when (batch.Count > 1)
            {
                foreach (var write in batch)
                {
                    try
                    {
                        await using var db = await contexts.CreateDbContextAsync();
                        write.Done.TrySetResult((await CommitAsync(db, [write], CancellationToken.None))[0]);
                    }
                    catch (Exception alone)
                    {
                        write.Done.TrySetException(alone);
                    }
                }
            }
            catch (Exception ex)
            {
                batch[0].Done.TrySetException(ex);
            }

            batch.Clear();
        }
    }

    /// <summary>One transaction for all the writes, saved in chunks so the change tracker stays small.</summary>
    private static async Task<List<IReadOnlyList<WalEntry>>> CommitAsync(AgentDbContext db, IReadOnlyList<PendingWrite> pending, CancellationToken cancellationToken)
    {
        const int chunk = 200;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var transaction = pending.Count > 1 ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var result = new List<IReadOnlyList<WalEntry>>(pending.Count);
        for (var start = 0; start < pending.Count; start += chunk)
        {
            for (var i = start; i < Math.Min(pending.Count, start + chunk); i++)
            {
                var write = pending[i];
                if (write.IsNew)
                {
                    db.Executions.Add(write.Record);
                }
                else
                {
                    db.Executions.Update(write.Record);
                }

                var rows = new WalEntry[write.Entries.Count];
                for (var e = 0; e < rows.Length; e++)
                {
                    rows[e] = write.Entries[e] with { Sequence = 0 };
                    db.Wal.Add(rows[e]);
                }

                result.Add(rows);
            }

            // Without a batch transaction, this one SaveChanges is the transaction: record and log rows commit together or not at all.
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        return result;
    }

    private sealed class PendingWrite(ExecutionRecord record, bool isNew, IReadOnlyList<WalEntry> entries)
    {
        public ExecutionRecord Record { get; } = record;

        public bool IsNew { get; } = isNew;

        public IReadOnlyList<WalEntry> Entries { get; } = entries;

        public TaskCompletionSource<IReadOnlyList<WalEntry>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
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
