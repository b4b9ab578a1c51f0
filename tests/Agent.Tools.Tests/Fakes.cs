using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
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

    public Task AddRangeAsync(IReadOnlyCollection<TraceEvent> traceEvents, CancellationToken cancellationToken)
    {
        foreach (var traceEvent in traceEvents)
        {
            Events.Enqueue(traceEvent);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<TraceEvent>> ListAsync(string tenantId, Guid? executionId, int take, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TraceEvent>>(Events.ToList());
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
