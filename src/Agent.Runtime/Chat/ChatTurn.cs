using Agent.Domain.Sessions;
using Agent.Runtime.Clients;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Agent.Runtime.Chat;

/// <summary>A reply being streamed by its send_message execution: the handler builds it from the stored reply and the intent's parameters.</summary>
internal sealed class ChatTurn(LiveReply run, ChatClientLease lease, SessionMessage reply, List<AiChatMessage> prompt)
{
    // Parts in the order they happened: text, tool calls, their results, more text. A continued reply keeps its own.
    private readonly List<MessagePart> parts = reply.Parts.ToList();
    private readonly Lock gate = new();
    private readonly HashSet<string> toolCallIds = new(StringComparer.Ordinal);
    private int textInParts = reply.Text.Length;
    private int ended;
    private DateTimeOffset lastWrite = reply.UpdatedAt;

    public LiveReply Run { get; } = run;

    public ChatClientLease Lease { get; } = lease;

    /// <summary>The prompt, until streaming starts; then dropped, so a long branch is not kept for the whole turn.</summary>
    public List<AiChatMessage>? Prompt { get; private set; } = prompt;

    /// <summary>The reply as last written.</summary>
    public SessionMessage Reply { get; set; } = reply;

    /// <summary>The chat's sampling temperature (its settings), or null for the provider's default.</summary>
    public float? Temperature { get; init; }

    /// <summary>The session's tool mode as its state holds it (null: the configured default), read with its other settings.</summary>
    public string? StoredToolMode { get; init; }

    /// <summary>Something the person should know about this reply that is not a failure (a compaction that did not work); shown on the message.</summary>
    public string? Notice { get; set; }

    /// <summary>Serializes the reply's writes (flushes, tool cards, the final state) so none lands after the terminal one.</summary>
    public SemaphoreSlim WriteGate { get; } = new(1, 1);

    public bool HasEnded => Volatile.Read(ref ended) != 0;

    public List<AiChatMessage> TakePrompt()
    {
        var taken = Prompt ?? [];
        Prompt = null;
        return taken;
    }

    /// <summary>Marks the turn ended; true for the one caller that ends it. Call with <see cref="WriteGate"/> held.</summary>
    public bool TryEnd() => Interlocked.Exchange(ref ended, 1) == 0;

    /// <summary>An UpdatedAt strictly after the previous write of this reply (see <see cref="SessionChange"/>). Call with <see cref="WriteGate"/> held.</summary>
    public DateTimeOffset NextWriteTime(DateTimeOffset now)
    {
        lastWrite = now > lastWrite ? now : lastWrite.AddTicks(1);
        return lastWrite;
    }

    /// <summary>Adds a tool part after the text streamed so far (which becomes its own text part).</summary>
    public void AddToolPart(MessagePart part, string textSoFar)
    {
        lock (gate)
        {
            if (textSoFar.Length > textInParts)
            {
                parts.Add(new TextPart(textSoFar[textInParts..]));
                textInParts = textSoFar.Length;
            }

            parts.Add(part);
            if (part is ToolCallPart call)
            {
                toolCallIds.Add(call.CallId);
            }
        }
    }

    /// <summary>The tool calls this turn made (a continued reply's earlier calls are not among them).</summary>
    public IReadOnlyCollection<string> ToolCallIds
    {
        get
        {
            lock (gate)
            {
                return toolCallIds.ToList();
            }
        }
    }

    /// <summary>The reply's parts with the text streamed since the last tool part at the end.</summary>
    public IReadOnlyList<MessagePart> PartsWith(string text)
    {
        lock (gate)
        {
            var all = new List<MessagePart>(parts);
            if (text.Length > textInParts)
            {
                all.Add(new TextPart(text[textInParts..]));
            }

            return all;
        }
    }
}
