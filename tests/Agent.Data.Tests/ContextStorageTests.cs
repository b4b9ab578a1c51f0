using Agent.Domain.Context;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Data.Tests;

/// <summary>Checkpoints (with their source) and each run's context survive a restart of the real SQLite file.</summary>
public sealed class ContextStorageTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Checkpoints_and_run_contexts_read_back_after_every_connection_is_closed()
    {
        await using var db = new TempDatabase();
        var session = new ChatSession(Guid.NewGuid(), "local", "Long", "deterministic", "scripted-echo", null, null, T0, T0);
        var leaf = new SessionMessage
        {
            Id = Guid.NewGuid(),
            SessionId = session.Id,
            TenantId = "local",
            Role = MessageRole.User,
            Parts = [new TextPart("hi")],
            Status = MessageStatus.Complete,
            CreatedAt = T0,
            UpdatedAt = T0,
        };
        var executionId = Guid.NewGuid();
        var compaction = new Checkpoint(Guid.NewGuid(), session.Id, "local", CheckpointKind.Compaction, "Compacted 12 messages", leaf.Id, "[deterministic] summary", T0)
        {
            Source = "compact_session · deterministic/scripted-echo (deterministic)",
            ExecutionId = executionId,
        };
        var manual = new Checkpoint(Guid.NewGuid(), session.Id, "local", CheckpointKind.Manual, "mine", leaf.Id, null, T0.AddMinutes(1));
        var context = new TurnContext(Guid.NewGuid(), "local", session.Id, leaf.Id, "deterministic", "scripted-echo", "o200k_base", true, 600, 525, 300,
            [
                new ContextPart(ContextPartKind.Pinned, "Favourite colour", 20, true, true, "Pinned memory (always kept): teal", "memory 1"),
                new ContextPart(ContextPartKind.CompactionSummary, "Compacted 12 messages", 40, true, true, "summary", $"checkpoint {compaction.Id}"),
                new ContextPart(ContextPartKind.RecentTurns, "Recent turns (4 of 4 messages)", 240, true, true, null, "transcript", 4, null),
            ], T0);

        await using (var services = await db.OpenInitializedAsync())
        {
            await services.GetRequiredService<ISessionStore>().AddAsync(session, None);
            await services.GetRequiredService<IMessageStore>().AddAsync(leaf, None);
            await services.GetRequiredService<ICheckpointStore>().AddAsync(compaction, None);
            await services.GetRequiredService<ICheckpointStore>().AddAsync(manual, None);
            await services.GetRequiredService<ITurnContextStore>().AddAsync(context, None);
        }

        SqliteConnection.ClearAllPools();
        await using var reopened = db.OpenServices();
        var checkpoints = reopened.GetRequiredService<ICheckpointStore>();
        Assert.Equal([compaction, manual], await checkpoints.ListBySessionAsync("local", session.Id, None));
        Assert.Equal(compaction.Source, (await checkpoints.FindAsync("local", compaction.Id, None))!.Source);
        Assert.Equal(executionId, (await checkpoints.FindAsync("local", compaction.Id, None))!.ExecutionId);
        Assert.Null(await checkpoints.FindAsync("other", compaction.Id, None));

        var read = await reopened.GetRequiredService<ITurnContextStore>().FindAsync("local", context.ExecutionId, None);
        Assert.NotNull(read);
        Assert.Equal(context.Parts, read.Parts);
        Assert.Equal(context with { Parts = read.Parts }, read);
        Assert.Null(await reopened.GetRequiredService<ITurnContextStore>().FindAsync("other", context.ExecutionId, None));
    }
}
