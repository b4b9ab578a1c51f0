using System.Text.Json;
using Agent.Domain.Sessions;
using Microsoft.Extensions.AI;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Agent.Runtime.Chat;

/// <summary>Pure: a branch's turns as the model is sent them (the context builder puts its blocks before them), and a new session's title. No IO.</summary>
public static class ChatPromptBuilder
{
    public const string ContinueInstruction = "Continue your previous answer exactly where it stopped. Do not repeat what you already wrote.";

    /// <summary>The selected branch as the model sees it; stopped and interrupted replies keep their partial text.</summary>
    public static List<AiChatMessage> ToPrompt(IReadOnlyList<SessionMessage> path, string? instruction)
    {
        var prompt = new List<AiChatMessage>();
        foreach (var message in path)
        {
            if (message.Role == MessageRole.Assistant)
            {
                AddAssistantTurn(prompt, message);
                continue;
            }

            var text = message.Text;
            if (text.Length > 0)
            {
                prompt.Add(new AiChatMessage(message.Role switch
                {
                    MessageRole.User => ChatRole.User,
                    MessageRole.System => ChatRole.System,
                    _ => ChatRole.Tool,
                }, text));
            }
        }

        if (instruction is not null)
        {
            prompt.Add(new AiChatMessage(ChatRole.User, instruction));
        }

        return prompt;
    }

    /// <summary>
    /// A reply as the model produced it, in order: its text and tool calls as assistant messages, each batch of
    /// results as a tool message. Calls without a result (never run) are left out, as the APIs require.
    /// </summary>
    private static void AddAssistantTurn(List<AiChatMessage> prompt, SessionMessage reply)
    {
        var answered = reply.Parts.OfType<ToolResultPart>().Select(r => r.CallId).ToHashSet(StringComparer.Ordinal);
        var assistant = new List<AIContent>();
        var results = new List<AIContent>();
        void Flush()
        {
            if (assistant.Count > 0)
            {
                prompt.Add(new AiChatMessage(ChatRole.Assistant, assistant.ToList()));
                assistant.Clear();
            }

            if (results.Count > 0)
            {
                prompt.Add(new AiChatMessage(ChatRole.Tool, results.ToList()));
                results.Clear();
            }
        }

        foreach (var part in reply.Parts)
        {
            switch (part)
            {
                case TextPart { Text.Length: > 0 } text:
                    if (results.Count > 0)
                    {
                        Flush();
                    }

                    assistant.Add(new TextContent(text.Text));
                    break;
                case ToolCallPart call when answered.Contains(call.CallId):
                    if (results.Count > 0)
                    {
                        Flush();
                    }

                    assistant.Add(new FunctionCallContent(call.CallId, call.ToolName, JsonSerializer.Deserialize<Dictionary<string, object?>>(call.ArgumentsJson)));
                    break;
                case ToolResultPart result:
                    if (assistant.Count > 0)
                    {
                        prompt.Add(new AiChatMessage(ChatRole.Assistant, assistant.ToList()));
                        assistant.Clear();
                    }

                    results.Add(new FunctionResultContent(result.CallId, JsonSerializer.Deserialize<JsonElement>(result.ResultJson)));
                    break;
            }
        }

        Flush();
    }

    public static string TitleFrom(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 60 ? line : line[..57].TrimEnd() + "…";
    }

}
