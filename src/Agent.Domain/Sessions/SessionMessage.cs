using Agent.Domain.Telemetry;

namespace Agent.Domain.Sessions;

public enum MessageRole
{
    System,
    User,
    Assistant,
    Tool,
}

public enum MessageStatus
{
    Streaming,
    Complete,
    Interrupted,
    Failed,
    Cancelled,
}

/// <summary>
/// One node of a session's message tree. <see cref="ParentId"/> is the previous message on the same
/// branch; siblings (same parent) are alternative branches created by regenerate or edit-and-resend.
/// </summary>
public sealed record SessionMessage
{
    public required Guid Id { get; init; }

    public required Guid SessionId { get; init; }

    public required string TenantId { get; init; }

    public Guid? ParentId { get; init; }

    public required MessageRole Role { get; init; }

    public required IReadOnlyList<MessagePart> Parts { get; init; }

    public required MessageStatus Status { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public TokenUsage? Usage { get; init; }

    /// <summary>What the reply cost, priced when it ended; null when not priced (no usage, model not in the price table, or an older row).</summary>
    public decimal? Cost { get; init; }

    /// <summary>The price table version <see cref="Cost"/> was computed from (Agent:Telemetry:PriceTableVersion).</summary>
    public string? PriceTableVersion { get; init; }

    public string? ProviderName { get; init; }

    public string? ModelId { get; init; }

    /// <summary>deterministic, sandbox or live: shown on the message so a scripted reply is never taken for a live one.</summary>
    public string? ProviderMode { get; init; }

    public string? Error { get; init; }

    public Guid? ExecutionId { get; init; }

    /// <summary>Milliseconds from the request to the first streamed text.</summary>
    public double? TimeToFirstTokenMs { get; init; }

    /// <summary>Output tokens per second over the streaming part of the reply.</summary>
    public double? TokensPerSecond { get; init; }

    /// <summary>Milliseconds from the request to the reply's end (every model call and tool call of the turn).</summary>
    public double? TotalTimeMs { get; init; }

    /// <summary>How many provider requests of this reply were retried (attempts beyond the first, summed over its model calls).</summary>
    public int? Retries { get; init; }

    /// <summary>The concatenated text parts: what a person reads.</summary>
    public string Text => string.Concat(Parts.OfType<TextPart>().Select(p => p.Text));

    public bool IsTerminal => Status is not MessageStatus.Streaming;
}
