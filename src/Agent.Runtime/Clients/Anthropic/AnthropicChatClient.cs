using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Agent.Runtime.Clients.Common;
using Microsoft.Extensions.AI;

namespace Agent.Runtime.Clients.Anthropic;

/// <summary>
/// IChatClient over the Anthropic Messages wire format with our own HTTP + SSE (one retry policy: ours).
/// Usage comes from message_start (input, cache) and message_delta (cumulative output, sometimes input).
/// Contract: .sentinel/contracts/anthropic.messages.v1.yaml.
/// </summary>
public sealed class AnthropicChatClient(HttpClient http, ProviderContext context, string modelId, string? apiKey, ILogger<AnthropicChatClient> logger)
    : HttpChatClient(http, context, modelId, apiKey, logger)
{
    public const string ApiVersion = "2023-06-01";

    /// <summary>Anthropic requires max_tokens; used when ChatOptions.MaxOutputTokens is not set.</summary>
    public const int DefaultMaxTokens = 4096;

    protected override string Contract => "anthropic.messages.v1";

    protected override string RelativePath => Context.BaseUrl.AbsolutePath.TrimEnd('/').EndsWith("/v1", StringComparison.Ordinal) ? "messages" : "v1/messages";

    protected override void AddAuthentication(HttpRequestHeaders headers, string apiKey)
    {
        headers.TryAddWithoutValidation("x-api-key", apiKey);
        headers.TryAddWithoutValidation("anthropic-version", ApiVersion);
    }

    protected override string BuildRequestBody(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream)
    {
        var system = new List<string>();
        var turns = new JsonArray();
        string? lastRole = null;
        JsonArray? lastContent = null;
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                system.Add(ChatJson.TextOf(message));
                continue;
            }

            var blocks = new JsonArray();
            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case TextContent { Text.Length: > 0 } text:
                        blocks.Add(new JsonObject { ["type"] = "text", ["text"] = text.Text });
                        break;
                    case FunctionCallContent call:
                        blocks.Add(new JsonObject { ["type"] = "tool_use", ["id"] = call.CallId, ["name"] = call.Name, ["input"] = JsonNode.Parse(ChatJson.ArgumentsJson(call.Arguments)) });
                        break;
                    case FunctionResultContent result:
                        blocks.Add(new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = result.CallId, ["content"] = ChatJson.Serialize(result.Result) });
                        break;
                }
            }

            if (blocks.Count == 0)
            {
                continue;
            }

            // Tool results travel in a user turn; consecutive turns of one role are merged (the API wants alternation).
            var role = message.Role == ChatRole.Assistant ? "assistant" : "user";
            if (role == lastRole && lastContent is not null)
            {
                foreach (var block in blocks.ToList())
                {
                    blocks.Remove(block);
                    lastContent.Add(block);
                }

                continue;
            }

            lastRole = role;
            lastContent = blocks;
            turns.Add(new JsonObject { ["role"] = role, ["content"] = blocks });
        }

        var body = new JsonObject
        {
            ["model"] = model,
            ["max_tokens"] = options?.MaxOutputTokens ?? DefaultMaxTokens,
            ["messages"] = turns,
        };
        if (system.Count > 0)
        {
            body["system"] = string.Join("\n\n", system);
        }

        if (stream)
        {
            body["stream"] = true;
        }

        if (options?.Temperature is { } temperature)
        {
            body["temperature"] = temperature;
        }

        if (options?.StopSequences is { Count: > 0 } stops)
        {
            body["stop_sequences"] = new JsonArray(stops.Select(s => (JsonNode?)s).ToArray());
        }

        var tools = options?.Tools?.OfType<AIFunctionDeclaration>().ToList();
        if (tools is { Count: > 0 } && options?.ToolMode is not NoneChatToolMode)
        {
            body["tools"] = new JsonArray(tools.Select(t => (JsonNode?)new JsonObject
            {
                ["name"] = t.Name,
                ["description"] = t.Description,
                ["input_schema"] = JsonNode.Parse(t.JsonSchema.GetRawText()),
            }).ToArray());
            body["tool_choice"] = options?.ToolMode switch
            {
                RequiredChatToolMode { RequiredFunctionName: { } name } => new JsonObject { ["type"] = "tool", ["name"] = name },
                RequiredChatToolMode => new JsonObject { ["type"] = "any" },
                _ => new JsonObject { ["type"] = "auto" },
            };
        }

        return body.ToJsonString();
    }

    protected override ChatResponse ParseResponse(JsonElement root)
    {
        const string where = "response";
        var id = ChatJson.RequireString(root, "id", where);
        var content = ChatJson.RequireKind(root, "content", JsonValueKind.Array, where);
        var contents = new List<AIContent>();
        var i = 0;
        foreach (var block in content.EnumerateArray())
        {
            var w = $"{where}.content[{i++}]";
            switch (ChatJson.RequireString(block, "type", w))
            {
                case "text":
                    contents.Add(new TextContent(ChatJson.RequireString(block, "text", w)));
                    break;
                case "tool_use":
                    var input = ChatJson.RequireKind(block, "input", JsonValueKind.Object, w);
                    contents.Add(ChatJson.FunctionCall(ChatJson.RequireString(block, "id", w), ChatJson.RequireString(block, "name", w), input.GetRawText()));
                    break;
            }
        }

        var usage = new UsageState();
        if (root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
        {
            usage.Apply(u, $"{where}.usage");
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents))
        {
            ResponseId = id,
            ModelId = ChatJson.OptionalString(root, "model", where),
            FinishReason = MapStopReason(ChatJson.OptionalString(root, "stop_reason", where)),
            Usage = usage.ToDetails(),
        };
    }

    protected override async IAsyncEnumerable<ChatResponseUpdate> ParseStreamAsync(IAsyncEnumerable<SseEvent> events, string model, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var state = new StreamState(Context);
        await foreach (var sse in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var content = state.Apply(sse);
            if (content is not null)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, [content]) { ResponseId = state.MessageId, MessageId = state.MessageId, ModelId = state.Model ?? model };
            }

            if (state.Stopped)
            {
                break;
            }
        }

        if (!state.Stopped)
        {
            throw new StreamTruncatedException($"the stream ended after {state.Events} events without message_stop.");
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(state.Usage.ToDetails())])
        {
            ResponseId = state.MessageId,
            MessageId = state.MessageId,
            ModelId = state.Model ?? model,
            FinishReason = MapStopReason(state.StopReason),
        };
    }

    internal static ChatFinishReason? MapStopReason(string? reason) => reason switch
    {
        null => null,
        "end_turn" or "stop_sequence" or "pause_turn" => ChatFinishReason.Stop,
        "max_tokens" or "model_context_window_exceeded" => ChatFinishReason.Length,
        "tool_use" => ChatFinishReason.ToolCalls,
        "refusal" => ChatFinishReason.ContentFilter,
        _ => new ChatFinishReason(reason),
    };

    /// <summary>Anthropic reports input without cache reads/writes; we normalize input to the total prompt, like OpenAI.</summary>
    private sealed class UsageState
    {
        private long? input;
        private long? output;
        private long? cacheRead;
        private long? cacheWrite;

        public void Apply(JsonElement usage, string where)
        {
            input = ChatJson.OptionalLong(usage, "input_tokens", where) ?? input;
            output = ChatJson.OptionalLong(usage, "output_tokens", where) ?? output;
            cacheRead = ChatJson.OptionalLong(usage, "cache_read_input_tokens", where) ?? cacheRead;
            cacheWrite = ChatJson.OptionalLong(usage, "cache_creation_input_tokens", where) ?? cacheWrite;
        }

        public UsageDetails ToDetails()
        {
            long? totalInput = input is null && cacheRead is null && cacheWrite is null ? null : (input ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0);
            var details = new UsageDetails
            {
                InputTokenCount = totalInput,
                OutputTokenCount = output,
                CachedInputTokenCount = cacheRead,
                TotalTokenCount = totalInput is null && output is null ? null : (totalInput ?? 0) + (output ?? 0),
            };
            if (cacheWrite is { } w)
            {
                details.AdditionalCounts = new AdditionalPropertiesDictionary<long> { ["cache_creation_input_tokens"] = w };
            }

            return details;
        }
    }

    private sealed class StreamState(ProviderContext context)
    {
        private readonly Dictionary<int, ToolCallBuilder> toolCalls = [];

        public UsageState Usage { get; } = new();

        public string? MessageId { get; private set; }

        public string? Model { get; private set; }

        public string? StopReason { get; private set; }

        public bool Stopped { get; private set; }

        public int Events { get; private set; }

        public AIContent? Apply(SseEvent sse)
        {
            Events++;
            var where = $"event {Events}";
            using var doc = ChatJson.ParseEvent(sse.Data, Events);
            var root = doc.RootElement;
            var type = ChatJson.RequireString(root, "type", where);
            if (sse.Event is { } name && name != type)
            {
                throw new ProviderContractException($"{where}: SSE event name '{name}' does not match data type '{type}'.");
            }

            where = $"{where} ({type})";
            switch (type)
            {
                case "message_start":
                    var message = ChatJson.RequireKind(root, "message", JsonValueKind.Object, where);
                    MessageId = ChatJson.RequireString(message, "id", $"{where}.message");
                    Model = ChatJson.OptionalString(message, "model", $"{where}.message");
                    if (message.TryGetProperty("usage", out var startUsage) && startUsage.ValueKind == JsonValueKind.Object)
                    {
                        Usage.Apply(startUsage, $"{where}.message.usage");
                    }

                    return null;
                case "content_block_start":
                    {
                        var index = ChatJson.RequireInt(root, "index", where);
                        var block = ChatJson.RequireKind(root, "content_block", JsonValueKind.Object, where);
                        var blockType = ChatJson.RequireString(block, "type", $"{where}.content_block");
                        if (blockType == "tool_use")
                        {
                            toolCalls[index] = new ToolCallBuilder { Id = ChatJson.RequireString(block, "id", $"{where}.content_block"), Name = ChatJson.RequireString(block, "name", $"{where}.content_block") };
                        }
                        else if (blockType == "text" && ChatJson.OptionalString(block, "text", $"{where}.content_block") is { Length: > 0 } initial)
                        {
                            return new TextContent(initial);
                        }

                        return null;
                    }

                case "content_block_delta":
                    {
                        var index = ChatJson.RequireInt(root, "index", where);
                        var delta = ChatJson.RequireKind(root, "delta", JsonValueKind.Object, where);
                        switch (ChatJson.RequireString(delta, "type", $"{where}.delta"))
                        {
                            case "text_delta":
                                var text = ChatJson.RequireString(delta, "text", $"{where}.delta");
                                return text.Length > 0 ? new TextContent(text) : null;
                            case "input_json_delta":
                                if (!toolCalls.TryGetValue(index, out var builder))
                                {
                                    throw new ProviderContractException($"{where}: input_json_delta for block {index}, which is not a tool_use block.");
                                }

                                builder.Arguments.Append(ChatJson.RequireString(delta, "partial_json", $"{where}.delta"));
                                return null;
                            case "thinking_delta":
                                return new TextReasoningContent(ChatJson.OptionalString(delta, "thinking", $"{where}.delta"));
                            default:
                                return null;
                        }
                    }

                case "content_block_stop":
                    {
                        var index = ChatJson.RequireInt(root, "index", where);
                        if (toolCalls.Remove(index, out var builder))
                        {
                            return builder.Build($"{where} block {index}");
                        }

                        return null;
                    }

                case "message_delta":
                    var messageDelta = ChatJson.RequireKind(root, "delta", JsonValueKind.Object, where);
                    StopReason = ChatJson.OptionalString(messageDelta, "stop_reason", $"{where}.delta") ?? StopReason;
                    if (root.TryGetProperty("usage", out var deltaUsage) && deltaUsage.ValueKind == JsonValueKind.Object)
                    {
                        Usage.Apply(deltaUsage, $"{where}.usage");
                    }

                    return null;
                case "message_stop":
                    if (toolCalls.Count > 0)
                    {
                        throw new ProviderContractException($"{where}: tool_use block {toolCalls.Keys.First()} was never stopped.");
                    }

                    Stopped = true;
                    return null;
                case "error":
                    var error = ChatJson.RequireKind(root, "error", JsonValueKind.Object, where);
                    var code = ChatJson.OptionalString(error, "type", $"{where}.error") ?? "stream_error";
                    var retryable = code is "overloaded_error" or "api_error" or "rate_limit_error";
                    throw new ProviderException(new ProviderError(
                        context.Name,
                        null,
                        code,
                        ChatJson.OptionalString(error, "message", $"{where}.error") ?? "the provider reported an error mid-stream.",
                        retryable,
                        null,
                        retryable ? "retry the message in a moment" : "check the request (model, max tokens, tools)"));
                default:
                    // ping and event types added after v1 are ignored, as Anthropic's versioning policy asks.
                    return null;
            }
        }
    }
}
