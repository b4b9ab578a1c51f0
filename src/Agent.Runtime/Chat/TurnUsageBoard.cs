using System.Collections.Concurrent;

namespace Agent.Runtime.Chat;

/// <summary>
/// The tokens each streaming chat turn has used so far, by its execution: a team run's budget counts its
/// coordinator's own model calls with its members' (the turn's usage lives in its recorder until the turn ends).
/// </summary>
public sealed class TurnUsageBoard
{
    private readonly ConcurrentDictionary<Guid, Func<long>> live = new();

    /// <summary>Reports <paramref name="tokens"/> for the execution until the result is disposed.</summary>
    public IDisposable Track(Guid executionId, Func<long> tokens)
    {
        live[executionId] = tokens;
        return new Tracked(this, executionId, tokens);
    }

    /// <summary>The tokens the execution's turn has used so far; 0 when it is not streaming.</summary>
    public long TokensOf(Guid executionId) => live.TryGetValue(executionId, out var tokens) ? tokens() : 0;

    private sealed class Tracked(TurnUsageBoard board, Guid executionId, Func<long> tokens) : IDisposable
    {
        public void Dispose() => board.live.TryRemove(new KeyValuePair<Guid, Func<long>>(executionId, tokens));
    }
}
