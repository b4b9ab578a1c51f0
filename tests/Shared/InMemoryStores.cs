using System.Collections.Concurrent;
using Agent.Domain.Runtime;
using Agent.Domain.Storage;

namespace Agent.Tests.Shared;

// In-memory stores for tests and benches that need the tool services without a database.
// Linked into each project that uses them (see its .csproj), so there is one copy.

public sealed class MemoryStateStore : IStateStore
{
    private readonly ConcurrentDictionary<(string Scope, string Key), StateEntry> entries = new();

    public Task<string?> GetAsync(string scope, string key, CancellationToken cancellationToken) =>
        Task.FromResult(entries.TryGetValue((scope, key), out var e) ? e.Value : null);

    public Task SetAsync(StateEntry entry, CancellationToken cancellationToken)
    {
        entries[(entry.Scope, entry.Key)] = entry;
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string scope, string key, CancellationToken cancellationToken)
    {
        entries.TryRemove((scope, key), out _);
        return Task.CompletedTask;
    }

    public Task ClearScopeAsync(string scope, CancellationToken cancellationToken)
    {
        foreach (var key in entries.Keys.Where(k => k.Scope == scope))
        {
            entries.TryRemove(key, out _);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<StateEntry>> ListAsync(string scope, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StateEntry>>(entries.Values.Where(e => e.Scope == scope).ToList());
}

public sealed class MemoryOverrideStore : IConfigOverrideStore
{
    private readonly ConcurrentDictionary<(string, string, string), bool> values = new();

    public Task<IReadOnlyDictionary<string, bool>> EnabledOverridesAsync(string tenantId, string scope, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, bool>>(values.Where(v => v.Key.Item1 == tenantId && v.Key.Item2 == scope).ToDictionary(v => v.Key.Item3, v => v.Value));

    public Task SetEnabledAsync(string tenantId, string scope, string name, bool enabled, CancellationToken cancellationToken)
    {
        values[(tenantId, scope, name)] = enabled;
        return Task.CompletedTask;
    }
}
