namespace Agent.Domain.Memory;

/// <summary>Pure: how a recalled memory item reads in the prompt, one line labelled by its tier (and day).</summary>
public static class MemoryPrompt
{
    public static string Line(RecalledMemory recalled)
    {
        ArgumentNullException.ThrowIfNull(recalled);
        var day = recalled.Item.Day is { } d ? " " + d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : "";
        return $"[{TierLabel(recalled.Item.Tier)}{day}] {recalled.Item.Content.ReplaceLineEndings(" ").Trim()}";
    }

    public static string TierLabel(MemoryTier tier) => tier switch
    {
        MemoryTier.RawHistory => "earlier message",
        MemoryTier.DailyEpisode => "episode",
        MemoryTier.PinnedBlock => "pinned",
        MemoryTier.ArchivalFact => "fact",
        MemoryTier.AttachmentSummary => "attachment",
        _ => tier.ToString(),
    };
}
