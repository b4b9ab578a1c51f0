using Agent.Data.Stores;
using Agent.Domain.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Agent.Data.Tests;

/// <summary>The execution journal and state store on a real SQLite file.</summary>
public sealed class RuntimeJournalTests : IAsyncLifetime
{
    private readonly string path = Path.Combine(Path.GetTempPath(), "agent-data-tests", $"{Guid.NewGuid():N}.db");
    private PooledDbContextFactory<AgentDbContext> contexts = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        contexts = new PooledDbContextFactory<AgentDbContext>(new DbContextOptionsBuilder<AgentDbContext>().UseSqlite(AgentDatabase.ConnectionStringFor(path)).Options);
        await new AgentDatabase(contexts, TimeProvider.System).InitializeAsync(CancellationToken.None);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static ExecutionRecord Record(ExecutionStatus status = ExecutionStatus.Created) =>
        new(Guid.NewGuid(), "local", "demo", "H", null, null, status, 0, null, 0, null, null, "{}", DateTimeOffset.UtcNow, null, null);

    private static WalEntry Entry(ExecutionRecord record, string type) =>
        new(0, record.TenantId, record.Id, WalEntryKind.LifecycleTransition, type, "{}", DateTimeOffset.UtcNow);

    [Fact]
    public async Task Record_and_wal_entry_commit_together_with_gap_free_sequences()
    {
        var journal = new ExecutionJournal(contexts);
        var executions = new ExecutionStore(contexts);
        var wal = new WalStore(contexts);
        var record = Record();
        var created = await journal.CreateAsync(record, Entry(record, "execution.created"), CancellationToken.None);
        var queued = await journal.UpdateAsync(record with { Status = ExecutionStatus.Queued }, Entry(record, "execution.queued"), CancellationToken.None);
        var others = Enumerable.Range(0, 3).Select(_ => Record(ExecutionStatus.Running)).ToList();
        foreach (var other in others)
        {
            await journal.CreateAsync(other, Entry(other, "execution.created"), CancellationToken.None);
        }

        var many = await journal.UpdateManyAsync(others.Select(o => (o with { Status = ExecutionStatus.Interrupted }, Entry(o, "execution.interrupted"))).ToList(), CancellationToken.None);

        Assert.Equal(1, created.Sequence);
        Assert.Equal(2, queued.Sequence);
        Assert.Equal([6L, 7L, 8L], many.Select(e => e.Sequence));
        Assert.Equal(ExecutionStatus.Queued, (await executions.FindAsync("local", record.Id, CancellationToken.None))!.Status);
        var all = await wal.ReadAsync(0, 100, CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), all.Select(e => e.Sequence));
        foreach (var other in others)
        {
            Assert.Equal(ExecutionStatus.Interrupted, (await executions.FindAsync("local", other.Id, CancellationToken.None))!.Status);
        }
    }

    [Fact]
    public async Task A_failed_write_leaves_neither_the_record_change_nor_the_wal_entry()
    {
        var journal = new ExecutionJournal(contexts);
        var wal = new WalStore(contexts);
        var record = Record();
        await journal.CreateAsync(record, Entry(record, "execution.created"), CancellationToken.None);

        // Creating the same id again violates the primary key: the WAL row of that write must not survive.
        await Assert.ThrowsAsync<DbUpdateException>(() => journal.CreateAsync(record, Entry(record, "execution.created"), CancellationToken.None));
        var ghost = Record();
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => journal.UpdateAsync(ghost, Entry(ghost, "execution.queued"), CancellationToken.None));

        Assert.Equal(1, await wal.LastSequenceAsync(CancellationToken.None));
        var next = await journal.UpdateAsync(record with { Status = ExecutionStatus.Queued }, Entry(record, "execution.queued"), CancellationToken.None);
        Assert.Equal(2, next.Sequence);
    }

    [Fact]
    public async Task State_store_sets_overwrites_lists_and_clears_a_scope()
    {
        var store = new StateStore(contexts);
        var scope = StateScopes.Session("local", Guid.NewGuid());
        await store.SetAsync(new StateEntry(scope, "a", "1", DateTimeOffset.UtcNow), CancellationToken.None);
        await store.SetAsync(new StateEntry(scope, "a", "2", DateTimeOffset.UtcNow), CancellationToken.None);
        await store.SetAsync(new StateEntry(scope, "b", "3", DateTimeOffset.UtcNow), CancellationToken.None);
        await store.SetAsync(new StateEntry("execution:local:x", "a", "other", DateTimeOffset.UtcNow), CancellationToken.None);
        Assert.Equal("2", await store.GetAsync(scope, "a", CancellationToken.None));
        Assert.Equal(["a", "b"], (await store.ListAsync(scope, CancellationToken.None)).Select(e => e.Key));
        await store.RemoveAsync(scope, "b", CancellationToken.None);
        Assert.Null(await store.GetAsync(scope, "b", CancellationToken.None));
        await store.ClearScopeAsync(scope, CancellationToken.None);
        Assert.Empty(await store.ListAsync(scope, CancellationToken.None));
        Assert.Equal("other", await store.GetAsync("execution:local:x", "a", CancellationToken.None));
    }
}
