using Agent.Domain.Runtime;
using ExecutionContext = Agent.Domain.Runtime.ExecutionContext;

namespace Agent.Domain.Tests.Runtime;

/// <summary>A clock that moves only when told to.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}

internal sealed class FakeScope(string scope) : IStateScope
{
    private readonly Dictionary<string, string> values = [];

    public string Scope { get; } = scope;

    public Task<string?> GetAsync(string key, CancellationToken cancellationToken) => Task.FromResult(values.TryGetValue(key, out var v) ? v : null);

    public Task SetAsync(string key, string value, CancellationToken cancellationToken)
    {
        values[key] = value;
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string key, CancellationToken cancellationToken)
    {
        values.Remove(key);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<string, string>> ReadAllAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyDictionary<string, string>>(values);
}

internal sealed class FakeWal(Guid executionId, string tenantId) : IWalAppender
{
    public Guid ExecutionId { get; } = executionId;

    public string TenantId { get; } = tenantId;

    public Task<long> AppendAsync(string eventType, string payloadJson, CancellationToken cancellationToken) => Task.FromResult(1L);
}

internal sealed class NullProgress : IProgressReporter
{
    public Task ReportAsync(double fraction, string? message, CancellationToken cancellationToken) => Task.CompletedTask;
}

internal sealed class NoopHandler : IIntentHandler
{
    public Task<IntentResult> HandleAsync(ExecutionContext context, CancellationToken cancellationToken) => Task.FromResult(IntentResult.Empty);
}
