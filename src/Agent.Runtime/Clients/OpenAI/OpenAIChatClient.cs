using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Agent.Runtime.Clients.Common;
using Microsoft.Extensions.AI;

namespace Agent.Runtime.Clients.OpenAI;

/// <summary>
/// IChatClient over the OpenAI chat-completions wire format (OpenAI, Ollama, LM Studio, vLLM, llama.cpp server,
/// OpenRouter...), with our own HTTP + SSE so malformed or truncated streams are reported precisely.
/// Contract: .sentinel/contracts/openai.chat-completions.v1.yaml.
/// </summary>
public sealed class OpenAIChatClient(HttpClient http, ProviderContext context, string modelId, string? apiKey, ILogger<OpenAIChatClient> logger)
    : HttpChatClient(http, context, modelId, apiKey, logger)
{
    protected override string Contract => "openai.chat-completions.v1";

    protected override string RelativePath => "chat/completions";

    protected override void AddAuthentication(HttpRequestHeaders headers, string apiKey) =>
        headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);

    protected override string BuildRequestBody(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = BuildMessages(messages),
            ["stream"] = stream,
        };
        if (stream)
        {
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        if (options?.MaxOutputTokens is { } max)
        {
            body["max_tokens"] = max;
        }

        if (options?.Temperature is { } temperature)
        {
            body["temperature"] = temperature;
        }

        if (options?.TopP is { } topP)
        {
            body["top_p"] = topP;
        }

        if (options?.StopSequences is { Count: > 0 } stops)
        {
            body["stop"] = new JsonArray(stops.Select(s => (JsonNode?)s).ToArray());
        }

        var tools = options?.Tools?.OfType<AIFunctionDeclaration>().ToList();
        if (tools is { Count: > 0 } && options?.ToolMode is not NoneChatToolMode)
        {
            body["tools"] = new JsonArray(tools.Select(t => (JsonNode?)new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject
                {
                    ["name"] = t.Name,
                    ["description"] = t.Description,
                    ["parameters"] = JsonNode.Parse(t.JsonSchema.GetRawText()),
                },
            }).ToArray());
            body["tool_choice"] = options?.ToolMode switch
            {
                RequiredChatToolMode { RequiredFunctionName: { } name } => new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = name } },
                RequiredChatToolMode => "required",
                _ => "auto",
            };
        }

        return body.ToJsonString();
    }

    private static JsonArray BuildMessages(IEnumerable<ChatMessage> messages)
    {
        var array = new JsonArray();
        foreach (var message in messages)
        {
            var role = message.Role.Value;
            foreach (var result in message.Contents.OfType<FunctionResultContent>())
            {
                array.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = result.CallId, ["content"] = ChatJson.Serialize(result.Result) });
            }

            var text = ChatJson.TextOf(message);
            var calls = message.Contents.OfType<FunctionCallContent>().ToList();
            if (role == ChatRole.Tool.Value || (text.Length == 0 && calls.Count == 0))
            {
                continue;
            }

            var item = new JsonObject { ["role"] = role };
            item["content"] = text.Length == 0 && calls.Count > 0 ? null : text;
            if (calls.Count > 0)
            {
                item["tool_calls"] = new JsonArray(calls.Select(c => (JsonNode?)new JsonObject
                {
                    ["id"] = c.CallId,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = ChatJson.ArgumentsJson(c.Arguments) },
                }).ToArray());
            }

            array.Add(item);
        }

        return array;
    }

    protected override ChatResponse ParseResponse(JsonElement root)
    {
        const string where = "response";
        if (root.TryGetProperty("error", out _))
        {
            throw new ProviderContractException($"{where} carries an error object: {root.GetRawText()}");
        }

        var id = ChatJson.RequireString(root, "id", where);
        var choices = ChatJson.RequireKind(root, "choices", JsonValueKind.Array, where);
        if (choices.GetArrayLength() == 0)
        {
            throw new ProviderContractException($"{where}.choices is empty.");
        }

        var choice = choices[0];
        var message = ChatJson.RequireKind(choice, "message", JsonValueKind.Object, $"{where}.choices[0]");
        var contents = new List<AIContent>();
        if (ChatJson.OptionalString(message, "content", $"{where}.choices[0].message") is { Length: > 0 } text)
        {
            contents.Add(new TextContent(text));
        }

        if (message.TryGetProperty("tool_calls", out var toolCalls) && toolCalls.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var call in toolCalls.EnumerateArray())
            {
                var w = $"{where}.choices[0].message.tool_calls[{i++}]";
                var function = ChatJson.RequireKind(call, "function", JsonValueKind.Object, w);
                contents.Add(ChatJson.FunctionCall(ChatJson.RequireString(call, "id", w), ChatJson.RequireString(function, "name", $"{w}.function"), ChatJson.OptionalString(function, "arguments", $"{w}.function") ?? "{}"));
            }
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents))
        {
            ResponseId = id,
            ModelId = ChatJson.OptionalString(root, "model", where),
            FinishReason = MapFinishReason(ChatJson.OptionalString(choice, "finish_reason", $"{where}.choices[0]")),
            Usage = root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object ? MapUsage(usage) : null,
        };
    }

    protected override async IAsyncEnumerable<ChatResponseUpdate> ParseStreamAsync(IAsyncEnumerable<SseEvent> events, string model, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var state = new StreamState(Context);
        await foreach (var sse in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var text = state.Apply(sse);
            if (state.Done)
            {
                break;
            }

            if (text is { Length: > 0 })
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, text) { ResponseId = state.ResponseId, MessageId = state.ResponseId, ModelId = state.Model ?? model };
            }
        }

        if (!state.Done)
        {
            throw new StreamTruncatedException($"the stream ended after {state.Events} events without data: [DONE].");
        }

        var final = new List<AIContent>();
        final.AddRange(state.ToolCalls.OrderBy(t => t.Key).Select(t => t.Value.Build($"tool_calls[{t.Key}]")));
        if (state.Usage is { } usage)
        {
            final.Add(new UsageContent(usage));
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, final)
        {
            ResponseId = state.ResponseId,
            MessageId = state.ResponseId,
            ModelId = state.Model ?? model,
            FinishReason = MapFinishReason(state.FinishReason) ?? (state.ToolCalls.Count > 0 ? ChatFinishReason.ToolCalls : null),
        };
    }

    internal static ChatFinishReason? MapFinishReason(string? reason) => reason switch
    {
        null => null,
        "stop" => ChatFinishReason.Stop,
        "length" => ChatFinishReason.Length,
        "tool_calls" or "function_call" => ChatFinishReason.ToolCalls,
        "content_filter" => ChatFinishReason.ContentFilter,
        _ => new ChatFinishReason(reason),
    };

    internal static UsageDetails MapUsage(JsonElement usage)
    {
        const string where = "usage";
        var details = new UsageDetails
        {
            InputTokenCount = ChatJson.OptionalLong(usage, "prompt_tokens", where),
            OutputTokenCount = ChatJson.OptionalLong(usage, "completion_tokens", where),
            TotalTokenCount = ChatJson.OptionalLong(usage, "total_tokens", where),
        };
        if (usage.TryGetProperty("prompt_tokens_details", out var prompt))
        {
            details.CachedInputTokenCount = ChatJson.OptionalLong(prompt, "cached_tokens", $"{where}.prompt_tokens_details");
        }

        if (usage.TryGetProperty("completion_tokens_details", out var completion))
        {
            details.ReasoningTokenCount = ChatJson.OptionalLong(completion, "reasoning_tokens", $"{where}.completion_tokens_details");
        }

        details.TotalTokenCount ??= details.InputTokenCount + details.OutputTokenCount;
        return details;
    }

    /// <summary>Folds chat.completion.chunk events; returns each event's text delta.</summary>
    private sealed class StreamState(ProviderContext context)
    {
        public Dictionary<int, ToolCallBuilder> ToolCalls { get; } = [];

        public string? ResponseId { get; private set; }

        public string? Model { get; private set; }

        public string? FinishReason { get; private set; }

        public UsageDetails? Usage { get; private set; }

        public bool Done { get; private set; }

        public int Events { get; private set; }

        public string? Apply(SseEvent sse)
        {
            Events++;
            if (sse.Data == "[DONE]")
            {
                Done = true;
                return null;
            }

            var where = $"event {Events}";
            using var doc = ChatJson.ParseEvent(sse.Data, Events);
            var root = doc.RootElement;
            if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                var message = ChatJson.OptionalString(error, "message", $"{where}.error") ?? "the provider reported an error mid-stream.";
                var code = ChatJson.OptionalString(error, "code", $"{where}.error") ?? ChatJson.OptionalString(error, "type", $"{where}.error") ?? "stream_error";
                throw new ProviderException(new ProviderError(context.Name, null, code, message, true, null, "retry the message"));
            }

            ResponseId ??= ChatJson.RequireString(root, "id", where);
            Model ??= ChatJson.OptionalString(root, "model", where);
            var choices = ChatJson.RequireKind(root, "choices", JsonValueKind.Array, where);
            string? text = null;
            var c = 0;
            foreach (var choice in choices.EnumerateArray())
            {
                var w = $"{where}.choices[{c++}]";
                if (choice.TryGetProperty("index", out var index) && index.ValueKind == JsonValueKind.Number && index.GetInt32() != 0)
                {
                    continue;
                }

                if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
                {
                    if (ChatJson.OptionalString(delta, "content", $"{w}.delta") is { Length: > 0 } piece)
                    {
                        text = text is null ? piece : text + piece;
                    }

                    if (delta.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                    {
                        var t = 0;
                        foreach (var call in calls.EnumerateArray())
                        {
                            var tw = $"{w}.delta.tool_calls[{t++}]";
                            var callIndex = ChatJson.RequireInt(call, "index", tw);
                            if (!ToolCalls.TryGetValue(callIndex, out var builder))
                            {
                                ToolCalls[callIndex] = builder = new ToolCallBuilder();
                            }

                            builder.Id ??= ChatJson.OptionalString(call, "id", tw);
                            if (call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
                            {
                                builder.Name ??= ChatJson.OptionalString(function, "name", $"{tw}.function");
                                builder.Arguments.Append(ChatJson.OptionalString(function, "arguments", $"{tw}.function"));
                            }
                        }
                    }
                }
                else if (choice.TryGetProperty("delta", out var bad) && bad.ValueKind != JsonValueKind.Null)
                {
                    throw new ProviderContractException($"{w}.delta must be an object.");
                }

                FinishReason = ChatJson.OptionalString(choice, "finish_reason", w) ?? FinishReason;
            }

            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                Usage = MapUsage(usage);
            }

            return text;
        }
    }
}
