using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Agent.Domain.Configuration;
using Microsoft.Extensions.Options;

namespace Agent.Web.Runtime;

/// <summary>A submission was refused because a cap is full; <see cref="Exception.Message"/> says which.</summary>
public sealed class CapsExceededException(string reason) : Exception(reason);

/// <summary>
/// Enforces the control plane's caps with System.Threading.RateLimiting: concurrent executions per tenant and
/// globally, and starts per minute per tenant. An execution over a cap waits (its reason is reported through
/// the callback, so the UI shows why it is queued); a tenant with too many waiting is refused.
/// </summary>
public sealed class ExecutionAdmission : IDisposable
{
    private readonly CapsOptions caps;
    private readonly ExecutionRuntimeOptions runtime;
    private readonly ConcurrencyLimiter global;
    private readonly ConcurrentDictionary<string, TenantLimiters> tenants = new(StringComparer.Ordinal);

    public ExecutionAdmission(IOptions<AgentOptions> options, IOptions<ExecutionRuntimeOptions> runtimeOptions)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runtimeOptions);
        caps = options.Value.Caps;
        runtime = runtimeOptions.Value;
        global = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = Math.Max(1, caps.MaxConcurrentCallsGlobal),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public CapsOptions Caps => caps;

    /// <summary>Executions of the tenant now waiting for a slot.</summary>
    public int WaitingCount(string tenantId) => tenants.TryGetValue(tenantId, out var t) ? Volatile.Read(ref t.Waiting) : 0;

    /// <summary>Throws <see cref="CapsExceededException"/> when the tenant may not queue one more execution.</summary>
    public void EnsureCanQueue(string tenantId)
    {
        var waiting = WaitingCount(tenantId);
        if (waiting >= runtime.MaxQueuedPerTenant)
        {
            throw new CapsExceededException(
                $"Tenant '{tenantId}' already has {waiting} executions waiting for a slot (Agent:Runtime:MaxQueuedPerTenant = {runtime.MaxQueuedPerTenant}; " +
                $"caps: {caps.MaxConcurrentCallsTenant} concurrent per tenant, {caps.MaxCallsPerMinuteTenant} per minute, {caps.MaxConcurrentCallsGlobal} global). Try again when some finish.");
        }
    }

    /// <summary>Waits for a start within the per-minute cap and a slot within the tenant and global concurrency caps.</summary>
    public async Task<AdmissionLease> AcquireAsync(string tenantId, Func<string, Task> onQueued, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onQueued);
        var tenant = tenants.GetOrAdd(tenantId, _ => new TenantLimiters(caps));
        Interlocked.Increment(ref tenant.Waiting);
        RateLimitLease? tenantLease = null;
        try
        {
            using (var minuteLease = await AcquireOneAsync(tenant.PerMinute, onQueued,
                $"Queued: tenant '{tenantId}' reached its cap of {caps.MaxCallsPerMinuteTenant} starts per minute (maxCallsPerMinuteTenant); it starts in the next minute.", cancellationToken))
            {
                // A fixed-window permit is spent when acquired; disposing it returns nothing.
            }

            tenantLease = await AcquireOneAsync(tenant.Concurrency, onQueued,
                $"Queued: tenant '{tenantId}' is running {caps.MaxConcurrentCallsTenant} executions, its cap (maxConcurrentCallsTenant); it starts when one finishes.", cancellationToken);
            var globalLease = await AcquireOneAsync(global, onQueued,
                $"Queued: the server is running {caps.MaxConcurrentCallsGlobal} executions, the global cap (maxConcurrentCallsGlobal); it starts when one finishes.", cancellationToken);
            var lease = new AdmissionLease(tenantLease, globalLease);
            tenantLease = null;
            return lease;
        }
        finally
        {
            tenantLease?.Dispose();
            Interlocked.Decrement(ref tenant.Waiting);
        }
    }

    private static async Task<RateLimitLease> AcquireOneAsync(RateLimiter limiter, Func<string, Task> onQueued, string reason, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var lease = limiter.AttemptAcquire(1);
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        await onQueued(reason);
        lease = await limiter.AcquireAsync(1, cancellationToken);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw new CapsExceededException(reason);
        }

        return lease;
    }

    public void Dispose()
    {
        global.Dispose();
        foreach (var tenant in tenants.Values)
        {
            tenant.Dispose();
        }
    }

    private sealed class TenantLimiters(CapsOptions caps) : IDisposable
    {
        public int Waiting;

        public ConcurrencyLimiter Concurrency { get; } = new(new ConcurrencyLimiterOptions
        {
            PermitLimit = Math.Max(1, caps.MaxConcurrentCallsTenant),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });

        public FixedWindowRateLimiter PerMinute { get; } = new(new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, caps.MaxCallsPerMinuteTenant),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });

        public void Dispose()
        {
            Concurrency.Dispose();
            PerMinute.Dispose();
        }
    }
}

/// <summary>Holds a tenant slot and a global slot; disposing frees both.</summary>
public sealed class AdmissionLease(RateLimitLease tenant, RateLimitLease global) : IDisposable
{
    public void Dispose()
    {
        global.Dispose();
        tenant.Dispose();
    }
}
