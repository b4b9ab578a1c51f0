using Agent.Domain.Configuration;
using Agent.Domain.Memory;

namespace Agent.Domain.Tests;

public sealed class MemoryPromptTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_recalled_item_is_one_line_labelled_by_its_tier_and_day()
    {
        var episode = new MemoryItem(Guid.NewGuid(), "local", Guid.NewGuid(), MemoryTier.DailyEpisode, "", "Planned the\ntrip.", T0, T0) { Day = new DateOnly(2026, 11, 29) };
        var fact = new MemoryItem(Guid.NewGuid(), "local", null, MemoryTier.ArchivalFact, "", "Sam likes tea.", T0, T0);

        Assert.Equal("[episode 2026-11-29] Planned the trip.", MemoryPrompt.Line(new RecalledMemory(episode, 3)));
        Assert.Equal("[fact] Sam likes tea.", MemoryPrompt.Line(new RecalledMemory(fact, 2)));
    }

    [Fact]
    public void Memory_settings_out_of_range_stop_start_up_with_the_key_named()
    {
        var options = new AgentOptions { Memory = new MemoryOptions { RecallMinCoverage = 1.5, PinnedTotalMaxChars = 0, AttachmentMaxBytes = -1, AttachmentFolder = " " } };

        var keys = AgentOptionsValidator.Validate(options).Select(e => e.Key).ToList();

        Assert.Contains("Agent:Memory:RecallMinCoverage", keys);
        Assert.Contains("Agent:Memory:PinnedTotalMaxChars", keys);
        Assert.Contains("Agent:Memory:AttachmentMaxBytes", keys);
        Assert.Contains("Agent:Memory:AttachmentFolder", keys);
        Assert.DoesNotContain(AgentOptionsValidator.Validate(new AgentOptions()), e => e.Key.StartsWith("Agent:Memory", StringComparison.Ordinal));
    }
}
