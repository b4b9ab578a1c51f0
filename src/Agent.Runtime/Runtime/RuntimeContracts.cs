using Agent.Domain.Runtime;

namespace Agent.Runtime.Runtime;

/// <summary>
/// A request to run an intent. <see cref="Parameters"/> carry what the handler needs to do the work (ids, provider,
/// model); <see cref="Metadata"/> what is about the request. A null solution id means the install's.
/// </summary>
public sealed record ExecutionRequest(
    string Intent,
    string TenantId,
    Guid? SessionId,
    string? SolutionId,
    IReadOnlyDictionary<string, string> Metadata,
    string? IdempotencyKey)
{
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
}

/// <summary>The execution a submission names, and whether this submission created it.</summary>
public sealed record SubmitOutcome(ExecutionRecord Execution, bool Created);

/// <summary>A submission is malformed (bad field) or names something unknown; the message says what.</summary>
public class SubmissionRejectedException(string message) : Exception(message);

/// <summary>
/// A submission names an id (session, message, attachment, execution, artifact) that is not the tenant's: unknown or
/// another tenant's, in the same words. The API answers 404; callers that catch rejections still catch it.
/// </summary>
public sealed class SubmissionNotFoundException(string message) : SubmissionRejectedException(message);

/// <summary>The idempotency key already names a different request.</summary>
public sealed class IdempotencyConflictException(string message) : Exception(message);

/// <summary>A cancel or retry that the execution's status does not allow.</summary>
public sealed class ExecutionStateConflictException(string message) : Exception(message);

/// <summary>What start-up recovery found and did.</summary>
public sealed record RecoveryReport(int Found, int Requeued, int LeftInterrupted, TimeSpan Elapsed);
