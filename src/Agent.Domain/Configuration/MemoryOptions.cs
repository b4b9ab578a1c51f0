namespace Agent.Domain.Configuration;

/// <summary>Memory: recall threshold, pinned block limits, attachment limits, the daily episode job (Agent:Memory).</summary>
public sealed class MemoryOptions
{
    /// <summary>
    /// The share of the question's subject words an item must hold to be recalled, each word weighed by how rare it is
    /// in memory (inverse document frequency), so a word found all over memory counts for little; an item holding two
    /// or more of the words needs half this share.
    /// </summary>
    public double RecallMinCoverage { get; set; } = 0.6;

    /// <summary>
    /// BM25 score (higher is more relevant) an item must also reach; 0 leaves the decision to <see cref="RecallMinCoverage"/>.
    /// BM25 has no fixed scale: in a small memory, or one where most items share the question's words, relevant items
    /// score near 0.
    /// </summary>
    public double RecallMinScore { get; set; }

    /// <summary>An item below this share of the best match's score is left out (keeps weak matches out of the prompt).</summary>
    public double RecallRelativeCut { get; set; } = 0.3;

    /// <summary>Characters one pinned block may hold.</summary>
    public int PinnedBlockMaxChars { get; set; } = 2_000;

    /// <summary>Characters all pinned blocks of a tenant may hold together (they are always in context).</summary>
    public int PinnedTotalMaxChars { get; set; } = 8_000;

    /// <summary>Characters one archival fact may hold.</summary>
    public int FactMaxChars { get; set; } = 4_000;

    /// <summary>Largest attachment accepted, in bytes.</summary>
    public long AttachmentMaxBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Folder for attachment files, relative to the content root.</summary>
    public string AttachmentFolder { get; set; } = "data/attachments";

    /// <summary>Characters of text one summary request may carry (a day's transcript or a document is cut to this).</summary>
    public int SummaryInputMaxChars { get; set; } = 24_000;

    /// <summary>Whether the daily episode job runs (summarize_day for yesterday, at start and each day at 00:10 UTC).</summary>
    public bool EpisodeJob { get; set; } = true;
}
