using Agent.Domain.Configuration;
using Agent.Runtime.Runtime;
using Microsoft.Extensions.Options;

namespace Agent.Web.Tests.Runtime;

public sealed class ExecutionAdmissionTests
{
    private static ExecutionAdmission Create(int tenant = 1, int perMinute = 100, int global = 10, int maxQueued = 10) =>
        new(Options.Create(new AgentOptions { Caps = new CapsOptions { MaxConcurrentCallsTenant = tenant, MaxCallsPerMinuteTenant = perMinute, MaxConcurrentCallsGlobal = global } }),
            Options.Create(new ExecutionRuntimeOptions { MaxQueuedPerTenant = maxQueued }));

    [Fact]
    public async Task Tenant_concurrency_cap_queues_with_a_reason_until_a_slot_frees()
    {
        using var admission = Create(tenant: 1);
        var reasons = new List<string>();
        var first = await admission.AcquireAsync("t", r => { reasons.Add(r); return Task.CompletedTask; }, CancellationToken.None);
        Assert.Empty(reasons);
        var second = admission.AcquireAsync("t", r => { reasons.Add(r); return Task.CompletedTask; }, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(second.IsCompleted);
        Assert.Contains("maxConcurrentCallsTenant", Assert.Single(reasons), StringComparison.Ordinal);
        Assert.Equal(1, admission.WaitingCount("t"));

        // Another tenant is not held up by this one's cap.
        using (await admission.AcquireAsync("other", _ => Task.CompletedTask, CancellationToken.None))
        {
        }

        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        Assert.Equal(0, admission.WaitingCount("t"));
    }

    [Fact]
    public async Task Global_cap_applies_across_tenants()
    {
        using var admission = Create(tenant: 5, global: 1);
        string? reason = null;
        var held = await admission.AcquireAsync("a", _ => Task.CompletedTask, CancellationToken.None);
        var waiting = admission.AcquireAsync("b", r => { reason = r; return Task.CompletedTask; }, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        Assert.Contains("maxConcurrentCallsGlobal", reason, StringComparison.Ordinal);
        held.Dispose();
        (await waiting.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task Calls_per_minute_cap_queues_the_next_start()
    {
        using var admission = Create(tenant: 5, perMinute: 1);
        string? reason = null;
        (await admission.AcquireAsync("t", _ => Task.CompletedTask, CancellationToken.None)).Dispose();
        using var cancel = new CancellationTokenSource();
        var next = admission.AcquireAsync("t", r => { reason = r; return Task.CompletedTask; }, cancel.Token);
        await Task.Delay(50);
        Assert.False(next.IsCompleted);
        Assert.Contains("per minute", reason, StringComparison.Ordinal);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
        Assert.Equal(0, admission.WaitingCount("t"));
    }

    [Fact]
    public async Task Too_many_waiting_is_refused_with_a_reason()
    {
        using var admission = Create(tenant: 1, maxQueued: 1);
        using var held = await admission.AcquireAsync("t", _ => Task.CompletedTask, CancellationToken.None);
        admission.EnsureCanQueue("t");
        using var cancel = new CancellationTokenSource();
        var waiting = admission.AcquireAsync("t", _ => Task.CompletedTask, cancel.Token);
        var ex = Assert.Throws<CapsExceededException>(() => admission.EnsureCanQueue("t"));
        Assert.Contains("MaxQueuedPerTenant", ex.Message, StringComparison.Ordinal);
        admission.EnsureCanQueue("another-tenant");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }
}
