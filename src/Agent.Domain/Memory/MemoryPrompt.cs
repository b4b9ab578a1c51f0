namespace Agent.Domain.Memory;

/// <summary>Pure: how pinned and recalled memory is written into the prompt as one system message.</summary>
public static class MemoryPrompt
{
    public const string Header = "Memory.";
    public const string PinnedHeading = "Pinned (always true, set by the person or you):";
    public const string RecalledHeading = "Recalled (may be relevant to this message):";

    /// <summary>The system message text, or null when there is nothing to say.</summary>
    public static string? Format(IReadOnlyList<MemoryItem> pinned, IReadOnlyList<RecalledMemory> recalled)
    {
        ArgumentNullException.ThrowIfNull(pinned);
        ArgumentNullException.ThrowIfNull(recalled);
        if (pinned.Count == 0 && recalled.Count == 0)
        {
            return null;
        }

        var lines = new List<string> { Header };
        if (pinned.Count > 0)
        {
            lines.Add(PinnedHeading);
            lines.AddRange(pinned.Select(p => $"- {OneLine(p.Content)}"));
        }

        if (recalled.Count > 0)
        {
            lines.Add(RecalledHeading);
            lines.AddRange(recalled.Select(r => $"- [{TierLabel(r.Item.Tier)}{(r.Item.Day is { } d ? " " + d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : "")}] {OneLine(r.Item.Content)}"));
        }

        return string.Join('\n', lines);
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

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
