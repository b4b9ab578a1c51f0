using Agent.Domain.Context;
using Agent.Domain.Sessions;
using Agent.Domain.Telemetry;

namespace Agent.Domain.Tests.Context;

/// <summary>Counts one token per whitespace-separated word: predictable budgets (the real tokenizer is tested in Agent.Web.Tests).</summary>
internal sealed class WordCounter : ITokenCounter
{
    public TokenCount Count(string model, string text) =>
        new(text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length, true, "words");
}

public sealed class ContextBuilderTests
{
    private static readonly Guid Session = Guid.NewGuid();
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private readonly ContextBuilder builder = new(new WordCounter());

    internal static List<SessionMessage> Turns(int count, int wordsEach)
    {
        var list = new List<SessionMessage>();
        for (var i = 0; i < count; i++)
        {
            list.Add(new SessionMessage
            {
                Id = Guid.NewGuid(),
                SessionId = Session,
                TenantId = "local",
                ParentId = list.LastOrDefault()?.Id,
                Role = i % 2 == 0 ? MessageRole.User : MessageRole.Assistant,
                Parts = [new TextPart(string.Join(' ', Enumerable.Repeat($"m{i}", wordsEach)))],
                Status = MessageStatus.Complete,
                CreatedAt = T0.AddSeconds(i),
                UpdatedAt = T0.AddSeconds(i),
            });
        }

        return list;
    }

    private static ContextBlock Block(ContextPartKind kind, int words) =>
        new(kind, kind.ToString(), string.Join(' ', Enumerable.Repeat(kind.ToString().ToLowerInvariant(), words)), "test");

    [Fact]
    public void Turns_the_caller_did_not_read_count_as_left_out_and_the_plan_matches_the_one_from_every_turn()
    {
        var all = Turns(40, 10);
        var window = all.Skip(25).ToList();
        var whole = builder.Build(new ContextRequest("m", 100, 10, 0.8, [Block(ContextPartKind.Pinned, 5)], all));
        var fromWindow = builder.Build(new ContextRequest("m", 100, 10, 0.8, [Block(ContextPartKind.Pinned, 5)], window) { UnreadOlderTurns = 25 });

        Assert.Equal(whole.Parts, fromWindow.Parts);
        Assert.EndsWith(" of 40 messages)", fromWindow.Parts.Single(p => p.Kind == ContextPartKind.RecentTurns).Label, StringComparison.Ordinal);
        Assert.True(whole.DroppedTurns > 25, $"{whole.DroppedTurns} turns left out");
        Assert.Equal((whole.DroppedTurns, whole.NeedsCompaction, whole.TotalTokens), (fromWindow.DroppedTurns, fromWindow.NeedsCompaction, fromWindow.TotalTokens));
        Assert.Equal(whole.IncludedTurns.Select(t => t.Id), fromWindow.IncludedTurns.Select(t => t.Id));

        // One turn read, more behind it: still a session to compact once it is past the threshold.
        var single = builder.Build(new ContextRequest("m", 100, 10, 0.8, [], [Turns(1, 90)[0]]) { UnreadOlderTurns = 3 });
        Assert.True(single.NeedsCompaction);
        Assert.Equal(3, single.DroppedTurns);
    }

    [Fact]
    public void Parts_come_in_the_fixed_order_whatever_order_they_were_offered_in()
    {
        var blocks = new[]
        {
            Block(ContextPartKind.CompactionSummary, 5), Block(ContextPartKind.Recalled, 5), Block(ContextPartKind.Pinned, 5),
            Block(ContextPartKind.Episode, 5), Block(ContextPartKind.Skills, 5), Block(ContextPartKind.System, 5),
        };
        var plan = builder.Build(new ContextRequest("m", 10_000, 100, 0.8, blocks, Turns(4, 3), "go on"));

        Assert.Equal(
            [ContextPartKind.System, ContextPartKind.Skills, ContextPartKind.Pinned, ContextPartKind.Recalled, ContextPartKind.Episode,
             ContextPartKind.CompactionSummary, ContextPartKind.RecentTurns, ContextPartKind.Instruction],
            plan.Parts.Select(p => p.Kind));
        Assert.All(plan.Parts, p => Assert.True(p.Included));
        Assert.Equal(plan.Parts.Sum(p => p.Tokens), plan.TotalTokens);
        Assert.Equal(5 + ContextText.PerMessageOverhead, plan.Parts[0].Tokens);
        Assert.Equal(4, plan.IncludedTurns.Count);
        Assert.True(plan.IsEstimate);
        Assert.False(plan.NeedsCompaction);
    }

