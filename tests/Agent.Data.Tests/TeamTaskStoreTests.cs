using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Teams;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Data.Tests;

public sealed class TeamTaskStoreTests
{
    [Fact]
    public async Task Member_tasks_are_read_back_after_reopening_by_execution_call_and_root_and_go_with_their_session()
    {
        await using var db = new TempDatabase();
        var now = DateTimeOffset.UtcNow;
        var session = new ChatSession(Guid.NewGuid(), "local", "team", "deterministic", "scripted-echo", "assistant", null, now, now);
        var root = Guid.NewGuid();
        var reply = Guid.NewGuid();
        var first = Task(session.Id, root, root, reply, "call_1", 1, now);
        var nested = Task(session.Id, root, Guid.NewGuid(), reply, "call_9", 2, now.AddSeconds(1));
        var childExecution = Guid.NewGuid();
        await using (var services = await db.OpenInitializedAsync())
        {
            await services.GetRequiredService<ISessionStore>().AddAsync(session, CancellationToken.None);
            var store = services.GetRequiredService<ITeamTaskStore>();
            await store.AddAsync(first, CancellationToken.None);
            await store.AddAsync(nested, CancellationToken.None);
            await store.AddAsync(Task(session.Id, root, root, reply, "call_1", 1, now) with { TenantId = "other" }, CancellationToken.None);
            await store.UpdateAsync(first with { Parts = [new TextPart("Answer: 42 ✓"), new ToolCallPart("c", "calculator", "{}")], InputTokens = 10, OutputTokens = 5, Cost = 0.000123m, Result = "42" }, CancellationToken.None);
            await store.AttachExecutionAsync("local", first.Id, childExecution, CancellationToken.None);
        }

        SqliteConnection.ClearAllPools();
        await using (var services = await db.OpenInitializedAsync())
        {
            var store = services.GetRequiredService<ITeamTaskStore>();
            var read = await store.FindByExecutionAsync("local", childExecution, CancellationToken.None);
            Assert.NotNull(read);
            Assert.Equal(first.Id, read.Id);
            Assert.Equal("Answer: 42 ✓", read.Text);
            Assert.Equal(15, read.Tokens);
            Assert.Equal(0.000123m, read.Cost);
            Assert.Equal("42", read.Result);
            Assert.Equal(first.Id, (await store.FindByCallAsync("local", reply, "call_1", CancellationToken.None))!.Id);
            Assert.Null(await store.FindByCallAsync("local", reply, "call_9", CancellationToken.None)); // depth 2: not on the chat reply's cards
            Assert.Equal([first.Id, nested.Id], (await store.ListByRootAsync("local", root, CancellationToken.None)).Select(t => t.Id).ToArray());
            Assert.Null(await store.FindAsync("other", first.Id, CancellationToken.None));
            Assert.Equal(2, (await store.ListRecentAsync("local", 10, CancellationToken.None)).Count);

            Assert.True(await services.GetRequiredService<ISessionStore>().DeleteAsync("local", session.Id, CancellationToken.None));
            Assert.Empty(await store.ListByRootAsync("local", root, CancellationToken.None));
        }
    }

    private static TeamTask Task(Guid sessionId, Guid root, Guid parent, Guid reply, string callId, int depth, DateTimeOffset at) => new()
    {
        Id = Guid.NewGuid(),
        TenantId = "local",
        SessionId = sessionId,
        RootExecutionId = root,
        ParentExecutionId = parent,
        ReplyMessageId = reply,
        CallId = callId,
        TeamId = "default",
        AgentId = "coder",
        AgentName = "Coder",
        Task = "Compute",
        Depth = depth,
        CreatedAt = at,
        UpdatedAt = at,
    };
}
