using Agent.Domain.Runtime;
using Agent.Domain.Tools;

namespace Agent.Runtime.Runtime;

/// <summary>
/// Reads executions in the runtime contract's shape (<see cref="ExecutionStatusView"/>): the stored lifecycle mapped by
/// <see cref="ContractStatus.Of"/>, with awaiting_approval from the pending tool approvals, which the lifecycle does not
/// record. Without the tools (a host that registers none) no execution awaits an approval.
/// </summary>
public sealed class ExecutionStatusReader(ExecutionRuntime runtime, IToolApprovalStore? approvals = null)
{
    /// <summary>The full status of one execution of the tenant (artifacts and WAL events included), or null when the tenant has no such execution.</summary>
    public async Task<ExecutionStatusView?> StatusAsync(string tenantId, Guid executionId, CancellationToken cancellationToken)
    {
        if (await runtime.FindAsync(tenantId, executionId, cancellationToken) is not { } record)
        {
            return null;
        }

        var events = await runtime.EventsAsync(tenantId, executionId, cancellationToken) ?? [];
        var artifacts = await runtime.ArtifactsOfAsync(tenantId, executionId, cancellationToken);
        var awaiting = await IsAwaitingApprovalAsync(record, cancellationToken);
        return ExecutionStatusView.Full(record, awaiting, [.. artifacts.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)], events);
    }

    /// <summary>The short form of one record (a submission, cancel or retry answers with it).</summary>
    public async Task<ExecutionStatusView> SummaryAsync(ExecutionRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return ExecutionStatusView.Summary(record, await IsAwaitingApprovalAsync(record, cancellationToken));
    }

    /// <summary>The short form of a page of the tenant's records: one read of the pending approvals for the whole page.</summary>
    public async Task<IReadOnlyList<ExecutionStatusView>> SummariesAsync(string tenantId, IReadOnlyList<ExecutionRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var awaiting = records.Any(r => r.Status == ExecutionStatus.Running)
            ? await AwaitingApprovalAsync(tenantId, cancellationToken)
            : [];
        return [.. records.Select(r => ExecutionStatusView.Summary(r, r.Status == ExecutionStatus.Running && awaiting.Contains(r.Id)))];
    }

    /// <summary>Whether a tool call of this running execution waits for a person's decision.</summary>
    public async Task<bool> IsAwaitingApprovalAsync(ExecutionRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Status == ExecutionStatus.Running && await HasPendingApprovalAsync(record.TenantId, record.Id, cancellationToken);
    }

    /// <summary>Whether a tool call of the execution has a pending approval, whatever its status (the caller knows it runs).</summary>
    public async Task<bool> HasPendingApprovalAsync(string tenantId, Guid executionId, CancellationToken cancellationToken) =>
        (await AwaitingApprovalAsync(tenantId, cancellationToken)).Contains(executionId);

    private async Task<HashSet<Guid>> AwaitingApprovalAsync(string tenantId, CancellationToken cancellationToken)
    {
        if (approvals is null)
        {
            return [];
        }

        var pending = await approvals.ListPendingAsync(tenantId, cancellationToken);
        return [.. pending.Where(p => p.ExecutionId is not null).Select(p => p.ExecutionId!.Value)];
    }
}
