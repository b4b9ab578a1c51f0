using Agent.Domain.Sessions;

namespace Agent.Domain.Context;

/// <summary>What a turn's request is built from: the model and its window, the blocks, and the turns since the last compaction.</summary>
public sealed record ContextRequest(
    string Model,
    int ContextWindow,
    int ReplyReserveTokens,
    double CompactAtShare,
    IReadOnlyList<ContextBlock> Blocks,
    IReadOnlyList<SessionMessage> Turns,
    string? Instruction = null)
{
    /// <summary>
    /// Turns older than <see cref="Turns"/> (after the last compaction) that the caller did not read because they can be
    /// neither sent nor needed to decide on compaction; they count as left out.
    /// </summary>
    public int UnreadOlderTurns { get; init; }
}

/// <summary>
/// What the builder chose for one request: the parts in the order sent with their token counts, the turns
/// sent (oldest first), and whether the session should be compacted before it is sent.
/// </summary>
public sealed record ContextPlan(
    string Model,
    string Tokenizer,
    bool IsEstimate,
    int ContextWindow,
    int Budget,
    int TotalTokens,
    IReadOnlyList<ContextPart> Parts,
    IReadOnlyList<SessionMessage> IncludedTurns,
    int DroppedTurns,
    bool NeedsCompaction)
{
    /// <summary>The share of the context window the request fills (0..1, above 1 when even the parts that are never dropped do not fit).</summary>
    public double Share => ContextWindow <= 0 ? 0 : (double)TotalTokens / ContextWindow;

    public bool OverBudget => TotalTokens > Budget;
}
