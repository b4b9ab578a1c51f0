using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Agent.Runtime.Clients.Common;

/// <summary>Message and tool-call helpers of the deterministic provider.</summary>
internal static class ChatJson
{
    public static string Serialize(object? value) => value switch
    {
        null => "null",
        string s => s,
        JsonElement e => e.GetRawText(),
        _ => JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions),
    };

    /// <summary>A function call from its JSON arguments; invalid JSON is kept on the content's Exception.</summary>
    public static FunctionCallContent FunctionCall(string callId, string name, string argumentsJson) =>
        FunctionCallContent.CreateFromParsedArguments(
            string.IsNullOrWhiteSpace(argumentsJson) ? "{}" : argumentsJson,
            callId,
            name,
            static json => JsonSerializer.Deserialize<Dictionary<string, object?>>(json, AIJsonUtilities.DefaultOptions));

    public static string TextOf(ChatMessage message)
    {
        var builder = new StringBuilder();
        foreach (var text in message.Contents.OfType<TextContent>())
        {
            builder.Append(text.Text);
        }

        return builder.ToString();
    }
}
