using Agent.Domain.Memory;
using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Data.Tests;

public sealed class StorageTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Migration_applies_to_an_empty_file_and_turns_on_wal()
    {
        await using var db = new TempDatabase();
        await File.WriteAllBytesAsync(db.FilePath, []);

        await using (var services = await db.OpenInitializedAsync())
        {
            // Every migration is applied: the schema version is the newest migration of the assembly.
            await using var context = await services.GetRequiredService<IDbContextFactory<AgentDbContext>>().CreateDbContextAsync(None);
            Assert.Equal(context.Database.GetMigrations().Last(), await services.GetRequiredService<AgentDatabase>().SchemaVersionAsync(None));
        }

        SqliteConnection.ClearAllPools();
        await using var connection = new SqliteConnection($"Data Source={db.FilePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Migration_on_an_existing_file_keeps_its_data()
    {
        await using var db = new TempDatabase();
        var session = Session();
        await using (var first = await db.OpenInitializedAsync())
        {
            await first.GetRequiredService<ISessionStore>().AddAsync(session, None);
        }

        SqliteConnection.ClearAllPools();
        await using var second = await db.OpenInitializedAsync();

        Assert.Equal(session, await second.GetRequiredService<ISessionStore>().FindAsync("local", session.Id, None));
    }

    [Fact]
    public async Task Everything_written_reads_back_after_every_connection_is_closed()
    {
        await using var db = new TempDatabase();
        var session = Session();
        var user = Message(session.Id, null, MessageRole.User, "What is 2+2?", MessageStatus.Complete, null);
        var reply = Message(session.Id, user.Id, MessageRole.Assistant, "4", MessageStatus.Complete, new TokenUsage(12, 1, 4, 0, "gpt-4o-mini", "openai"));
        var branch = Message(session.Id, user.Id, MessageRole.Assistant, "Four", MessageStatus.Interrupted, null) with
        {
            Parts = [new TextPart("Four"), new ToolCallPart("c1", "calculator", "{\"expression\":\"2+2\"}"), new ToolResultPart("c1", "4", false)],
            CreatedAt = T0.AddMinutes(2),
        };
        var checkpoint = new Checkpoint(Guid.NewGuid(), session.Id, "local", CheckpointKind.Manual, "before rewind", reply.Id, null, T0);
        var memory = new MemoryItem(Guid.NewGuid(), "local", session.Id, MemoryTier.PinnedBlock, "persona", "Be brief.", T0, T0);
        var execution = new ExecutionRecord(Guid.NewGuid(), "local", "send_message", "chat", session.Id, null, ExecutionStatus.Running, 0.5, "streaming", 1, null, "key-1", "{}", T0, T0, null);
        var artifact = new Artifact(Guid.NewGuid(), "tool_result", "local", "send_message", execution.Id, ArtifactLifecycle.Ready, "calculator output", [Guid.NewGuid()], [new Materialization("db", "messages/1", "text/plain", 1)], T0, T0);
        var trace = new TraceEvent(Guid.NewGuid(), "local", session.Id, execution.Id, "tool_call", "calculator", "{}", 3.5, "corr-1", T0);

        await using (var services = await db.OpenInitializedAsync())
        {
            await services.GetRequiredService<ISessionStore>().AddAsync(session, None);
            var messages = services.GetRequiredService<IMessageStore>();
            await messages.AddAsync(user, None);
            await messages.AddAsync(reply, None);
            await messages.AddAsync(branch, None);
            await services.GetRequiredService<ICheckpointStore>().AddAsync(checkpoint, None);
            await services.GetRequiredService<IMemoryStore>().AddAsync(memory, None);
            await services.GetRequiredService<IExecutionStore>().AddAsync(execution, None);
            await services.GetRequiredService<IArtifactStore>().AddAsync(artifact, None);
            await services.GetRequiredService<ITraceStore>().AddAsync(trace, None);
            await services.GetRequiredService<IConfigOverrideStore>().SetEnabledAsync("local", "mcp", "everything", false, None);
        }

        SqliteConnection.ClearAllPools();
        await using var reopened = db.OpenServices();

        var readMessages = await reopened.GetRequiredService<IMessageStore>().ListBySessionAsync("local", session.Id, None);
        Assert.Equal(Json(new[] { user, reply, branch }), Json(readMessages));
        Assert.Equal("Four", readMessages[2].Text);
        Assert.Equal(checkpoint, Assert.Single(await reopened.GetRequiredService<ICheckpointStore>().ListBySessionAsync("local", session.Id, None)));
        Assert.Equal(memory, Assert.Single(await reopened.GetRequiredService<IMemoryStore>().ListAsync("local", MemoryTier.PinnedBlock, 0, 10, None)));
        Assert.Equal(execution, await reopened.GetRequiredService<IExecutionStore>().FindByIdempotencyKeyAsync("local", "key-1", None));
        var readArtifact = await reopened.GetRequiredService<IArtifactStore>().FindAsync("local", artifact.Id, None);
        Assert.Equal(artifact.Parents, readArtifact!.Parents);
        Assert.Equal(artifact.Materializations, readArtifact.Materializations);
        Assert.Equal(trace, Assert.Single(await reopened.GetRequiredService<ITraceStore>().ListAsync("local", execution.Id, 10, None)));
        Assert.False((await reopened.GetRequiredService<IConfigOverrideStore>().EnabledOverridesAsync("local", "mcp", None))["everything"]);

        var totals = await reopened.GetRequiredService<ITokenUsageStore>().TotalsAsync("local", None);
        Assert.Equal(new TokenTotals(12, 1, 4, 0, 1), totals);
        var counts = await reopened.GetRequiredService<IMemoryStore>().CountByTierAsync("local", None);
        Assert.Equal(1, counts[MemoryTier.PinnedBlock]);
        Assert.Equal(0, counts[MemoryTier.ArchivalFact]);
    }

    [Fact]
    public async Task Streaming_messages_are_found_for_recovery_and_updates_persist()
    {
        await using var db = new TempDatabase();
        await using var services = await db.OpenInitializedAsync();
        var session = Session();
        await services.GetRequiredService<ISessionStore>().AddAsync(session, None);
        var messages = services.GetRequiredService<IMessageStore>();
        var partial = Message(session.Id, null, MessageRole.Assistant, "Hel", MessageStatus.Streaming, null);
        await messages.AddAsync(partial, None);

        Assert.Equal(partial.Id, Assert.Single(await messages.ListStreamingAsync(None)).Id);

        await messages.UpdateAsync(partial with { Parts = [new TextPart("Hello")], Status = MessageStatus.Interrupted }, None);

        Assert.Empty(await messages.ListStreamingAsync(None));
        Assert.Equal("Hello", (await messages.FindAsync("local", partial.Id, None))!.Text);
    }

    [Fact]
    public async Task Wal_sequence_is_increasing_and_gap_free()
    {
        await using var db = new TempDatabase();
        await using var services = await db.OpenInitializedAsync();
        var wal = services.GetRequiredService<IWalStore>();
        var execution = Guid.NewGuid();

        var appended = new List<WalEntry>();
        for (var i = 0; i < 5; i++)
        {
            appended.Add(await wal.AppendAsync(new WalEntry(0, "local", execution, WalEntryKind.LifecycleTransition, $"step-{i}", "{}", T0), None));
        }

        Assert.Equal([1L, 2, 3, 4, 5], appended.Select(e => e.Sequence));
        Assert.Equal(5, await wal.LastSequenceAsync(None));
        Assert.Equal(["step-3", "step-4"], (await wal.ReadAsync(3, 10, None)).Select(e => e.EventType));
        Assert.Equal(5, (await wal.ReadByExecutionAsync(execution, None)).Count);
    }

    [Fact]
    public async Task Sessions_list_most_recent_first_and_are_isolated_per_tenant()
    {
        await using var db = new TempDatabase();
        await using var services = await db.OpenInitializedAsync();
        var store = services.GetRequiredService<ISessionStore>();
        var older = Session() with { UpdatedAt = T0 };
        var newer = Session() with { UpdatedAt = T0.AddHours(1) };
        var other = Session() with { TenantId = "other" };
        await store.AddAsync(older, None);
        await store.AddAsync(newer, None);
        await store.AddAsync(other, None);

        Assert.Equal([newer.Id, older.Id], (await store.ListAsync("local", 0, 10, None)).Select(s => s.Id));
        Assert.Null(await store.FindAsync("local", other.Id, None));
        Assert.False(await store.DeleteAsync("local", other.Id, None));
        Assert.True(await store.DeleteAsync("other", other.Id, None));
        Assert.Equal(2, await store.CountAsync("local", None));
    }

    /// <summary>Messages hold lists, which records compare by reference: compare their JSON instead.</summary>
    private static string Json<T>(T value) => System.Text.Json.JsonSerializer.Serialize(value);

    private static ChatSession Session() => new(Guid.NewGuid(), "local", "Test", "deterministic", "scripted-echo", null, null, T0, T0);

    private static SessionMessage Message(Guid sessionId, Guid? parentId, MessageRole role, string text, MessageStatus status, TokenUsage? usage) => new()
    {
        Id = Guid.NewGuid(),
        SessionId = sessionId,
        TenantId = "local",
        ParentId = parentId,
        Role = role,
        Parts = [new TextPart(text)],
        Status = status,
        CreatedAt = T0.AddSeconds(role == MessageRole.User ? 0 : 1),
        UpdatedAt = T0,
        Usage = usage,
        ProviderName = usage?.Provider,
        ModelId = usage?.Model,
    };
}
