using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Agent.Runtime.Clients.Common;

/// <summary>JSON helpers shared by the wire-format adapters.</summary>
internal static class ChatJson
{
    public static string Serialize(object? value) => value switch
    {
        null => "null",
        string s => s,
        JsonElement e => e.GetRawText(),
        _ => JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions),
    };

    public static string ArgumentsJson(IDictionary<string, object?>? arguments) =>
        arguments is null ? "{}" : JsonSerializer.Serialize(arguments, AIJsonUtilities.DefaultOptions);

    /// <summary>A function call from its assembled JSON arguments; invalid JSON is kept on the content's Exception.</summary>
    public static FunctionCallContent FunctionCall(string callId, string name, string argumentsJson) =>
        FunctionCallContent.CreateFromParsedArguments(
            string.IsNullOrWhiteSpace(argumentsJson) ? "{}" : argumentsJson,
            callId,
            name,
            static json => JsonSerializer.Deserialize<Dictionary<string, object?>>(json, AIJsonUtilities.DefaultOptions));

    public static JsonElement? ToolSchema(AITool tool) => tool is AIFunctionDeclaration f ? f.JsonSchema : null;

    public static string RequireString(JsonElement element, string property, string where)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind != JsonValueKind.String)
        {
            throw new ProviderContractException($"{where}.{property} must be a string.");
        }

        return value.GetString()!;
    }

    public static string? OptionalString(JsonElement element, string property, string where)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new ProviderContractException($"{where}.{property} must be a string or null.");
    }

    public static long? OptionalLong(JsonElement element, string property, string where)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : throw new ProviderContractException($"{where}.{property} must be an integer.");
    }

    public static int RequireInt(JsonElement element, string property, string where) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n)
            ? n
            : throw new ProviderContractException($"{where}.{property} must be an integer.");

    public static JsonElement RequireKind(JsonElement element, string property, JsonValueKind kind, string where) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == kind
            ? value
            : throw new ProviderContractException($"{where}.{property} must be {(kind == JsonValueKind.Array ? "an array" : "an " + kind.ToString().ToLowerInvariant())}.");

    public static JsonDocument ParseEvent(string data, int index)
    {
        try
        {
            var doc = JsonDocument.Parse(data);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                doc.Dispose();
                throw new ProviderContractException($"event {index} is not a JSON object.");
            }

            return doc;
        }
        catch (JsonException ex)
        {
            throw new ProviderContractException($"event {index} is not valid JSON ({ex.Message}): {SseReader.Truncate(data)}", ex);
        }
    }

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

/// <summary>A tool call whose id, name and JSON arguments arrive in pieces.</summary>
internal sealed class ToolCallBuilder
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public StringBuilder Arguments { get; } = new();

    public FunctionCallContent Build(string where) =>
        ChatJson.FunctionCall(
            Id ?? throw new ProviderContractException($"{where}: the tool call has no id."),
            Name ?? throw new ProviderContractException($"{where}: the tool call has no function name."),
            Arguments.ToString());
}
