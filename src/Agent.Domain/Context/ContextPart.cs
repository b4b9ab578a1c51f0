namespace Agent.Domain.Context;

/// <summary>The kinds of context a turn carries, in the fixed order the builder fills them.</summary>
public enum ContextPartKind
{
    System,
    Skills,
    Pinned,
    Recalled,
    Episode,
    CompactionSummary,
    RecentTurns,
    Instruction,
}

/// <summary>A block of text offered to the builder (everything but the turns), with where it came from.</summary>
public sealed record ContextBlock(ContextPartKind Kind, string Label, string Text, string Source);

/// <summary>
/// One entry of what a turn's request carried (or left out), in the order it was sent. <see cref="Text"/> is
/// what was sent for a block; null for the recent turns, which are the transcript's own messages.
/// </summary>
public sealed record ContextPart(
    ContextPartKind Kind,
    string Label,
    int Tokens,
    bool IsEstimate,
    bool Included,
    string? Text,
    string Source,
    int Items = 1,
    string? Note = null);
