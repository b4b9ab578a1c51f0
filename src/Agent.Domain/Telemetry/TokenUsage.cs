namespace Agent.Domain.Telemetry;

/// <summary>
/// Token usage as reported by the provider, normalized across wire formats. <see cref="IsEstimate"/> is true when the
/// provider reported nothing (or not every count) for at least one call of the reply and our tokenizer counted instead:
/// shown as an estimate, never as a silent zero.
/// </summary>
public sealed record TokenUsage(
    long InputTokens,
    long OutputTokens,
    long CachedInputTokens,
    long ReasoningTokens,
    string Model,
    string Provider,
    bool IsEstimate = false)
{
    public long TotalTokens => InputTokens + OutputTokens;
}

/// <summary>Sums of <see cref="TokenUsage"/> over some scope (tenant, session, model or day).</summary>
public sealed record TokenTotals(long InputTokens, long OutputTokens, long CachedInputTokens, long ReasoningTokens, int Messages)
{
    public static TokenTotals Zero { get; } = new(0, 0, 0, 0, 0);
}
