using System.Collections.Concurrent;
using System.Text.Json;
using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Agent.Domain.Tools;

namespace Agent.Runtime.Tools;

/// <summary>
/// Pending tool approvals: the agent loop awaits <see cref="RequestAsync"/>; the UI (or API) calls
/// <see cref="ApproveAsync"/> or <see cref="DenyAsync"/>. Requests are persisted first, so they survive a restart.
/// </summary>
public sealed class ToolApprovalService(IToolApprovalStore store, TimeProvider time) : IToolApprovalNotifications
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<ToolApprovalRequest>> waiters = new();

    /// <summary>Raised after a request is added or decided (the panels refresh on it).</summary>
    public event Action<ToolApprovalRequest>? Changed;

    public Task<IReadOnlyList<ToolApprovalRequest>> ListPendingAsync(string tenantId, CancellationToken cancellationToken) =>
        store.ListPendingAsync(tenantId, cancellationToken);

    /// <inheritdoc/>
    public IDisposable Subscribe(Action<ToolApprovalRequest> changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        Changed += changed;
        return new Unsubscriber(this, changed);
    }

    /// <summary>The request when it belongs to <paramref name="tenantId"/>; another tenant's id is the same as an unknown one.</summary>
    public async Task<ToolApprovalRequest?> FindAsync(string tenantId, Guid requestId, CancellationToken cancellationToken) =>
        await store.GetAsync(requestId, cancellationToken) is { } request && request.TenantId == tenantId ? request : null;

    public Task<bool> IsApprovedForSessionAsync(string tenantId, Guid? sessionId, string toolName, CancellationToken cancellationToken) =>
        sessionId is { } id ? store.IsGrantedForSessionAsync(tenantId, id, toolName, cancellationToken) : Task.FromResult(false);

    /// <summary>Persists <paramref name="request"/> and waits for the person's decision (or cancellation).</summary>
    public async Task<ToolApprovalRequest> RequestAsync(ToolApprovalRequest request, CancellationToken cancellationToken) =>
        await await SubmitAsync(request, cancellationToken);

    /// <summary>
    /// Persists <paramref name="request"/> (once this returns, it is listed and can be decided) and returns the task of
    /// the decision; cancelling <paramref name="cancellationToken"/> marks the request cancelled.
    /// </summary>
    public async Task<Task<ToolApprovalRequest>> SubmitAsync(ToolApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var waiter = new TaskCompletionSource<ToolApprovalRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        waiters[request.Id] = waiter;
        try
        {
            await store.SaveAsync(request, cancellationToken);
        }
        catch
        {
            waiters.TryRemove(request.Id, out _);
            throw;
        }

        Changed?.Invoke(request);
        return WaitAsync(request, waiter, cancellationToken);
    }

    private async Task<ToolApprovalRequest> WaitAsync(ToolApprovalRequest request, TaskCompletionSource<ToolApprovalRequest> waiter, CancellationToken cancellationToken)
    {
        try
        {
            return await waiter.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            var cancelled = request with { Status = ToolApprovalStatus.Cancelled, DecidedAt = time.GetUtcNow() };
            await store.SaveAsync(cancelled, CancellationToken.None);
            Changed?.Invoke(cancelled);
            throw;
        }
        finally
        {
            waiters.TryRemove(request.Id, out _);
        }
    }

    /// <summary>Approves once, or for the rest of the session (later calls of the same tool run without asking).</summary>
    public async Task<ToolApprovalRequest?> ApproveAsync(Guid requestId, bool forSession, CancellationToken cancellationToken)
    {
        var request = await store.GetAsync(requestId, cancellationToken);
        if (request is null || request.Status != ToolApprovalStatus.Pending)
        {
            return null;
        }

        var decided = request with
        {
            Status = forSession ? ToolApprovalStatus.ApprovedForSession : ToolApprovalStatus.Approved,
            DecidedAt = time.GetUtcNow(),
        };
        if (forSession && request.SessionId is { } sessionId)
        {
            await store.GrantForSessionAsync(request.TenantId, sessionId, request.ToolName, cancellationToken);
        }

        return await DecideAsync(decided, cancellationToken);
    }

    /// <summary>Denies; <paramref name="reason"/> is what the model sees as the tool's error result.</summary>
    public async Task<ToolApprovalRequest?> DenyAsync(Guid requestId, string? reason, CancellationToken cancellationToken)
    {
        var request = await store.GetAsync(requestId, cancellationToken);
        if (request is null || request.Status != ToolApprovalStatus.Pending)
        {
            return null;
        }

        var decided = request with
        {
            Status = ToolApprovalStatus.Denied,
            DenyReason = string.IsNullOrWhiteSpace(reason) ? "The person denied this call." : reason.Trim(),
            DecidedAt = time.GetUtcNow(),
        };
        return await DecideAsync(decided, cancellationToken);
    }

    /// <summary>True when a loop in this process is waiting for the request (false for one left over from before a restart).</summary>
    public bool IsAwaited(Guid requestId) => waiters.ContainsKey(requestId);

    private async Task<ToolApprovalRequest> DecideAsync(ToolApprovalRequest decided, CancellationToken cancellationToken)
    {
        await store.SaveAsync(decided, cancellationToken);
        if (waiters.TryGetValue(decided.Id, out var waiter))
        {
            waiter.TrySetResult(decided);
        }

        Changed?.Invoke(decided);
        return decided;
    }

    private sealed class Unsubscriber(ToolApprovalService service, Action<ToolApprovalRequest> changed) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                service.Changed -= changed;
            }
        }
    }
}

