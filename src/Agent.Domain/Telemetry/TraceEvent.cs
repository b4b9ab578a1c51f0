namespace Agent.Domain.Telemetry;

/// <summary>Something that happened and should be visible later: a tool call, a provider retry, a failure.</summary>
public sealed record TraceEvent(
    Guid Id,
    string TenantId,
    Guid? SessionId,
    Guid? ExecutionId,
    string Kind,
    string Name,
    string DataJson,
    double? DurationMs,
    string? CorrelationId,
    DateTimeOffset OccurredAt);
