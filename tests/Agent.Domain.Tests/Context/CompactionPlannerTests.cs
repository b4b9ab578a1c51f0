using Agent.Domain.Context;
using Agent.Domain.Sessions;

namespace Agent.Domain.Tests.Context;

public sealed class CompactionPlannerTests
{
    private static readonly WordCounter Counter = new();

    [Fact]
    public void The_newest_turns_that_fit_the_keep_budget_stay_and_start_at_a_persons_message()
    {
        var turns = ContextBuilderTests.Turns(10, 10); // 0 user, 1 assistant, ... 9 assistant
        var split = CompactionPlanner.Split(turns, _ => 10, 35); // room for 3: 7, 8, 9 -> starts at 7 (assistant) -> moves to 8

        Assert.Equal(turns.Take(8).Select(t => t.Id), split.ToSummarize.Select(t => t.Id));
        Assert.Equal(MessageRole.User, split.Kept[0].Role);
        Assert.Equal(turns[^1].Id, split.Kept[^1].Id);
    }

    [Fact]
    public void The_newest_message_is_kept_even_when_it_alone_is_over_the_keep_budget()
    {
        var turns = ContextBuilderTests.Turns(4, 10);
        var split = CompactionPlanner.Split(turns, _ => 100, 10);
        Assert.Equal([turns[^1].Id], split.Kept.Select(t => t.Id));
        Assert.Equal(3, split.ToSummarize.Count);
    }

    [Fact]
    public void Chunks_never_exceed_the_room_and_a_line_longer_than_the_room_is_cut()
    {
        var lines = new[] { string.Join(' ', Enumerable.Repeat("long", 95)), "short one", "short two", string.Join(' ', Enumerable.Repeat("w", 30)) };
        var chunks = CompactionPlanner.Chunk(lines, Counter, "m", 40);

        Assert.All(chunks, c => Assert.True(Counter.Count("m", c).Tokens <= 40, $"{Counter.Count("m", c).Tokens} tokens"));
        static string Letters(IEnumerable<string> texts) => string.Concat(string.Concat(texts).Where(c => !char.IsWhiteSpace(c)));
        Assert.Equal(Letters(lines), Letters(chunks)); // nothing lost, in order
        Assert.True(chunks.Count >= 4);
    }

    [Fact]
    public void Truncate_keeps_the_start_within_the_limit()
    {
        var text = string.Join(' ', Enumerable.Range(0, 50).Select(i => $"w{i}"));
        var cut = CompactionPlanner.Truncate(text, Counter, "m", 10);
        Assert.True(Counter.Count("m", cut).Tokens < 10);
        Assert.StartsWith("w0 w1", cut, StringComparison.Ordinal);
    }
}
