using Agent.Domain.Context;
using Agent.Domain.Sessions;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Agent.Runtime.Chat;

/// <summary>A reply prepared by the coordinator and streamed by its send_message execution.</summary>
internal sealed class ChatTurn(LiveRun run, ChatClientLease lease, SessionMessage reply, List<AiChatMessage> prompt)
{
    private const int Prepared = 0;
    private const int Streaming = 1;
    private const int Ended = 2;

    // Parts in the order they happened: text, tool calls, their results, more text. A continued reply keeps its own.
    private readonly List<MessagePart> parts = reply.Parts.ToList();
    private readonly Lock gate = new();
    private int textInParts = reply.Text.Length;
    private int state = Prepared;
    private DateTimeOffset lastWrite = reply.UpdatedAt;

    public LiveRun Run { get; } = run;

    public ChatClientLease Lease { get; } = lease;

    /// <summary>The prompt, until streaming starts; then dropped, so a long branch is not kept for the whole turn.</summary>
    public List<AiChatMessage>? Prompt { get; private set; } = prompt;

    /// <summary>The reply as last written; updated with the execution id once the runtime accepted the turn.</summary>
    public SessionMessage Reply { get; set; } = reply;

    /// <summary>The execution the turn waits on: its compact_session while the session is compacted, then its send_message.</summary>
    public Guid? ExecutionId { get; set; }

    /// <summary>What the request carries, as the context builder chose it.</summary>
    public ContextPlan? Context { get; set; }

    /// <summary>Something the person should know about this reply that is not a failure (a compaction that did not work); shown on the message.</summary>
    public string? Notice { get; set; }

    /// <summary>Serializes the reply's writes (flushes, tool cards, the final state) so none lands after the terminal one.</summary>
    public SemaphoreSlim WriteGate { get; } = new(1, 1);

    public bool HasEnded => Volatile.Read(ref state) == Ended;

    /// <summary>The execution takes the turn; false when it was already ended (stopped before it started).</summary>
    public bool TryStart()
    {
        if (Interlocked.CompareExchange(ref state, Streaming, Prepared) != Prepared)
        {
            return false;
        }

        return true;
    }

    /// <summary>The request rebuilt after the session was compacted (before the execution took the turn).</summary>
    public void ReplacePrompt(List<AiChatMessage> prompt) => Prompt = prompt;

    public List<AiChatMessage> TakePrompt()
    {
        var taken = Prompt ?? [];
        Prompt = null;
        return taken;
    }

    /// <summary>Marks the turn ended; true for the one caller that ends it. Call with <see cref="WriteGate"/> held.</summary>
    public bool TryEnd() => Interlocked.Exchange(ref state, Ended) != Ended;

    /// <summary>Whether the execution has not taken the turn yet.</summary>
    public bool IsUnstarted => Volatile.Read(ref state) == Prepared;

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
