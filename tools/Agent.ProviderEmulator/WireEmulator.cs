using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Agent.ProviderEmulator;

/// <summary>Speaks the OpenAI chat-completions and Anthropic messages wire formats, streaming and not.</summary>
public sealed class WireEmulator(EmulatorSettings settings, RequestLog log)
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ConcurrentDictionary<string, int> attempts = new();

    private enum Format
    {
        OpenAI,
        Anthropic,
    }

    private enum Fault
    {
        None,
        Disconnect,
        Malformed,
        Truncate,
        StreamError,
    }

    private sealed record ToolPlan(string Id, string Name, string[] ArgumentPieces);

    private sealed record Plan(string[] Texts, ToolPlan[] Tools, bool UsageOnlyAtEnd, bool SplitUtf8, Fault Fault, bool NoUsage = false);

    public Task OpenAIAsync(HttpContext context) => HandleAsync(context, Format.OpenAI);

    public Task AnthropicAsync(HttpContext context) => HandleAsync(context, Format.Anthropic);

    private async Task HandleAsync(HttpContext context, Format format)
    {
        var ct = context.RequestAborted;
        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(ct);
        }

        var record = log.Add(context.Request, body);
        using var abortWatch = ct.Register(() =>
        {
            if (!record.Completed && !record.ServerAborted)
            {
                record.ClientAborted = true;
            }
        });

        JsonNode? request;
        try
        {
            request = JsonNode.Parse(body);
        }
        catch (JsonException ex)
        {
            await ErrorAsync(context, record, format, 400, "invalid_request_error", $"Body is not JSON: {ex.Message}");
            return;
        }

        var lastUser = LastUserText(request, format);
        var scenario = Scenario.From(context.Request, lastUser);
        if (scenario == Scenario.ToolCall && ToolResultsAtEnd(request) is { } results)
        {
            // The tool loop sent the results back: answer with text, as a model would, instead of calling again.
            scenario = Scenario.ToolAnswer;
            lastUser = results;
        }
        var stream = request?["stream"] is JsonValue v && v.TryGetValue<bool>(out var s) && s;
        record.Scenario = scenario;
        record.Stream = stream;
        var delay = Scenario.DelayMs(context.Request, lastUser, settings.ChunkDelayMs);
        var model = request?["model"]?.GetValue<string>() ?? "emulated-model";
        var attempt = attempts.AddOrUpdate($"{context.Request.Path}|{Hash(body)}", 1, (_, n) => n + 1);

        try
        {
            switch (scenario)
            {
                case Scenario.RateLimited:
                case Scenario.RateLimitedThenOk when attempt == 1:
                    context.Response.Headers.RetryAfter = settings.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    context.Response.Headers["retry-after-ms"] = settings.RetryAfterMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await ErrorAsync(context, record, format, 429, format == Format.OpenAI ? "rate_limit_exceeded" : "rate_limit_error", "Rate limit reached for requests (emulated).");
                    return;
                case Scenario.ServerError:
                case Scenario.ServerErrorThenOk when attempt == 1:
                    await ErrorAsync(context, record, format, 500, format == Format.OpenAI ? "server_error" : "api_error", "The server had an error while processing your request (emulated).");
                    return;
                case Scenario.Unauthorized:
                    await ErrorAsync(context, record, format, 401, format == Format.OpenAI ? "invalid_api_key" : "authentication_error", "Incorrect API key provided (emulated).");
                    return;
                case Scenario.Overloaded:
                    await ErrorAsync(context, record, format, format == Format.OpenAI ? 503 : 529, format == Format.OpenAI ? "server_overloaded" : "overloaded_error", "Overloaded (emulated).");
                    return;
                case Scenario.SlowFirstByte:
                case Scenario.SlowFirstByteThenOk when attempt == 1:
                    await Task.Delay(settings.SlowFirstByteMs, ct);
                    break;
            }

            var plan = scenario == Scenario.ToolCall && Scenario.Asks(lastUser) is { Count: > 0 } asks
                ? AskPlan(asks, format)
                : scenario == Scenario.ToolCall && Scenario.Remembers(lastUser) is { Count: > 0 } facts
                ? RememberPlan(facts, format)
                : PlanFor(scenario, Scenario.Clean(lastUser), request, format);
            var inputTokens = CountWords(request, format);
            if (stream)
            {
                var includeUsage = !plan.NoUsage && (format == Format.Anthropic || request?["stream_options"]?["include_usage"] is JsonValue u && u.TryGetValue<bool>(out var iu) && iu);
                var events = format == Format.OpenAI ? OpenAIEvents(plan, model, inputTokens, includeUsage) : AnthropicEvents(plan, model, inputTokens);
                await StreamAsync(context, record, events, plan, format, delay, ct);
            }
            else
            {
                await WholeAsync(context, record, plan, model, inputTokens, format, ct);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && ct.IsCancellationRequested)
        {
            if (!record.ServerAborted)
            {
                record.ClientAborted = true;
            }
        }
    }

    private static Plan PlanFor(string scenario, string userText, JsonNode? request, Format format)
    {
        var echo = userText.Length > 120 ? userText[..120] : userText;
        string[] Words(string text) => SplitKeepingSpaces(text).ToArray();
        var standard = Words($"Hello from the provider emulator. You said: {echo}");
        return scenario switch
        {
            Scenario.ToolAnswer => new(Words($"The tools answered: {userText}"), [], false, false, Fault.None),
            Scenario.Long => new(Enumerable.Range(1, 400).Select(i => $"word{i} ").ToArray(), [], false, false, Fault.None),
            Scenario.CodeBlock => new(
                Words("Here is a **minimal** C# program:\n\n```csharp\nusing System;\n\npublic static class Program\n{\n    public static void Main() => Console.WriteLine(\"Hello, world!\");\n}\n```\n\nRun it with `dotnet run`."),
                [], false, false, Fault.None),
            Scenario.HostileMarkdown => new(
                Words("Here is **bold** text. <script>alert('xss')</script> Click [this link](javascript:alert(1)) or <img src=x onerror=\"alert(2)\"> and <a href=\"javascript:void(0)\">this</a>."),
                [], false, false, Fault.None),
            Scenario.Disconnect => new(standard, [], false, false, Fault.Disconnect),
            Scenario.Malformed => new(standard, [], false, false, Fault.Malformed),
            Scenario.Truncated => new(standard, [], false, false, Fault.Truncate),
            Scenario.StreamError => new(standard, [], false, false, Fault.StreamError),
            Scenario.UsageFinal => new(standard, [], true, false, Fault.None),
            Scenario.UsageAbsent => new(standard, [], false, false, Fault.None, NoUsage: true),
            Scenario.Utf8Split => new(["Grüße ", "aus ", "🌍 ", "日本語 ", "— ", "ok ", "😀"], [], false, true, Fault.None),
            Scenario.ToolCall => new(
                ["Let me check."],
                [
                    new ToolPlan(format == Format.OpenAI ? "call_emu_1" : "toolu_emu_1", FirstToolName(request, format) ?? "get_weather", ["{\"ci", "ty\": \"Par", "is\", \"unit\"", ": \"celsius\"}"]),
                    new ToolPlan(format == Format.OpenAI ? "call_emu_2" : "toolu_emu_2", "get_time", ["{\"tz\":", " \"UTC\"}"]),
                ],
                false, false, Fault.None),
            _ => new(standard, [], false, false, Fault.None),
        };
    }

    /// <summary>One ask_agent call per [ask:AGENT:TASK] marker, all in one response (the loop runs them in parallel).</summary>
    private static Plan AskPlan(IReadOnlyList<(string Agent, string Task)> asks, Format format) =>
        CallsPlan("Asking the team.", "ask_agent", "ask", asks.Select(a => new JsonObject { ["agent"] = a.Agent, ["task"] = a.Task }), format);

    /// <summary>One memory_save call per [remember:FACT] marker, as a model that decided to keep a fact would send.</summary>
    private static Plan RememberPlan(IReadOnlyList<string> facts, Format format) =>
        CallsPlan("I will remember that.", "memory_save", "remember", facts.Select(f => new JsonObject { ["content"] = f }), format);

    /// <summary>A short text, then one call of <paramref name="tool"/> per argument set, each split across two events.</summary>
    private static Plan CallsPlan(string text, string tool, string idStem, IEnumerable<JsonObject> argumentSets, Format format)
    {
        var tools = argumentSets.Select((set, i) =>
        {
            var arguments = set.ToJsonString(Json);
            var half = arguments.Length / 2;
            return new ToolPlan(format == Format.OpenAI ? $"call_{idStem}_{i + 1}" : $"toolu_{idStem}_{i + 1}", tool, [arguments[..half], arguments[half..]]);
        }).ToArray();
        return new([text], tools, false, false, Fault.None);
    }

    private static IEnumerable<string> OpenAIEvents(Plan plan, string model, int inputTokens, bool includeUsage)
    {
        const string id = "chatcmpl-emu";
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        JsonObject Chunk(JsonObject delta, string? finish) => new()
        {
            ["id"] = id,
            ["object"] = "chat.completion.chunk",
            ["created"] = created,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
        };
        string Data(JsonObject chunk)
        {
            if (includeUsage && !chunk.ContainsKey("usage"))
            {
                chunk["usage"] = null;
            }

            return $"data: {chunk.ToJsonString(Json)}\n\n";
        }

        yield return Data(Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null));
        foreach (var text in plan.Texts)
        {
            yield return Data(Chunk(new JsonObject { ["content"] = text }, null));
        }

        for (var t = 0; t < plan.Tools.Length; t++)
        {
            var tool = plan.Tools[t];
            yield return Data(Chunk(new JsonObject { ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = t, ["id"] = tool.Id, ["type"] = "function", ["function"] = new JsonObject { ["name"] = tool.Name, ["arguments"] = "" } }) }, null));
            foreach (var piece in tool.ArgumentPieces)
            {
                yield return Data(Chunk(new JsonObject { ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = t, ["function"] = new JsonObject { ["arguments"] = piece } }) }, null));
            }
        }

        yield return Data(Chunk(new JsonObject(), plan.Tools.Length > 0 ? "tool_calls" : "stop"));
        if (includeUsage)
        {
            var output = plan.Texts.Length + plan.Tools.Length;
            yield return Data(new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion.chunk",
                ["created"] = created,
                ["model"] = model,
                ["choices"] = new JsonArray(),
                ["usage"] = OpenAIUsage(plan, inputTokens, output),
            });
        }

        yield return "data: [DONE]\n\n";
    }

    private static JsonObject OpenAIUsage(Plan plan, int input, int output) => new()
    {
        ["prompt_tokens"] = input,
        ["completion_tokens"] = output,
        ["total_tokens"] = input + output,
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = plan.UsageOnlyAtEnd ? Math.Min(4, input) : 0 },
        ["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = plan.UsageOnlyAtEnd ? 3 : 0 },
    };

    private static IEnumerable<string> AnthropicEvents(Plan plan, string model, int inputTokens)
    {
        static string Event(JsonObject data) => $"event: {data["type"]!.GetValue<string>()}\ndata: {data.ToJsonString(Json)}\n\n";
        var output = plan.Texts.Length + plan.Tools.Length;
        var cached = plan.UsageOnlyAtEnd ? Math.Min(4, inputTokens) : 0;
        yield return Event(new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = new JsonObject
            {
                ["id"] = "msg_emu",
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = model,
                ["content"] = new JsonArray(),
                ["stop_reason"] = null,
                ["stop_sequence"] = null,
                ["usage"] = plan.UsageOnlyAtEnd || plan.NoUsage
                    ? new JsonObject()
                    : new JsonObject { ["input_tokens"] = inputTokens, ["output_tokens"] = 1, ["cache_read_input_tokens"] = 0, ["cache_creation_input_tokens"] = 0 },
            },
        });
        yield return Event(new JsonObject { ["type"] = "content_block_start", ["index"] = 0, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" } });
        yield return Event(new JsonObject { ["type"] = "ping" });
        foreach (var text in plan.Texts)
        {
            yield return Event(new JsonObject { ["type"] = "content_block_delta", ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = text } });
        }

        yield return Event(new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 });
        for (var t = 0; t < plan.Tools.Length; t++)
        {
            var tool = plan.Tools[t];
            var index = t + 1;
            yield return Event(new JsonObject { ["type"] = "content_block_start", ["index"] = index, ["content_block"] = new JsonObject { ["type"] = "tool_use", ["id"] = tool.Id, ["name"] = tool.Name, ["input"] = new JsonObject() } });
            foreach (var piece in tool.ArgumentPieces)
            {
                yield return Event(new JsonObject { ["type"] = "content_block_delta", ["index"] = index, ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = piece } });
            }

            yield return Event(new JsonObject { ["type"] = "content_block_stop", ["index"] = index });
        }

        var usage = plan.UsageOnlyAtEnd
            ? new JsonObject { ["input_tokens"] = inputTokens - cached, ["output_tokens"] = output, ["cache_read_input_tokens"] = cached }
            : new JsonObject { ["output_tokens"] = output };
        var delta = new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = plan.Tools.Length > 0 ? "tool_use" : "end_turn", ["stop_sequence"] = null },
        };
        if (!plan.NoUsage)
        {
            delta["usage"] = usage;
        }

        yield return Event(delta);
        yield return Event(new JsonObject { ["type"] = "message_stop" });
    }

    private static async Task StreamAsync(HttpContext context, RecordedRequest record, IEnumerable<string> events, Plan plan, Format format, int delayMs, CancellationToken ct)
    {
        var response = context.Response;
        response.StatusCode = 200;
        record.Status = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        await response.StartAsync(ct);
        // Events are produced lazily so the first one leaves as soon as it is ready; faults hit the fifth event
        // (every faulting plan has more than five).
        const int faultAt = 4;
        var i = -1;
        foreach (var sse in events)
        {
            i++;
            if (i > 0 && delayMs > 0)
            {
                await Task.Delay(delayMs, ct);
            }

            if (i == faultAt)
            {
                switch (plan.Fault)
                {
                    case Fault.Disconnect:
                        record.ServerAborted = true;
                        await response.Body.FlushAsync(ct);
                        context.Abort();
                        return;
                    case Fault.Truncate:
                        record.Completed = true;
                        return;
                    case Fault.StreamError:
                        await WriteAsync(
                            response,
                            format == Format.OpenAI
                                ? "data: {\"error\": {\"message\": \"The server had an error while processing your request.\", \"type\": \"server_error\", \"code\": \"server_error\"}}\n\n"
                                : "event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}\n\n",
                            false,
                            ct);
                        record.EventsSent++;
                        record.Completed = true;
                        return;
                    case Fault.Malformed:
                        await WriteAsync(response, "data: {\"id\": \"broken\", \"choices\": [{\"delta\": {\"content\": \"unterminated\n\n", false, ct);
                        record.EventsSent++;
                        continue;
                }
            }

            await WriteAsync(response, sse, plan.SplitUtf8, ct);
            record.EventsSent++;
        }

        record.Completed = true;
    }

    /// <summary>Writes one event; with <paramref name="splitUtf8"/> the bytes are sent in two writes cut inside the first multi-byte character.</summary>
    private static async Task WriteAsync(HttpResponse response, string text, bool splitUtf8, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var cut = splitUtf8 ? Array.FindIndex(bytes, b => b >= 0x80) : -1;
        if (cut >= 0)
        {
            await response.Body.WriteAsync(bytes.AsMemory(0, cut + 1), ct);
            await response.Body.FlushAsync(ct);
            await Task.Delay(15, ct);
            await response.Body.WriteAsync(bytes.AsMemory(cut + 1), ct);
        }
        else
        {
            await response.Body.WriteAsync(bytes, ct);
        }

        await response.Body.FlushAsync(ct);
    }

    private static async Task WholeAsync(HttpContext context, RecordedRequest record, Plan plan, string model, int inputTokens, Format format, CancellationToken ct)
    {
        var response = context.Response;
        response.ContentType = "application/json";
        record.Status = 200;
        if (plan.Fault is Fault.Malformed or Fault.Truncate)
        {
            await response.WriteAsync("{\"id\": \"broken\", \"choices\": [", ct);
            record.Completed = true;
            return;
        }

        if (plan.Fault == Fault.Disconnect)
        {
            await response.StartAsync(ct);
            await response.WriteAsync("{\"id\": ", ct);
            await response.Body.FlushAsync(ct);
            record.ServerAborted = true;
            context.Abort();
            return;
        }

        var text = string.Concat(plan.Texts);
        var output = plan.Texts.Length + plan.Tools.Length;
        JsonObject body;
        if (format == Format.OpenAI)
        {
            var message = new JsonObject { ["role"] = "assistant", ["content"] = text };
            if (plan.Tools.Length > 0)
            {
                message["tool_calls"] = new JsonArray(plan.Tools.Select(t => (JsonNode?)new JsonObject
                {
                    ["id"] = t.Id,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = t.Name, ["arguments"] = string.Concat(t.ArgumentPieces) },
                }).ToArray());
            }

            body = new JsonObject
            {
                ["id"] = "chatcmpl-emu",
                ["object"] = "chat.completion",
                ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = plan.Tools.Length > 0 ? "tool_calls" : "stop" }),
                ["usage"] = OpenAIUsage(plan, inputTokens, output),
            };
        }
        else
        {
            var content = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text });
            foreach (var t in plan.Tools)
            {
                content.Add(new JsonObject { ["type"] = "tool_use", ["id"] = t.Id, ["name"] = t.Name, ["input"] = JsonNode.Parse(string.Concat(t.ArgumentPieces)) });
            }

            body = new JsonObject
            {
                ["id"] = "msg_emu",
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = model,
                ["content"] = content,
                ["stop_reason"] = plan.Tools.Length > 0 ? "tool_use" : "end_turn",
                ["stop_sequence"] = null,
                ["usage"] = new JsonObject { ["input_tokens"] = inputTokens, ["output_tokens"] = output, ["cache_read_input_tokens"] = 0 },
            };
        }

        await response.WriteAsync(body.ToJsonString(Json), ct);
        record.Completed = true;
    }

    private static async Task ErrorAsync(HttpContext context, RecordedRequest record, Format format, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        record.Status = status;
        var body = format == Format.OpenAI
            ? new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = status >= 500 ? "server_error" : "invalid_request_error", ["param"] = null, ["code"] = code } }
            : new JsonObject { ["type"] = "error", ["error"] = new JsonObject { ["type"] = code, ["message"] = message } };
        await context.Response.WriteAsync(body.ToJsonString(Json), context.RequestAborted);
        record.Completed = true;
    }

    private static string LastUserText(JsonNode? request, Format format)
    {
        if (request?["messages"] is not JsonArray messages)
        {
            return "";
        }

        var last = messages.LastOrDefault(m => m?["role"]?.GetValue<string>() == "user");
        return last?["content"] switch
        {
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            JsonArray parts => string.Concat(parts.Select(p => p?["type"]?.GetValue<string>() == "text" ? p["text"]?.GetValue<string>() : "")),
            _ => "",
        };
    }

    /// <summary>The tool results that end the conversation (OpenAI role "tool"; Anthropic tool_result blocks), or null.</summary>
    private static string? ToolResultsAtEnd(JsonNode? request)
    {
        if (request?["messages"] is not JsonArray { Count: > 0 } messages)
        {
            return null;
        }

        var results = new List<string>();
        for (var i = messages.Count - 1; i >= 0 && messages[i]?["role"]?.GetValue<string>() == "tool"; i--)
        {
            results.Insert(0, messages[i]?["content"] is JsonValue text && text.TryGetValue<string>(out var plain) ? plain : messages[i]?["content"]?.ToJsonString() ?? "");
        }

        if (results.Count == 0 && messages[^1]?["content"] is JsonArray blocks)
        {
            results.AddRange(blocks.Where(b => b?["type"]?.GetValue<string>() == "tool_result").Select(b => b?["content"]?.ToJsonString() ?? ""));
        }

        return results.Count == 0 ? null : string.Join("; ", results);
    }

    private static string? FirstToolName(JsonNode? request, Format format) =>
        request?["tools"] is JsonArray { Count: > 0 } tools
            ? (format == Format.OpenAI ? tools[0]?["function"]?["name"] : tools[0]?["name"])?.GetValue<string>()
            : null;

    private static int CountWords(JsonNode? request, Format format)
    {
        var text = new StringBuilder();
        if (request?["system"] is JsonValue system && system.TryGetValue<string>(out var s))
        {
            text.Append(s).Append(' ');
        }
        else if (request?["system"] is JsonArray systemBlocks)
        {
            // The Messages API takes the system prompt as a string or as text blocks (the Anthropic SDK sends blocks).
            foreach (var block in systemBlocks)
            {
                text.Append(block?["text"]?.GetValue<string>()).Append(' ');
            }
        }

        foreach (var message in request?["messages"] as JsonArray ?? [])
        {
            switch (message?["content"])
            {
                case JsonValue value when value.TryGetValue<string>(out var t):
                    text.Append(t).Append(' ');
                    break;
                case JsonArray parts:
                    foreach (var part in parts)
                    {
                        text.Append(part?["text"]?.GetValue<string>() ?? part?["content"]?.ToString()).Append(' ');
                    }

                    break;
            }
        }

        return Math.Max(1, text.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length);
    }

    private static IEnumerable<string> SplitKeepingSpaces(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == ' ')
            {
                yield return text[start..(i + 1)];
                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            yield return text[start..];
        }
    }

    private static string Hash(string body) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(body)))[..16];
}
