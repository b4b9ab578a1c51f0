using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Data.Tests;

/// <summary>ReadPathAsync and LatestLeafUnderAsync on a real SQLite file answer what MessageTree answers over all messages.</summary>
public sealed class TranscriptWindowTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Windows_and_branch_switches_equal_MessageTree_on_random_trees()
    {
        await using var db = new TempDatabase();
        await using var services = await db.OpenInitializedAsync();
        var store = services.GetRequiredService<IMessageStore>();
        for (var seed = 0; seed < 40; seed++)
        {
            var random = new Random(seed);
            var (sessionId, all) = await SeedAsync(services, random, count: random.Next(0, 60), tieProbability: 0.4);
            var tree = new MessageTree(all);
            var candidates = all.Select(m => (Guid?)m.Id).Append(null).Append(Guid.NewGuid()).ToList();
            foreach (var leaf in candidates.OrderBy(_ => random.Next()).Take(8))
            {
                foreach (var take in new[] { 1, 3, 1000 })
                {
                    var where = $"seed {seed}, leaf {leaf}, take {take}";
                    var window = await store.ReadPathAsync("local", sessionId, leaf, null, take, None);
                    AssertSame(Expected(tree, tree.PathTo(leaf), take), window, where);

                    // Paging up the same path until the root, as a scrolling transcript does.
                    var pages = 0;
                    while (window.HasOlder && pages++ < 100)
                    {
                        var above = tree.PathTo(window.Messages[0].Id);
                        window = await store.ReadPathAsync("local", sessionId, leaf, window.Messages[0].Id, take, None);
                        AssertSame(Expected(tree, above.Take(above.Count - 1).ToList(), take), window, where + $", page {pages}");
                    }
                }
            }

            foreach (var message in all.OrderBy(_ => random.Next()).Take(10))
            {
                Assert.Equal(tree.LatestLeafUnder(message).Id, await store.LatestLeafUnderAsync("local", sessionId, message.Id, None));
            }

            Assert.Null(await store.LatestLeafUnderAsync("local", sessionId, Guid.NewGuid(), None));
            Assert.Null(await store.LatestLeafUnderAsync("other-tenant", sessionId, all.FirstOrDefault()?.Id ?? Guid.NewGuid(), None));
        }
    }

    [Fact]
    public async Task A_10000_message_session_opens_at_its_newest_window_and_pages_to_the_root()
    {
        await using var db = new TempDatabase();
        await using var services = await db.OpenInitializedAsync();
        var store = services.GetRequiredService<IMessageStore>();
        var (sessionId, all) = await SeedAsync(services, new Random(7), count: 10_000, tieProbability: 0.05);
        var tree = new MessageTree(all);
        var fullPath = tree.PathTo(null);

        var window = await store.ReadPathAsync("local", sessionId, null, null, 50, None);
        AssertSame(Expected(tree, fullPath, 50), window, "first window");
        var seen = window.Messages.Count;
        while (window.HasOlder)
        {
            window = await store.ReadPathAsync("local", sessionId, null, window.Messages[0].Id, 50, None);
            seen += window.Messages.Count;
        }

        Assert.Equal(fullPath.Count, seen);
        Assert.Equal(fullPath[0].Id, window.Messages[0].Id);
        var whole = await store.ReadPathAsync("local", sessionId, null, null, int.MaxValue, None);
        Assert.Equal(fullPath.Select(m => m.Id), whole.Messages.Select(m => m.Id));
        Assert.False(whole.HasOlder);
        Assert.Equal(tree.LatestLeafUnder(all[0]).Id, await store.LatestLeafUnderAsync("local", sessionId, all[0].Id, None));
    }

    private static TranscriptWindow Expected(MessageTree tree, IReadOnlyList<SessionMessage> path, int take)
    {
        var shown = path.Skip(Math.Max(0, path.Count - take)).ToList();
        var branches = new Dictionary<Guid, BranchPosition>();
        foreach (var message in shown)
        {
            var siblings = tree.SiblingsOf(message).Select(s => s.Id).ToList();
            if (siblings.Count > 1)
            {
                branches[message.Id] = new BranchPosition(siblings.IndexOf(message.Id), siblings.Count, siblings);
            }
        }

        return new TranscriptWindow(shown, branches, path.Count > shown.Count);
    }

    private static void AssertSame(TranscriptWindow expected, TranscriptWindow actual, string where)
    {
        Assert.True(expected.Messages.Select(m => m.Id).SequenceEqual(actual.Messages.Select(m => m.Id)), $"messages differ at {where}");
        Assert.True(expected.HasOlder == actual.HasOlder, $"HasOlder differs at {where}");
        Assert.True(expected.Branches.Count == actual.Branches.Count, $"branch count differs at {where}");
        foreach (var (id, position) in expected.Branches)
        {
            Assert.True(actual.Branches.TryGetValue(id, out var got), $"no branch entry for {id} at {where}");
            Assert.True(position.Index == got.Index && position.Count == got.Count && position.SiblingIds.SequenceEqual(got.SiblingIds), $"branch of {id} differs at {where}");
        }

        // The window's messages are the stored ones, parts included.
        Assert.Equal(expected.Messages.Select(m => m.Text), actual.Messages.Select(m => m.Text));
    }

    /// <summary>
    /// A random tree: mostly a long chain, with regenerations and edits (siblings), orphans whose parent is not in
    /// the session, and equal CreatedAt values so the Id tie-break is exercised.
    /// </summary>
    private static async Task<(Guid SessionId, List<SessionMessage> Messages)> SeedAsync(IServiceProvider services, Random random, int count, double tieProbability)
    {
        var session = new ChatSession(Guid.NewGuid(), "local", "tree", "deterministic", "echo", null, null, T0, T0);
        await services.GetRequiredService<ISessionStore>().AddAsync(session, None);
        var store = services.GetRequiredService<IMessageStore>();
        var all = new List<SessionMessage>();
        var at = T0;
        for (var i = 0; i < count; i++)
        {
            at = random.NextDouble() < tieProbability ? at : at.AddMilliseconds(random.Next(1, 1000));
            var roll = random.NextDouble();
            Guid? parent = all.Count == 0 || roll < 0.03 ? null
                : roll < 0.05 ? Guid.NewGuid()
                : roll < 0.8 ? all[^1].Id
                : all[random.Next(all.Count)].Id;
            // Out-of-order creation times happen (clock steps); MessageTree orders by CreatedAt, so must the store.
            var created = random.NextDouble() < 0.05 ? at.AddSeconds(-random.Next(1, 100)) : at;
            var message = new SessionMessage
            {
                Id = Guid.NewGuid(),
                SessionId = session.Id,
                TenantId = "local",
                ParentId = parent,
                Role = i % 2 == 0 ? MessageRole.User : MessageRole.Assistant,
                Parts = [new TextPart($"message {i}")],
                Status = MessageStatus.Complete,
                CreatedAt = created,
                UpdatedAt = created,
            };
            all.Add(message);
        }

        foreach (var chunk in all.Chunk(500))
        {
            await AddRangeAsync(services, chunk);
        }

        return (session.Id, all);
    }

    private static async Task AddRangeAsync(IServiceProvider services, IEnumerable<SessionMessage> messages)
    {
        var contexts = services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<AgentDbContext>>();
        await using var db = await contexts.CreateDbContextAsync(None);
        db.Messages.AddRange(messages);
        await db.SaveChangesAsync(None);
    }
}
