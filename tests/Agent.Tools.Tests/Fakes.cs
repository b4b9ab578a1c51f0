using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Microsoft.Extensions.AI;

namespace Agent.Tools.Tests;

internal sealed class MemoryTraceStore : ITraceStore
{
    public ConcurrentQueue<TraceEvent> Events { get; } = new();

    public Task AddAsync(TraceEvent traceEvent, CancellationToken cancellationToken)
    {
        Events.Enqueue(traceEvent);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<TraceEvent>> ListAsync(string tenantId, Guid? executionId, int take, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TraceEvent>>(Events.ToList());
}

internal sealed class MemoryStateStore : IStateStore
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

/// <summary>A model that answers with the scripted turns in order and records what it was sent.</summary>
internal sealed class ScriptedChatClient(params Func<IReadOnlyList<ChatMessage>, ChatResponseUpdate[]>[] turns) : IChatClient
{
    public List<List<ChatMessage>> Calls { get; } = [];

    public List<ChatOptions?> Options { get; } = [];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var sent = messages.ToList();
        Calls.Add(sent);
        Options.Add(options);
        var turn = turns[Math.Min(Calls.Count - 1, turns.Length - 1)];
        foreach (var update in turn(sent))
        {
            await Task.Yield();
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    public static ChatResponseUpdate Call(string callId, string name, Dictionary<string, object?>? args = null) =>
        new(ChatRole.Assistant, [new FunctionCallContent(callId, name, args ?? [])]);

    public static ChatResponseUpdate Text(string text) => new(ChatRole.Assistant, text);
}
