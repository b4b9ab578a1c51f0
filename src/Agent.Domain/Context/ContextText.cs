using Agent.Domain.Sessions;

namespace Agent.Domain.Context;

/// <summary>How a message is flattened for token counting and for the summarizer.</summary>
public static class ContextText
{
    /// <summary>Tokens a chat API spends per message on its role and separators, beside the content.</summary>
    public const int PerMessageOverhead = 4;

    /// <summary>A message as the model reads it: its text, each tool call with its arguments and each result.</summary>
    public static string Of(SessionMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Parts.Count == 1 && message.Parts[0] is TextPart only)
        {
            return only.Text;
        }

        var parts = new List<string>(message.Parts.Count);
        foreach (var part in message.Parts)
        {
            switch (part)
            {
                case TextPart text:
                    parts.Add(text.Text);
                    break;
                case ToolCallPart call:
                    parts.Add($"{call.ToolName}({call.ArgumentsJson})");
                    break;
                case ToolResultPart result:
                    parts.Add(result.ResultJson);
                    break;
                case AttachmentRefPart attachment:
                    parts.Add($"[attachment {attachment.FileName}]");
                    break;
            }
        }

        return string.Join('\n', parts);
    }

    /// <summary>A message as one transcript line for the summarizer: "User: …" or "Assistant: …".</summary>
    public static string Line(SessionMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var role = message.Role switch
        {
            MessageRole.User => "User",
            MessageRole.Assistant => "Assistant",
            MessageRole.System => "System",
            _ => "Tool",
        };
        return $"{role}: {Of(message)}";
    }
}
