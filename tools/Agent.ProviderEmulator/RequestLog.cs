using System.Collections.Concurrent;

namespace Agent.ProviderEmulator;

/// <summary>One request the emulator received. Authentication header values are never stored.</summary>
public sealed class RecordedRequest
{
    private volatile bool clientAborted;
    private volatile bool completed;

    public int Id { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }

    public string Method { get; init; } = "";

    public string Path { get; init; } = "";

    /// <summary>Header names and values; authorization, x-api-key and api-key values are replaced by "[redacted]".</summary>
    public Dictionary<string, string> Headers { get; init; } = [];

    public string Body { get; init; } = "";

    public string Scenario { get; set; } = "";

    public bool Stream { get; set; }

    public int Status { get; set; }

    /// <summary>The emulator cut the connection on purpose (scenario disconnect).</summary>
    public bool ServerAborted { get; set; }

    /// <summary>The client went away before the response was complete (for example Stop in the UI).</summary>
    public bool ClientAborted { get => clientAborted; set => clientAborted = value; }

    public bool Completed { get => completed; set => completed = value; }

    public int EventsSent { get; set; }
}

public sealed class RequestLog
{
    private static readonly HashSet<string> Secret = new(StringComparer.OrdinalIgnoreCase) { "authorization", "x-api-key", "api-key", "proxy-authorization" };
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private int nextId;

    /// <summary>Raised on the request's own thread as soon as a request has been read (body included), before any reply.</summary>
    public event Action<RecordedRequest>? Received;

    public RecordedRequest Add(HttpRequest request, string body)
    {
        var record = new RecordedRequest
        {
            Id = Interlocked.Increment(ref nextId),
            ReceivedAt = DateTimeOffset.UtcNow,
            Method = request.Method,
            Path = request.Path,
            Headers = request.Headers.ToDictionary(h => h.Key, h => Secret.Contains(h.Key) ? "[redacted]" : h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            Body = body,
        };
        requests.Enqueue(record);
        Received?.Invoke(record);
        return record;
    }

    public IReadOnlyList<RecordedRequest> All() => requests.ToArray();

    public void Clear() => requests.Clear();
}
