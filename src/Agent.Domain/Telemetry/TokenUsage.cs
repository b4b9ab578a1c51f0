namespace Agent.Domain.Telemetry;

/// <summary>Token usage as reported by the provider, normalized across wire formats.</summary>
public sealed record TokenUsage(
    long InputTokens,
    long OutputTokens,
    long CachedInputTokens,
    long ReasoningTokens,
    string Model,
    string Provider)
{
    public long TotalTokens => InputTokens + OutputTokens;
}

/// <summary>Sums of <see cref="TokenUsage"/> over some scope (tenant, session, model or day).</summary>
public sealed record TokenTotals(long InputTokens, long OutputTokens, long CachedInputTokens, long ReasoningTokens, int Messages)
{
    public static TokenTotals Zero { get; } = new(0, 0, 0, 0, 0);
}