    [Fact]
    public void The_budget_is_the_window_less_the_reply_reserve_and_older_turns_that_do_not_fit_are_left_out()
    {
        // Window 800, reserve min(200, 800/8) = 100: budget 700. Each turn is 10 words + 4 overhead = 14 tokens.
        var turns = Turns(100, 10);
        var plan = builder.Build(new ContextRequest("m", 800, 200, 0.8, [Block(ContextPartKind.System, 46)], turns));

        Assert.Equal(700, plan.Budget);
        Assert.True(plan.TotalTokens <= plan.Budget);
        Assert.Equal((700 - 50) / 14, plan.IncludedTurns.Count);
        Assert.Equal(turns[^1].Id, plan.IncludedTurns[^1].Id); // the newest, contiguous run
        Assert.Equal(turns.Skip(turns.Count - plan.IncludedTurns.Count).Select(t => t.Id), plan.IncludedTurns.Select(t => t.Id));
        Assert.Equal(100 - plan.IncludedTurns.Count, plan.DroppedTurns);
        Assert.Contains("left out", plan.Parts.Single(p => p.Kind == ContextPartKind.RecentTurns).Note);
    }

    [Fact]
    public void Optional_blocks_that_do_not_fit_are_left_out_whole_but_pinned_memory_never_is()
    {
        // Pinned alone (300 words) already exceeds the 200-token budget: it stays, and so does the newest turn.
        var blocks = new[] { Block(ContextPartKind.Pinned, 300), Block(ContextPartKind.Recalled, 20), Block(ContextPartKind.Episode, 20) };
        var turns = Turns(6, 10);
        var plan = builder.Build(new ContextRequest("m", 240, 40, 0.8, blocks, turns));

        var pinned = plan.Parts.Single(p => p.Kind == ContextPartKind.Pinned);
        Assert.True(pinned.Included);
        Assert.Equal(blocks[0].Text, pinned.Text);
        Assert.False(plan.Parts.Single(p => p.Kind == ContextPartKind.Recalled).Included);
        Assert.False(plan.Parts.Single(p => p.Kind == ContextPartKind.Episode).Included);
        Assert.Equal([turns[^1].Id], plan.IncludedTurns.Select(t => t.Id));
        Assert.True(plan.OverBudget);
    }

    [Theory]
    [InlineData(0.8, 20, false)] // 20 turns x 14 = 280 + 14 system = 294 <= 320
    [InlineData(0.8, 30, true)]  // 434 > 320
    [InlineData(0.5, 20, true)]  // 294 > 200
    public void Compaction_triggers_when_the_whole_request_would_pass_the_configured_share_of_the_window(double share, int turns, bool expected)
    {
        var plan = builder.Build(new ContextRequest("m", 400, 40, share, [Block(ContextPartKind.System, 10)], Turns(turns, 10)));
        Assert.Equal(expected, plan.NeedsCompaction);
    }

    [Fact]
    public void A_single_turn_never_asks_for_compaction_even_over_the_share()
    {
        var plan = builder.Build(new ContextRequest("m", 100, 10, 0.8, [Block(ContextPartKind.Pinned, 200)], Turns(1, 10)));
        Assert.False(plan.NeedsCompaction);
        Assert.Single(plan.IncludedTurns);
    }
}
