using Agent.Domain.Runtime;
using Agent.Domain.Storage;

namespace Agent.Runtime.Runtime;

/// <summary>A persisted state scope (session:{tenant}:{session} or execution:{tenant}:{id}).</summary>
public sealed class PersistentStateScope(IStateStore store, string scope, TimeProvider time) : IStateScope
{
    public string Scope { get; } = scope;

    public Task<string?> GetAsync(string key, CancellationToken cancellationToken) => store.GetAsync(Scope, key, cancellationToken);

    public Task SetAsync(string key, string value, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        return store.SetAsync(new StateEntry(Scope, key, value, time.GetUtcNow()), cancellationToken);
    }

    public Task RemoveAsync(string key, CancellationToken cancellationToken) => store.RemoveAsync(Scope, key, cancellationToken);

    public async Task<IReadOnlyDictionary<string, string>> ReadAllAsync(CancellationToken cancellationToken) =>
        (await store.ListAsync(Scope, cancellationToken)).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
}

/// <summary>Reads and writes the state surface from outside a handler (the API and the UI).</summary>
public sealed class StateSurfaceService(IStateStore store, TimeProvider time)
{
    public IStateScope Session(string tenantId, Guid sessionId) => new PersistentStateScope(store, StateScopes.Session(tenantId, sessionId), time);

    public IStateScope Execution(string tenantId, Guid executionId) => new PersistentStateScope(store, StateScopes.Execution(tenantId, executionId), time);

    public StateSurface For(ExecutionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new StateSurface(Execution(record.TenantId, record.Id), record.SessionId is { } s ? Session(record.TenantId, s) : null);
    }
}
