using System.Collections.Concurrent;
using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
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

/// <summary>Messages in memory; the transcript reads answer from a <see cref="MessageTree"/> over the session, as the SQLite store must.</summary>
public sealed class MemoryMessageStore : IMessageStore
{
    private readonly ConcurrentDictionary<Guid, SessionMessage> messages = new();

    public Task AddAsync(SessionMessage message, CancellationToken cancellationToken)
    {
        messages[message.Id] = message;
        return Task.CompletedTask;
    }

    public Task UpdateAsync(SessionMessage message, CancellationToken cancellationToken)
    {
        messages[message.Id] = message;
        return Task.CompletedTask;
    }

    public Task<SessionMessage?> FindAsync(string tenantId, Guid messageId, CancellationToken cancellationToken) =>
        Task.FromResult(messages.TryGetValue(messageId, out var m) && m.TenantId == tenantId ? m : null);

    public Task<IReadOnlyList<SessionMessage>> ListBySessionAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SessionMessage>>(Session(tenantId, sessionId).ToList());

    public Task<TranscriptWindow> ReadPathAsync(string tenantId, Guid sessionId, Guid? leafId, Guid? olderThan, int take, CancellationToken cancellationToken) =>
        Task.FromResult(new MessageTree(Session(tenantId, sessionId)).Window(leafId, olderThan, take));

    public Task<IReadOnlyList<Guid>> AncestorIdsAsync(string tenantId, Guid sessionId, Guid messageId, CancellationToken cancellationToken)
    {
        var ids = new List<Guid>();
        var inSession = Session(tenantId, sessionId).ToDictionary(m => m.Id);
        for (var node = inSession.GetValueOrDefault(messageId)?.ParentId; node is { } id && inSession.TryGetValue(id, out var parent); node = parent.ParentId)
        {
            ids.Add(id);
        }

        return Task.FromResult<IReadOnlyList<Guid>>(ids);
    }

    public Task<Guid?> LatestLeafUnderAsync(string tenantId, Guid sessionId, Guid messageId, CancellationToken cancellationToken)
    {
        var tree = new MessageTree(Session(tenantId, sessionId));
        return Task.FromResult(tree.Find(messageId) is { } message ? tree.LatestLeafUnder(message).Id : (Guid?)null);
    }

    public Task<IReadOnlyList<SessionMessage>> ListStreamingAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SessionMessage>>(messages.Values.Where(m => m.Status == MessageStatus.Streaming).ToList());

    public Task<int> CountAsync(string tenantId, CancellationToken cancellationToken) =>
        Task.FromResult(messages.Values.Count(m => m.TenantId == tenantId));

    public Task<IReadOnlyList<SessionMessage>> PageBySessionAsync(string tenantId, Guid sessionId, int skip, int take, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SessionMessage>>(Session(tenantId, sessionId).Skip(skip).Take(take).ToList());

    private IEnumerable<SessionMessage> Session(string tenantId, Guid sessionId) =>
        messages.Values.Where(m => m.SessionId == sessionId && m.TenantId == tenantId).OrderBy(m => m.CreatedAt).ThenBy(m => m.Id);
}
