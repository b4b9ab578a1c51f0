using Agent.Domain.Runtime;
using Agent.Domain.Sessions;

namespace Agent.Runtime.Runtime;

/// <summary>
/// What an execution streams besides its WAL: a reply's text and tool parts (a chat turn's). Implemented where replies
/// live (the chat folder registers one for send_message), so the runtime folder depends on no engine folder.
/// </summary>
public interface IExecutionReplySource
{
    /// <summary>
    /// Starts watching the reply of <paramref name="execution"/>, calling <paramref name="changed"/> (briefly, on any
    /// thread) whenever it may have changed; null when this source has no reply for that execution.
    /// </summary>
    IExecutionReplyWatch? Watch(ExecutionRecord execution, Action changed);
}

/// <summary>A watched reply; dispose to stop watching.</summary>
public interface IExecutionReplyWatch : IDisposable
{
    Guid MessageId { get; }

    /// <summary>The reply as far as it is known now: the live text while it streams, the stored message otherwise.</summary>
    Task<ExecutionReply> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>A reply's whole text so far and its tool parts, each at the text position it was added after.</summary>
public sealed record ExecutionReply(Guid MessageId, string Text, IReadOnlyList<ReplyToolPart> ToolParts)
{
    /// <summary>The tool call and result parts of a message's parts, each with the length of the text before it.</summary>
    public static IReadOnlyList<ReplyToolPart> ToolPartsOf(IEnumerable<MessagePart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var found = new List<ReplyToolPart>();
        var position = 0;
        foreach (var part in parts)
        {
            switch (part)
            {
                case TextPart text:
                    position += text.Text.Length;
                    break;
                case ToolCallPart or ToolResultPart:
                    found.Add(new ReplyToolPart(position, part));
                    break;
            }
        }

        return found;
    }
}

/// <summary>A tool call or result part of a reply, after the first <see cref="Position"/> characters of its text.</summary>
public sealed record ReplyToolPart(int Position, MessagePart Part);
