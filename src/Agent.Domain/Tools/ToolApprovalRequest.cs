namespace Agent.Domain.Tools;

public enum ToolApprovalStatus
{
    Pending,
    Approved,
    ApprovedForSession,
    Denied,
    Cancelled,
}

/// <summary>
/// A tool call waiting for the person (or decided by them). Persisted, so a pending one is listed again after a
/// restart; <see cref="ArgumentsJson"/> is exactly what the model asked for.
/// </summary>
public sealed record ToolApprovalRequest(
    Guid Id,
    string TenantId,
    Guid? SessionId,
    Guid? ExecutionId,
    string CallId,
    string ToolName,
    string ArgumentsJson,
    string Reason,
    DateTimeOffset CreatedAt,
    ToolApprovalStatus Status = ToolApprovalStatus.Pending,
    string? DenyReason = null,
    DateTimeOffset? DecidedAt = null)
{
    public bool IsApproved => Status is ToolApprovalStatus.Approved or ToolApprovalStatus.ApprovedForSession;
}

/// <summary>Persists approval requests and "approved for this session" grants.</summary>
public interface IToolApprovalStore
{
    Task SaveAsync(ToolApprovalRequest request, CancellationToken cancellationToken);

    Task<ToolApprovalRequest?> GetAsync(Guid id, CancellationToken cancellationToken);

    Task<IReadOnlyList<ToolApprovalRequest>> ListPendingAsync(string tenantId, CancellationToken cancellationToken);

    Task GrantForSessionAsync(string tenantId, Guid sessionId, string toolName, CancellationToken cancellationToken);

    Task<bool> IsGrantedForSessionAsync(string tenantId, Guid sessionId, string toolName, CancellationToken cancellationToken);
}
