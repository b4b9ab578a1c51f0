using Agent.Data;
using Agent.Domain.Memory;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Runtime.Chat.Context;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests.Context;

/// <summary>
/// The context built from the newest part of a branch (read from the end in pages, the older part only counted by id) is
/// the context built from the whole branch: same parts, tokens, turns sent, left-out count and compaction decision, on a
/// seeded 3,000-message session on the real SQLite file, with and without compaction checkpoints and on an older branch.
/// </summary>
public sealed class ContextWindowTests
{
    private const int Messages = 3_000;
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task The_context_read_from_the_end_of_the_branch_equals_the_context_built_from_the_whole_branch()
    {
        await using var app = new AgentAppFactory().WithSetting("Agent:Providers:0:Models:0:ContextWindow", "8192");
        var contexts = app.Services.GetRequiredService<ChatContextService>();
        var store = app.Services.GetRequiredService<IMessageStore>();
        var checkpoints = app.Services.GetRequiredService<ICheckpointStore>();
        var (session, main, side) = await SeedAsync(app);

        // A long branch, no compaction: the newest pages are read until they hold more than the budget and threshold.
        var read = await AssertSameAsync(contexts, store, session, main[^1].Id, "long branch");
        Assert.True(read.Turns.Count < 1_000, $"{read.Turns.Count} messages were read");
        Assert.Equal(Messages, read.Turns.Count + read.UnreadOlderTurns);
        Assert.Null(read.Compaction);

        // An older branch (a sibling of message 2,000 with its own replies) is read from its own leaf.
        await AssertSameAsync(contexts, store, session, side[^1].Id, "older branch");

        // A compaction far back: found among the ids of the unread part, and only the turns after it count.
        await checkpoints.AddAsync(Compaction(session, main[999].Id, "far back"), None);
        read = await AssertSameAsync(contexts, store, session, main[^1].Id, "compaction far back");
        Assert.Equal(main[999].Id, read.Compaction?.LeafMessageId);
        Assert.Equal(Messages - 1_000, read.Turns.Count + read.UnreadOlderTurns);

        // A newer compaction within the first page: the turns after it are all that is read.
        await checkpoints.AddAsync(Compaction(session, main[2_949].Id, "recent"), None);
        read = await AssertSameAsync(contexts, store, session, main[^1].Id, "recent compaction");
        Assert.Equal((50, 0, main[2_949].Id), (read.Turns.Count, read.UnreadOlderTurns, read.Compaction?.LeafMessageId));

        // The compactions are on the main branch only: the older branch still counts from its start.
        read = await AssertSameAsync(contexts, store, session, side[^1].Id, "older branch after compaction");
        Assert.Equal(main[999].Id, read.Compaction?.LeafMessageId);

        // A short branch is read whole.
        var shortSession = session with { Id = Guid.NewGuid(), Title = "Short" };
        await app.Services.GetRequiredService<ISessionStore>().AddAsync(shortSession, None);
        var few = await AddBranchAsync(app, shortSession, null, 6, DateTimeOffset.UtcNow.AddHours(-1), "short");
        read = await AssertSameAsync(contexts, store, shortSession, few[^1].Id, "short branch");
        Assert.Equal((6, 0), (read.Turns.Count, read.UnreadOlderTurns));
    }

    private static async Task<ContextTurns> AssertSameAsync(ChatContextService contexts, IMessageStore store, ChatSession session, Guid leafId, string what)
    {
        var path = (await store.ReadPathAsync(session.TenantId, session.Id, leafId, null, int.MaxValue, None)).Messages;
        var whole = await contexts.BuildAsync(session, path, "Go on.", None);
        var read = await contexts.ReadTurnsAsync(session, leafId, None);
        var windowed = await contexts.BuildAsync(session, read, "Go on.", None);

        Assert.Equal(whole.Compaction?.Id, windowed.Compaction?.Id);
        Assert.Equal(whole.Plan.Parts, windowed.Plan.Parts);
        Assert.Equal(whole.Plan.IncludedTurns.Select(t => t.Id), windowed.Plan.IncludedTurns.Select(t => t.Id));
        Assert.Equal(
            (whole.Plan.TotalTokens, whole.Plan.Budget, whole.Plan.DroppedTurns, whole.Plan.NeedsCompaction, whole.Plan.Tokenizer, whole.Plan.IsEstimate),
            (windowed.Plan.TotalTokens, windowed.Plan.Budget, windowed.Plan.DroppedTurns, windowed.Plan.NeedsCompaction, windowed.Plan.Tokenizer, windowed.Plan.IsEstimate));
        Assert.Equal(whole.Prompt.Select(m => (m.Role, m.Text)), windowed.Prompt.Select(m => (m.Role, m.Text)));
        Assert.True(whole.Plan.IncludedTurns.Count > 0, what);
        return read;
    }

    private static Checkpoint Compaction(ChatSession session, Guid leafId, string label) =>
        new(Guid.NewGuid(), session.Id, session.TenantId, CheckpointKind.Compaction, $"Compacted ({label})", leafId, $"The {label} summary of what was said before.", DateTimeOffset.UtcNow);

    private static async Task<(ChatSession Session, List<SessionMessage> Main, List<SessionMessage> Side)> SeedAsync(AgentAppFactory app)
    {
        var start = DateTimeOffset.UtcNow.AddDays(-2);
        var session = new ChatSession(Guid.NewGuid(), "local", "Long", "deterministic", "scripted-echo", null, null, start, start);
        await app.Services.GetRequiredService<ISessionStore>().AddAsync(session, None);
        await app.Services.GetRequiredService<IMemoryStore>().AddAsync(
            new MemoryItem(Guid.NewGuid(), "local", null, MemoryTier.PinnedBlock, "Colour", "The person's favourite colour is teal.", start, start), None);
        await app.Services.GetRequiredService<IMemoryStore>().AddAsync(
            new MemoryItem(Guid.NewGuid(), "local", session.Id, MemoryTier.DailyEpisode, "Yesterday", "They planned the tulip beds.", start, start) { Day = DateOnly.FromDateTime(start.UtcDateTime) }, None);
        var main = await AddBranchAsync(app, session, null, Messages, start, "main");
        var side = await AddBranchAsync(app, session, main[1_999].Id, 40, start.AddDays(1), "side");
        return (session, main, side);
    }

    private static async Task<List<SessionMessage>> AddBranchAsync(AgentAppFactory app, ChatSession session, Guid? parentId, int count, DateTimeOffset start, string branch)
    {
        var random = new Random(count);
        var added = new List<SessionMessage>(count);
        for (var i = 0; i < count; i++)
        {
            var role = i % 2 == 0 ? MessageRole.User : MessageRole.Assistant;
            added.Add(new SessionMessage
            {
                Id = Guid.NewGuid(),
                SessionId = session.Id,
                TenantId = session.TenantId,
                ParentId = added.Count > 0 ? added[^1].Id : parentId,
                Role = role,
                Parts = [new TextPart($"{branch} {i}: " + string.Join(' ', Enumerable.Repeat(role == MessageRole.User ? "how do tulips grow" : "they grow from bulbs", random.Next(1, 12))))],
                Status = MessageStatus.Complete,
                CreatedAt = start.AddSeconds(i),
                UpdatedAt = start.AddSeconds(i),
            });
        }

        var factory = app.Services.GetRequiredService<IDbContextFactory<AgentDbContext>>();
        foreach (var chunk in added.Chunk(1_000))
        {
            await using var db = await factory.CreateDbContextAsync();
            db.Messages.AddRange(chunk);
            await db.SaveChangesAsync();
        }

        return added;
    }
}
