using Agent.Domain.Memory;

namespace Agent.Runtime.Memories;

/// <summary>The tiers' names in the API and the panel: pinned, archival, episode, attachment, raw.</summary>
public static class MemoryTiers
{
    public static string ToApi(MemoryTier tier) => tier switch
    {
        MemoryTier.PinnedBlock => "pinned",
        MemoryTier.ArchivalFact => "archival",
        MemoryTier.DailyEpisode => "episode",
        MemoryTier.AttachmentSummary => "attachment",
        _ => "raw",
    };

    public static bool TryParse(string? text, out MemoryTier tier)
    {
        foreach (var candidate in Enum.GetValues<MemoryTier>())
        {
            if (string.Equals(ToApi(candidate), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                tier = candidate;
                return true;
            }
        }

        tier = default;
        return false;
    }

    public static MemoryTier Parse(string text) => TryParse(text, out var tier) ? tier : throw new ArgumentException($"Unknown tier '{text}'.", nameof(text));

    /// <summary>The tier of one item, for people.</summary>
    public static string ItemLabel(MemoryTier tier) => tier switch
    {
        MemoryTier.RawHistory => "Message",
        MemoryTier.DailyEpisode => "Daily episode",
        MemoryTier.PinnedBlock => "Pinned",
        MemoryTier.ArchivalFact => "Archival fact",
        MemoryTier.AttachmentSummary => "Attachment summary",
        _ => tier.ToString(),
    };

    /// <summary>The tier's name for people.</summary>
    public static string Label(MemoryTier tier) => tier switch
    {
        MemoryTier.RawHistory => "Raw history",
        MemoryTier.DailyEpisode => "Daily episodes",
        MemoryTier.PinnedBlock => "Pinned",
        MemoryTier.ArchivalFact => "Archival facts",
        MemoryTier.AttachmentSummary => "Attachment summaries",
        _ => tier.ToString(),
    };
}