/// <summary><see cref="IToolApprovalStore"/> over the persisted key/value state (one scope per tenant).</summary>
public sealed class StateToolApprovalStore(IStateStore state, TimeProvider time) : IToolApprovalStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string RequestScope(string tenantId) => $"tool-approvals:{tenantId}";

    public static string GrantScope(string tenantId, Guid sessionId) => $"tool-grants:{tenantId}:{sessionId:N}";

    public async Task SaveAsync(ToolApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await state.SetAsync(new StateEntry("tool-approval-index", request.Id.ToString("N"), request.TenantId, time.GetUtcNow()), cancellationToken);
        await state.SetAsync(new StateEntry(RequestScope(request.TenantId), request.Id.ToString("N"), JsonSerializer.Serialize(request, Json), time.GetUtcNow()), cancellationToken);
    }

    public async Task<ToolApprovalRequest?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        var tenant = await state.GetAsync("tool-approval-index", id.ToString("N"), cancellationToken);
        if (tenant is null)
        {
            return null;
        }

        var json = await state.GetAsync(RequestScope(tenant), id.ToString("N"), cancellationToken);
        return json is null ? null : JsonSerializer.Deserialize<ToolApprovalRequest>(json, Json);
    }

    public async Task<IReadOnlyList<ToolApprovalRequest>> ListPendingAsync(string tenantId, CancellationToken cancellationToken)
    {
        var entries = await state.ListAsync(RequestScope(tenantId), cancellationToken);
        return entries.Select(e => JsonSerializer.Deserialize<ToolApprovalRequest>(e.Value, Json)!)
            .Where(r => r.Status == ToolApprovalStatus.Pending)
            .OrderBy(r => r.CreatedAt)
            .ToList();
    }

    public Task GrantForSessionAsync(string tenantId, Guid sessionId, string toolName, CancellationToken cancellationToken) =>
        state.SetAsync(new StateEntry(GrantScope(tenantId, sessionId), toolName, "approved", time.GetUtcNow()), cancellationToken);

    public async Task<bool> IsGrantedForSessionAsync(string tenantId, Guid sessionId, string toolName, CancellationToken cancellationToken) =>
        await state.GetAsync(GrantScope(tenantId, sessionId), toolName, cancellationToken) is not null;
}
