using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Agent.ProviderEmulator;
using Agent.Runtime.Chat;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

/// <summary>
/// Usage stored on each reply from the provider emulator over real HTTP, on the real host and SQLite file: reported in
/// the final chunk, in Anthropic's message_start/message_delta, with cached and reasoning tokens, and estimated (and
/// marked) when the provider reports none.
/// </summary>
public sealed class UsageHostTests
{
    [Fact]
    public async Task Usage_absent_from_the_stream_is_estimated_marked_and_never_a_zero()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 1 });
        await using var app = Emulated(new AgentAppFactory(), emulator, "OpenAICompatible");
        var (reply, client) = await SendAsync(app, "[scenario:usage-absent] how many tokens is this?");

        Assert.Equal(MessageStatus.Complete, reply.Status);
        var usage = Assert.IsType<TokenUsage>(reply.Usage);
        Assert.True(usage.IsEstimate);
        var counter = app.Services.GetRequiredService<ITokenCounter>();
        Assert.Equal(counter.Count("emulator-model", reply.Text).Tokens, usage.OutputTokens);
        Assert.True(usage.InputTokens > counter.Count("emulator-model", "how many tokens is this?").Tokens, "the input estimate counts the prompt and the message framing");
        Assert.Equal(0, usage.CachedInputTokens);
        Assert.NotNull(reply.Cost); // an estimate is priced too, and the report says how many replies were estimated
        Assert.NotNull(reply.TotalTimeMs);
        Assert.Equal(0, reply.Retries);

        var messages = await client.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{reply.SessionId}/messages?skip=0&take=50");
        var dto = messages!.Single(m => m.GetProperty("role").GetString() == "assistant");
        Assert.True(dto.GetProperty("usageEstimated").GetBoolean());
        Assert.Equal(usage.OutputTokens, dto.GetProperty("outputTokens").GetInt64());

        var report = await client.GetFromJsonAsync<JsonElement>("/api/tokens?groupBy=model");
        Assert.Equal(1, report.GetProperty("total").GetProperty("estimatedMessages").GetInt32());

        var trace = (await app.Services.GetRequiredService<ITraceStore>().ListAsync("local", reply.ExecutionId, 50, CancellationToken.None))
            .Single(t => t.Kind == TraceKinds.ProviderCall);
        using var data = JsonDocument.Parse(trace.DataJson);
        Assert.True(data.RootElement.GetProperty("estimated").GetBoolean());
        Assert.Equal("ok", data.RootElement.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Usage_in_the_final_chunk_with_cached_and_reasoning_tokens_is_stored_as_reported()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 1 });
        await using var app = Emulated(new AgentAppFactory(), emulator, "OpenAICompatible");
        var (reply, _) = await SendAsync(app, "[scenario:usage-final] cached and reasoning, please");

        var call = emulator.Requests.All().Single(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal));
        var reported = await ReportedAsync(emulator, call, "usage");
        var usage = reply.Usage!;
        Assert.False(usage.IsEstimate);
        Assert.Equal(
            (reported.GetProperty("prompt_tokens").GetInt64(), reported.GetProperty("completion_tokens").GetInt64(),
                reported.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt64(),
                reported.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt64()),
            (usage.InputTokens, usage.OutputTokens, usage.CachedInputTokens, usage.ReasoningTokens));
        Assert.Equal(4, usage.CachedInputTokens);
        Assert.Equal(3, usage.ReasoningTokens);
    }

    [Theory]
    [InlineData(Scenario.Ok)]
    [InlineData(Scenario.UsageFinal)]
    public async Task Anthropic_usage_from_message_start_and_message_delta_is_stored_with_input_including_the_cache(string scenario)
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 1 });
        await using var app = Emulated(new AgentAppFactory(), emulator, "Anthropic");
        var (reply, _) = await SendAsync(app, $"[scenario:{scenario}] hello Claude");

        var call = emulator.Requests.All().Single(r => r.Path.EndsWith("/messages", StringComparison.Ordinal));
        var start = await ReportedAsync(emulator, call, "message_start");
        var delta = await ReportedAsync(emulator, call, "message_delta");
        long Read(JsonElement usage, string name) => usage.TryGetProperty(name, out var v) ? v.GetInt64() : 0;
        var startUsage = start.GetProperty("message").GetProperty("usage");
        var deltaUsage = delta.GetProperty("usage");

        // Anthropic's input_tokens excludes cache reads; ours (like OpenAI's) includes them. The last report of a count wins.
        var input = deltaUsage.TryGetProperty("input_tokens", out var di) ? di.GetInt64() : Read(startUsage, "input_tokens");
        var cacheRead = deltaUsage.TryGetProperty("cache_read_input_tokens", out var dc) ? dc.GetInt64() : Read(startUsage, "cache_read_input_tokens");
        var usage = reply.Usage!;
        Assert.False(usage.IsEstimate);
        Assert.Equal("anthropic-emu", usage.Provider);
        Assert.Equal((input + cacheRead, deltaUsage.GetProperty("output_tokens").GetInt64(), cacheRead), (usage.InputTokens, usage.OutputTokens, usage.CachedInputTokens));
        Assert.True(usage.InputTokens > 0 && usage.OutputTokens > 0);
        if (scenario == Scenario.UsageFinal)
        {
            Assert.True(usage.CachedInputTokens > 0, "usage-final reports cache reads");
        }
    }

    [Fact]
    public async Task Anthropic_without_usage_is_estimated_and_marked()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 1 });
        await using var app = Emulated(new AgentAppFactory(), emulator, "Anthropic");
        var (reply, _) = await SendAsync(app, "[scenario:usage-absent] hello");

        Assert.True(reply.Usage!.IsEstimate);
        Assert.True(reply.Usage.InputTokens > 0 && reply.Usage.OutputTokens > 0);
    }

    [Fact]
    public async Task A_retried_provider_call_counts_on_the_reply_and_the_runs_trace_shows_model_and_tool_calls_in_order()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 1 });
        await using var app = Emulated(new AgentAppFactory(), emulator, "OpenAICompatible")
            .WithSetting("Agent:Providers:3:Resilience:RetryBaseDelayMs", "10")
            .WithSetting("Agent:Providers:3:Resilience:RetryMaxDelayMs", "20");
        var (retried, client) = await SendAsync(app, "[scenario:500-then-ok] try again");
        Assert.Equal(MessageStatus.Complete, retried.Status);
        Assert.Equal(1, retried.Retries);

        var (tools, _) = await SendAsync(app, "[scenario:tool-call] use the tools");
        Assert.Equal(MessageStatus.Complete, tools.Status);
        var timeline = await client.GetFromJsonAsync<JsonElement>($"/api/execution/{tools.ExecutionId}/trace");
        var all = timeline.GetProperty("entries").EnumerateArray().ToList();
        Assert.All(all, e => Assert.True(e.GetProperty("durationMs").GetDouble() >= 0));

        // The turn's stages come first (the runtime's admission starts the run), then its model and tool calls in order.
        Assert.Equal("admission", all[0].GetProperty("name").GetString());
        Assert.Equal(0, all[0].GetProperty("startMs").GetDouble());
        var entries = all.Where(e => e.GetProperty("kind").GetString() != TraceKinds.TurnStage).ToList();
        Assert.Equal(
            [TraceKinds.ProviderCall, TraceKinds.ToolCall, TraceKinds.ToolCall, TraceKinds.ProviderCall],
            entries.Select(e => e.GetProperty("kind").GetString()!).ToArray());
        Assert.All(all.TakeWhile(e => e.GetProperty("kind").GetString() == TraceKinds.TurnStage), e => Assert.True(
            e.GetProperty("startMs").GetDouble() + e.GetProperty("durationMs").GetDouble() <= entries[0].GetProperty("startMs").GetDouble() + 1, "a stage ends before the first model call"));
        Assert.True(entries[^1].GetProperty("startMs").GetDouble() >= entries[1].GetProperty("startMs").GetDouble(), "the answer starts after the tools ran");
        Assert.Contains(entries, e => e.GetProperty("kind").GetString() == TraceKinds.ToolCall && e.GetProperty("name").GetString() == "get_time" && e.GetProperty("outcome").GetString() == "refused");
        Assert.All(entries.Where(e => e.GetProperty("kind").GetString() == TraceKinds.ProviderCall), e => Assert.Equal("ok", e.GetProperty("outcome").GetString()));
        Assert.True(timeline.GetProperty("totalMs").GetDouble() >= entries[^1].GetProperty("durationMs").GetDouble());

        var retriedTrace = await client.GetFromJsonAsync<JsonElement>($"/api/execution/{retried.ExecutionId}/trace");
        var retriedCall = Assert.Single(retriedTrace.GetProperty("entries").EnumerateArray(), e => e.GetProperty("kind").GetString() == TraceKinds.ProviderCall);
        Assert.Contains("1 retry", retriedCall.GetProperty("detail").GetString(), StringComparison.Ordinal);
        client.Dispose();
    }

    [Fact]
    public async Task A_reply_stopped_before_the_providers_final_usage_chunk_keeps_an_estimate_of_what_streamed()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 1 });
        await using var app = Emulated(new AgentAppFactory(), emulator, "OpenAICompatible");
        using var client = app.CreateClient();
        using var created = await client.PostAsJsonAsync("/api/sessions", new { title = "Stopped" });
        var sessionId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var sent = await client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { text = "[scenario:long] [delay:20] go on" });
        var replyId = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("assistantMessageId").GetGuid();
        var coordinator = app.Services.GetRequiredService<ChatCoordinator>();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while ((coordinator.LiveReplyFor(sessionId)?.Text.Length ?? 0) < 40 && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(await coordinator.StopAsync(sessionId, CancellationToken.None));
        await coordinator.WhenIdleAsync(sessionId);
        var reply = (await app.Services.GetRequiredService<IMessageStore>().FindAsync("local", replyId, CancellationToken.None))!;

        // The usage chunk comes after the last word, so the provider never reported this reply: counted by us, marked.
        Assert.Equal(MessageStatus.Cancelled, reply.Status);
        Assert.True(reply.Usage!.IsEstimate);
        Assert.True(reply.Usage.OutputTokens > 0 && reply.Usage.InputTokens > 0);
        Assert.True(reply.Usage.OutputTokens >= app.Services.GetRequiredService<ITokenCounter>().Count("emulator-model", reply.Text).Tokens);
        var trace = (await app.Services.GetRequiredService<ITraceStore>().ListAsync("local", reply.ExecutionId, 10, CancellationToken.None)).Single(t => t.Kind == TraceKinds.ProviderCall);
        Assert.Contains("\"outcome\":\"cancelled\"", trace.DataJson, StringComparison.Ordinal);
    }

    internal static AgentAppFactory Emulated(AgentAppFactory app, EmulatorServer emulator, string kind) => app
        .WithSetting("Agent:DefaultProvider", kind == "Anthropic" ? "anthropic-emu" : "emulator")
        .WithSetting("Agent:Providers:3:Name", kind == "Anthropic" ? "anthropic-emu" : "emulator")
        .WithSetting("Agent:Providers:3:Kind", kind)
        .WithSetting("Agent:Providers:3:Mode", "Sandbox")
        .WithSetting("Agent:Providers:3:BaseUrl", (kind == "Anthropic" ? emulator.AnthropicBaseUrl : emulator.OpenAIBaseUrl).ToString())
        .WithSetting("Agent:Providers:3:Models:0:Id", "emulator-model")
        .WithSetting("Agent:Providers:3:Models:0:ContextWindow", "8192")
        .WithSetting("Agent:Providers:3:Models:0:InputPricePerMillion", "2")
        .WithSetting("Agent:Providers:3:Models:0:OutputPricePerMillion", "8");

    internal static async Task<(SessionMessage Reply, HttpClient Client)> SendAsync(AgentAppFactory app, string text)
    {
        var client = app.CreateClient();
        using var created = await client.PostAsJsonAsync("/api/sessions", new { title = "Usage" });
        var sessionId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var sent = await client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { text });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var replyId = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("assistantMessageId").GetGuid();
        await app.Services.GetRequiredService<ChatCoordinator>().WhenIdleAsync(sessionId);
        var reply = await app.Services.GetRequiredService<IMessageStore>().FindAsync("local", replyId, CancellationToken.None);
        return (reply!, client);
    }

    /// <summary>The emulator's own report for the very request the app sent, replayed over plain HTTP: the last event carrying <paramref name="field"/> (or of that SSE type).</summary>
    private static async Task<JsonElement> ReportedAsync(EmulatorServer emulator, RecordedRequest call, string field)
    {
        using var raw = new HttpClient { BaseAddress = emulator.BaseAddress };
        using var content = new StringContent(call.Body, System.Text.Encoding.UTF8, "application/json");
        using var response = await raw.PostAsync(new Uri(call.Path.TrimStart('/'), UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
        JsonElement? found = null;
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal))
            {
                continue;
            }

            var root = JsonDocument.Parse(line["data: ".Length..]).RootElement;
            if (root.TryGetProperty("type", out var type) && type.GetString() == field)
            {
                found = root.Clone();
            }
            else if (root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Object)
            {
                found = value.Clone();
            }
        }

        return found ?? throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The emulator reported no {field} for {call.Body}"));
    }
}
