using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Agent.Domain.Configuration;
using Agent.Runtime.ControlPlane;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.Runtime;

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
    private readonly ITenantCapsSource capsSource;
    private readonly ConcurrencyLimiter global;
    private readonly ConcurrentDictionary<string, TenantLimiters> tenants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WaitingCounter> waiting = new(StringComparer.Ordinal);
    private readonly List<TenantLimiters> retired = [];

    /// <param name="capsSource">A tenant's caps (its published config when Redis is configured); Agent:Caps when null.</param>
    public ExecutionAdmission(IOptions<AgentOptions> options, IOptions<ExecutionRuntimeOptions> runtimeOptions, ITenantCapsSource? capsSource = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runtimeOptions);
        caps = options.Value.Caps;
        runtime = runtimeOptions.Value;
        this.capsSource = capsSource ?? new ConfiguredTenantCaps(options);
        global = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = Math.Max(1, caps.MaxConcurrentCallsGlobal),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public CapsOptions Caps => caps;

    /// <summary>Executions of the tenant now waiting for a slot.</summary>
    public int WaitingCount(string tenantId) => waiting.TryGetValue(tenantId, out var w) ? Volatile.Read(ref w.Count) : 0;

    /// <summary>Throws <see cref="CapsExceededException"/> when the tenant may not queue one more execution.</summary>
    public void EnsureCanQueue(string tenantId)
    {
        var count = WaitingCount(tenantId);
        if (count >= runtime.MaxQueuedPerTenant)
        {
            var known = tenants.TryGetValue(tenantId, out var t) ? t.Caps : TenantCaps.From(caps);
            throw new CapsExceededException(
                $"Tenant '{tenantId}' already has {count} executions waiting for a slot (Agent:Runtime:MaxQueuedPerTenant = {runtime.MaxQueuedPerTenant}; " +
                $"caps from {known.Source}: {known.MaxConcurrentCallsTenant} concurrent per tenant, {known.MaxCallsPerMinuteTenant} per minute, {caps.MaxConcurrentCallsGlobal} global). Try again when some finish.");
        }
    }

    /// <summary>Waits for a start within the per-minute cap and a slot within the tenant and global concurrency caps.</summary>
    public async Task<AdmissionLease> AcquireAsync(string tenantId, Func<string, Task> onQueued, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onQueued);
        var counter = waiting.GetOrAdd(tenantId, _ => new WaitingCounter());
        Interlocked.Increment(ref counter.Count);
        RateLimitLease? tenantLease = null;
        try
        {
            var tenantCaps = await capsSource.GetCapsAsync(tenantId, cancellationToken);
            var tenant = LimitersFor(tenantId, tenantCaps);
            using (var minuteLease = await AcquireOneAsync(tenant.PerMinute, onQueued,
                $"Queued: tenant '{tenantId}' reached its cap of {tenantCaps.MaxCallsPerMinuteTenant} starts per minute (maxCallsPerMinuteTenant, from {tenantCaps.Source}); it starts in the next minute.", cancellationToken))
            {
                // A fixed-window permit is spent when acquired; disposing it returns nothing.
            }

            tenantLease = await AcquireOneAsync(tenant.Concurrency, onQueued,
                $"Queued: tenant '{tenantId}' is running {tenant.ConcurrencyLimit} executions, its cap (maxConcurrentCallsTenant, from {tenantCaps.Source}); it starts when one finishes.", cancellationToken);
            var globalLease = await AcquireOneAsync(global, onQueued,
                $"Queued: the server is running {caps.MaxConcurrentCallsGlobal} executions, the global cap (maxConcurrentCallsGlobal); it starts when one finishes.", cancellationToken);
            var lease = new AdmissionLease(tenantLease, globalLease);
            tenantLease = null;
            return lease;
        }
        finally
        {
            tenantLease?.Dispose();
            Interlocked.Decrement(ref counter.Count);
        }
    }

    /// <summary>
    /// The tenant's limiters for these caps. When the caps change, new starts use fresh limiters; leases held on the
    /// old ones are released into them, so for a moment both sets count (the old ones are disposed with this admission).
    /// </summary>
    private TenantLimiters LimitersFor(string tenantId, TenantCaps tenantCaps)
    {
        if (tenants.TryGetValue(tenantId, out var current) && current.Caps == tenantCaps)
        {
            return current;
        }

        lock (retired)
        {
            if (tenants.TryGetValue(tenantId, out current) && current.Caps == tenantCaps)
            {
                return current;
            }

            var fresh = new TenantLimiters(tenantCaps);
            if (current is not null)
            {
                retired.Add(current);
            }

            tenants[tenantId] = fresh;
            return fresh;
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

        lock (retired)
        {
            foreach (var tenant in retired)
            {
                tenant.Dispose();
            }
        }
    }

    private sealed class WaitingCounter
    {
        public int Count;
    }

    /// <remarks>A tenant can never run more than the global cap its config names, so the tenant limit is the smaller of the two.</remarks>
    private sealed class TenantLimiters(TenantCaps caps) : IDisposable
    {
        public TenantCaps Caps { get; } = caps;

        public int ConcurrencyLimit { get; } = Math.Max(1, Math.Min(caps.MaxConcurrentCallsTenant, caps.MaxConcurrentCallsGlobal));

        public ConcurrencyLimiter Concurrency { get; } = new(new ConcurrencyLimiterOptions
        {
            PermitLimit = Math.Max(1, Math.Min(caps.MaxConcurrentCallsTenant, caps.MaxConcurrentCallsGlobal)),
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
public sealed class AdmissionLease : IDisposable
{
    private readonly RateLimitLease? tenant;
    private readonly RateLimitLease? global;

    public AdmissionLease(RateLimitLease tenant, RateLimitLease global)
    {
        this.tenant = tenant;
        this.global = global;
    }

    private AdmissionLease()
    {
    }

    /// <summary>No slot of its own: the execution runs in its running parent's (a tree counts as one).</summary>
    public static AdmissionLease InParentSlot { get; } = new();

    public void Dispose()
    {
        global?.Dispose();
        tenant?.Dispose();
    }
}
