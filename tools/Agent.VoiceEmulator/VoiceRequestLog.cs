using System.Collections.Concurrent;

namespace Agent.VoiceEmulator;

/// <summary>One request the voice emulator received: the raw body and content type, so tests can check the wire.</summary>
public sealed record VoiceRequest(int Id, string Path, string ContentType, string Scenario, int Attempt, int Status, byte[] Body);

public sealed class VoiceRequestLog
{
    private readonly ConcurrentQueue<VoiceRequest> requests = new();
    private int nextId;

    public int NextId() => Interlocked.Increment(ref nextId);

    public void Add(VoiceRequest request) => requests.Enqueue(request);

    public IReadOnlyList<VoiceRequest> All() => requests.ToArray();

    public void Clear() => requests.Clear();
}
