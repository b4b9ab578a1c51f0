namespace Agent.Domain.Runtime;

public enum ExecutionStatus
{
    Created,
    Queued,
    Running,
    Completed,
    Failed,
    Cancelled,
    Interrupted,
}

/// <summary>One unit of work the runtime owns, from creation to a terminal state.</summary>
public sealed record ExecutionRecord(
    Guid Id,
    string TenantId,
    string Intent,
    string HandlerName,
    Guid? SessionId,
    string? SolutionId,
    ExecutionStatus Status,
    double Progress,
    string? ProgressMessage,
    int Attempts,
    string? Error,
    string? IdempotencyKey,
    string MetadataJson,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt)
{
    /// <summary>The intent's parameters as a JSON object of strings (what the handler needs); "{}" for requests without any.</summary>
    public string ParametersJson { get; init; } = "{}";
}
