using Agent.Domain.Configuration;
using Agent.Domain.Memory;

namespace Agent.Domain.Tests;

public sealed class MemoryPromptTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Nothing_remembered_is_no_system_message()
    {
        Assert.Null(MemoryPrompt.Format([], []));
    }

    [Fact]
    public void Pinned_blocks_come_first_then_recalled_items_labelled_by_tier_on_one_line_each()
    {
        var pinned = new MemoryItem(Guid.NewGuid(), "local", null, MemoryTier.PinnedBlock, "", "Call me Sam.", T0, T0);
        var episode = new MemoryItem(Guid.NewGuid(), "local", Guid.NewGuid(), MemoryTier.DailyEpisode, "", "Planned the\ntrip.", T0, T0) { Day = new DateOnly(2026, 11, 29) };
        var fact = new MemoryItem(Guid.NewGuid(), "local", null, MemoryTier.ArchivalFact, "", "Sam likes tea.", T0, T0);

        var text = MemoryPrompt.Format([pinned], [new RecalledMemory(episode, 3), new RecalledMemory(fact, 2)]);

        Assert.Equal(
            "Memory.\n" + MemoryPrompt.PinnedHeading + "\n- Call me Sam.\n" + MemoryPrompt.RecalledHeading + "\n- [episode 2026-11-29] Planned the trip.\n- [fact] Sam likes tea.",
            text);
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
