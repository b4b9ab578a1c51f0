using System.Text.Json;
using Agent.ProviderEmulator;
using Agent.Runtime.Clients.Common;
using Microsoft.Extensions.AI;

namespace Agent.Providers.Tests;

/// <summary>Both HTTP adapters against the in-process emulator over real HTTP, one test per scenario and wire format.</summary>
public sealed class AdapterScenarioTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private EmulatorServer Emulator => fixture.Server;

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Streams_text_and_usage_and_sends_the_expected_request(string provider)
    {
        using var harness = new ProviderHarness(Emulator);
        var messages = ProviderHarness.Ask(Scenario.Ok);
        var correlation = "corr-" + Guid.NewGuid().ToString("N");
        var result = await StreamCollector.CollectAsync(harness.Client(provider), messages, new ChatOptions { AdditionalProperties = new() { [ProviderChatClient.CorrelationIdProperty] = correlation } });

        Assert.Null(result.Error);
        Assert.StartsWith("Hello from the provider emulator. You said: hello ", result.Text);
        Assert.True(result.Updates.Count(u => u.Text.Length > 0) > 3, "the reply must arrive in several chunks");
        Assert.NotNull(result.Usage);
        Assert.True(result.Usage!.InputTokenCount > 0);
        Assert.True(result.Usage.OutputTokenCount > 0);
        Assert.Equal(ChatFinishReason.Stop, result.Finish);

        var request = Assert.Single(harness.RequestsFor(messages));
        // The emulator marks its reply complete once the socket has taken the last event, which may be just after
        // the client has read it.
        await Eventually(() => request.Completed, "the emulator must finish its reply");
        Assert.False(request.ClientAborted);
        Assert.Equal(correlation, request.Headers[ProviderChatClient.CorrelationHeader]);
        using var body = JsonDocument.Parse(request.Body);
        Assert.True(body.RootElement.GetProperty("stream").GetBoolean());
        if (provider == "openai")
        {
            Assert.Equal("/v1/chat/completions", request.Path);
            Assert.Equal("[redacted]", request.Headers["Authorization"]);
            Assert.True(body.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
            Assert.Equal("gpt-emu", body.RootElement.GetProperty("model").GetString());
            Assert.Equal("system", body.RootElement.GetProperty("messages")[0].GetProperty("role").GetString());
        }
        else
        {
            Assert.Equal("/v1/messages", request.Path);
            // The Anthropic SDK sends the key as a bearer token and its own API version.
            Assert.Equal("[redacted]", request.Headers["Authorization"]);
            Assert.False(string.IsNullOrEmpty(request.Headers["anthropic-version"]));
            Assert.Equal("You are a test.", body.RootElement.GetProperty("system")[0].GetProperty("text").GetString());
            Assert.True(body.RootElement.GetProperty("max_tokens").GetInt32() > 0);
        }

        // Logs carry the correlation id and never the key.
        Assert.Contains(harness.Logs.Lines, l => l.Contains($"CorrelationId={correlation}", StringComparison.Ordinal) && l.Contains("Provider stream completed", StringComparison.Ordinal));
        Assert.DoesNotContain(harness.Logs.Lines, l => l.Contains(harness.Key, StringComparison.Ordinal));
        Assert.DoesNotContain(Emulator.Requests.All(), r => r.Headers.Values.Any(v => v.Contains(harness.Key, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Non_streaming_response_has_text_and_usage(string provider)
    {
        using var harness = new ProviderHarness(Emulator);
        var messages = ProviderHarness.Ask(Scenario.Ok);
        var response = await harness.Client(provider).GetResponseAsync(messages);
        Assert.StartsWith("Hello from the provider emulator.", response.Text);
        Assert.True(response.Usage!.InputTokenCount > 0);
        Assert.True(response.Usage.OutputTokenCount > 0);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Theory]
    [InlineData("openai", "rate_limit_exceeded")]
    [InlineData("anthropic", "rate_limit_error")]
    public async Task Retries_429_after_the_server_given_Retry_After_then_succeeds(string provider, string _)
    {
        using var harness = new ProviderHarness(Emulator);
        var messages = ProviderHarness.Ask(Scenario.RateLimitedThenOk);
        var result = await StreamCollector.CollectAsync(harness.Client(provider), messages);
        Assert.Null(result.Error);
        Assert.StartsWith("Hello from the provider emulator.", result.Text);
        var requests = harness.RequestsFor(messages);
        Assert.Equal(2, requests.Count);
        Assert.Equal(429, requests[0].Status);
        Assert.Equal(200, requests[1].Status);
        // retry-after-ms is 300 in the fixture; the backoff schedule alone would wait at most 100 ms.
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromMilliseconds(250), $"waited only {(requests[1].ReceivedAt - requests[0].ReceivedAt).TotalMilliseconds} ms");
    }

    [Theory]
    [InlineData("openai", "rate_limit_exceeded")]
    [InlineData("anthropic", "rate_limit_error")]
    public async Task Persistent_429_ends_as_a_retryable_error_with_retry_after(string provider, string code)
    {
        using var harness = new ProviderHarness(Emulator, r => r.MaxRetries = 1);
        var messages = ProviderHarness.Ask(Scenario.RateLimited);
        var result = await StreamCollector.CollectAsync(harness.Client(provider), messages);
        var error = Assert.IsType<ProviderException>(result.Error).Error;
        Assert.Equal(provider, error.Provider);
        Assert.Equal(429, error.StatusCode);
        Assert.Equal(code, error.Code);
        Assert.True(error.Retryable);
        Assert.Equal(TimeSpan.FromMilliseconds(300), error.RetryAfter);
        Assert.Contains("wait", error.Action, StringComparison.Ordinal);
        Assert.NotNull(error.CorrelationId);
        Assert.Equal(2, harness.RequestsFor(messages).Count);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Retry_After_longer_than_the_limit_is_not_waited_for(string provider)
    {
        using var harness = new ProviderHarness(Emulator, r => r.MaxRetryAfterMs = 100);
        var messages = ProviderHarness.Ask(Scenario.RateLimitedThenOk);
        var result = await StreamCollector.CollectAsync(harness.Client(provider), messages);
        Assert.Equal(429, result.Error?.Error.StatusCode);
        Assert.Single(harness.RequestsFor(messages));
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Retries_500_then_succeeds(string provider)
    {
        using var harness = new ProviderHarness(Emulator);
        var messages = ProviderHarness.Ask(Scenario.ServerErrorThenOk);
        var result = await StreamCollector.CollectAsync(harness.Client(provider), messages);
        Assert.Null(result.Error);
        Assert.StartsWith("Hello from the provider emulator.", result.Text);
        Assert.Equal([500, 200], harness.RequestsFor(messages).Select(r => r.Status));
    }

    [Theory]
    [InlineData("openai", "server_error")]
    [InlineData("anthropic", "api_error")]
    public async Task Persistent_500_is_retried_the_configured_number_of_times(string provider, string code)
    {
        using var harness = new ProviderHarness(Emulator, r => r.MaxRetries = 2);
        var messages = ProviderHarness.Ask(Scenario.ServerError);
        var result = await StreamCollector.CollectAsync(harness.Client(provider), messages);
        Assert.Equal(500, result.Error?.Error.StatusCode);
        Assert.Equal(code, result.Error?.Error.Code);
        Assert.Equal(3, harness.RequestsFor(messages).Count);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Unauthorized_is_not_retried_and_names_the_key_variable(string provider)
    {
        using var harness = new ProviderHarness(Emulator);
        var messages = ProviderHarness.Ask(Scenario.Unauthorized);
        var result = await StreamCollector.CollectAsync(harness.Client(provider), messages);
        var error = result.Error!.Error;
        Assert.Equal(401, error.StatusCode);
        Assert.False(error.Retryable);
        Assert.Contains(ProviderHarness.KeyVar, error.Action, StringComparison.Ordinal);
        Assert.Single(harness.RequestsFor(messages));
    }

    /// <summary>An error the provider sends mid-stream keeps the text before it and says what the provider said, as the hand-written adapters did.</summary>
    [Theory]
    [InlineData("openai", "server_error", "The server had an error while processing your request.", true)]
    [InlineData("anthropic", "overloaded_error", "Overloaded", true)]
    public async Task An_error_event_mid_stream_is_the_providers_error(string provider, string code, string message, bool retryable)
    {
        using var harness = new ProviderHarness(Emulator, r => r.MaxRetries = 0);
        var result = await StreamCollector.CollectAsync(harness.Client(provider), ProviderHarness.Ask(Scenario.StreamError));
        var error = result.Error!.Error;
        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
        Assert.Equal(retryable, error.Retryable);
        Assert.Equal(provider, error.Provider);
        Assert.False(string.IsNullOrEmpty(result.Text));
    }

    [Theory]
    [InlineData("openai", 503)]
    [InlineData("anthropic", 529)]
    public async Task Overloaded_is_retryable(string provider, int status)
    {
        using var harness = new ProviderHarness(Emulator, r => r.MaxRetries = 0);
        var result = await StreamCollector.CollectAsync(harness.Client(provider), ProviderHarness.Ask(Scenario.Overloaded));
        Assert.Equal(status, result.Error!.Error.StatusCode);
        Assert.True(result.Error.Error.Retryable);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Slow_first_byte_times_out_the_attempt_and_the_retry_succeeds(string provider)
    {
        using var harness = new ProviderHarness(Emulator, r => r.FirstByteTimeoutMs = 1_500);
        var messages = ProviderHarness.Ask(Scenario.SlowFirstByteThenOk);
        var result = await StreamCollector.CollectAsync(harness.Client(provider), messages);
        Assert.Null(result.Error);
        var requests = harness.RequestsFor(messages);
        Assert.Equal(2, requests.Count);
        await Eventually(() => requests[0].ClientAborted, "the timed-out attempt must be aborted on the wire");
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Slow_first_byte_without_retries_is_a_first_byte_timeout(string provider)
    {
        using var harness = new ProviderHarness(Emulator, r =>
        {
            r.FirstByteTimeoutMs = 300;
            r.MaxRetries = 0;
        });
        var result = await StreamCollector.CollectAsync(harness.Client(provider), ProviderHarness.Ask(Scenario.SlowFirstByte));
        Assert.Equal("first_byte_timeout", result.Error?.Error.Code);
        Assert.Contains("FirstByteTimeoutMs", result.Error!.Error.Action, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Disconnect_mid_stream_is_interrupted_and_not_retried(string provider)
    {
        using var harness = new ProviderHarness(Emulator);
        var messages = ProviderHarness.Ask(Scenario.Disconnect);
        var result = await StreamCollector.CollectAsync(harness.Client(provider), messages);
        Assert.Equal("stream_interrupted", result.Error?.Error.Code);
        Assert.True(result.Error!.Error.Retryable);
        Assert.NotEmpty(result.Text);
        Assert.Single(harness.RequestsFor(messages));
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Malformed_event_is_reported_precisely(string provider)
    {
        using var harness = new ProviderHarness(Emulator);
        var messages = ProviderHarness.Ask(Scenario.Malformed);
        var result = await StreamCollector.CollectAsync(harness.Client(provider), messages);
        var error = result.Error!.Error;
        Assert.Equal("malformed_stream", error.Code);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.Contains(provider == "openai" ? "openai.chat-completions.v1" : "anthropic.messages.v1", error.Message, StringComparison.Ordinal);
        Assert.False(error.Retryable);
        Assert.Single(harness.RequestsFor(messages));
    }

    [Theory]
    [InlineData("openai", "[DONE]")]
    [InlineData("anthropic", "message_stop")]
    public async Task Truncated_stream_is_interrupted(string provider, string missing)
    {
        using var harness = new ProviderHarness(Emulator);
        var result = await StreamCollector.CollectAsync(harness.Client(provider), ProviderHarness.Ask(Scenario.Truncated));
        Assert.Equal("stream_interrupted", result.Error?.Error.Code);
        Assert.Contains(missing, result.Error!.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task A_stream_without_usage_reports_no_counts_rather_than_zeros(string provider)
    {
        using var harness = new ProviderHarness(Emulator);
        var result = await StreamCollector.CollectAsync(harness.Client(provider), ProviderHarness.Ask(Scenario.UsageAbsent));
        Assert.Null(result.Error);
        Assert.Contains("Hello from the provider emulator", string.Concat(result.Updates.Select(u => u.Text)), StringComparison.Ordinal);

        // OpenAI sends no usage chunk at all; Anthropic's message_start/message_delta carry none: the counts stay unknown (null), never 0.
        Assert.Null(result.Usage?.InputTokenCount);
        Assert.Null(result.Usage?.OutputTokenCount);
    }

    [Theory]
    [InlineData("openai", 3L)]
    [InlineData("anthropic", null)]
    public async Task Usage_only_in_the_final_event_is_read_with_cached_and_reasoning(string provider, long? reasoning)
    {
        using var harness = new ProviderHarness(Emulator);
        var result = await StreamCollector.CollectAsync(harness.Client(provider), ProviderHarness.Ask(Scenario.UsageFinal));
        Assert.Null(result.Error);
        var usage = result.Usage!;
        Assert.Equal(4, usage.CachedInputTokenCount);
        Assert.Equal(reasoning, usage.ReasoningTokenCount);
        Assert.True(usage.InputTokenCount >= 4);
        Assert.Equal(result.Updates.Count(u => u.Text.Length > 0), (int)usage.OutputTokenCount!);
        Assert.Equal(usage.InputTokenCount + usage.OutputTokenCount, usage.TotalTokenCount);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Multi_byte_characters_split_across_network_chunks_arrive_intact(string provider)
    {
        using var harness = new ProviderHarness(Emulator);
        var result = await StreamCollector.CollectAsync(harness.Client(provider), ProviderHarness.Ask(Scenario.Utf8Split));
        Assert.Null(result.Error);
        Assert.Equal("Grüße aus 🌍 日本語 — ok 😀", result.Text);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Tool_call_deltas_are_assembled_and_tools_are_sent(string provider)
    {
        using var harness = new ProviderHarness(Emulator);
        var messages = ProviderHarness.Ask(Scenario.ToolCall);
        var tool = AIFunctionFactory.Create((string city, string unit) => $"{city}:{unit}", "lookup_weather", "Weather for a city");
        var result = await StreamCollector.CollectAsync(harness.Client(provider), messages, new ChatOptions { Tools = [tool] });
        Assert.Null(result.Error);
        Assert.Equal(ChatFinishReason.ToolCalls, result.Finish);
        Assert.Equal(2, result.Calls.Count);
        var weather = result.Calls[0];
        Assert.Equal("lookup_weather", weather.Name);
        Assert.Equal(provider == "openai" ? "call_emu_1" : "toolu_emu_1", weather.CallId);
        Assert.Null(weather.Exception);
        Assert.Equal("Paris", weather.Arguments!["city"]?.ToString());
        Assert.Equal("celsius", weather.Arguments["unit"]?.ToString());
        Assert.Equal("get_time", result.Calls[1].Name);
        Assert.Equal("UTC", result.Calls[1].Arguments!["tz"]?.ToString());

        using var body = JsonDocument.Parse(Assert.Single(harness.RequestsFor(messages)).Body);
        var sent = body.RootElement.GetProperty("tools")[0];
        if (provider == "openai")
        {
            Assert.Equal("lookup_weather", sent.GetProperty("function").GetProperty("name").GetString());
            Assert.Equal("object", sent.GetProperty("function").GetProperty("parameters").GetProperty("type").GetString());
        }
        else
        {
            Assert.Equal("lookup_weather", sent.GetProperty("name").GetString());
            Assert.Equal("object", sent.GetProperty("input_schema").GetProperty("type").GetString());
        }

        // The tool result goes back in the provider's own shape.
        var followUp = new List<ChatMessage>(messages)
        {
            new(ChatRole.Assistant, [weather]),
            new(ChatRole.Tool, [new FunctionResultContent(weather.CallId, "18 degrees")]),
        };
        var second = await StreamCollector.CollectAsync(harness.Client(provider), followUp, new ChatOptions { Tools = [tool] });
        Assert.Null(second.Error);
        var last = harness.Emulator.Requests.All().Last();
        using var followBody = JsonDocument.Parse(last.Body);
        var sentMessages = followBody.RootElement.GetProperty("messages");
        var final = sentMessages[sentMessages.GetArrayLength() - 1];
        if (provider == "openai")
        {
            Assert.Equal("tool", final.GetProperty("role").GetString());
            Assert.Equal(weather.CallId, final.GetProperty("tool_call_id").GetString());
            Assert.Equal(weather.CallId, sentMessages[sentMessages.GetArrayLength() - 2].GetProperty("tool_calls")[0].GetProperty("id").GetString());
        }
        else
        {
            Assert.Equal("user", final.GetProperty("role").GetString());
            Assert.Equal("tool_result", final.GetProperty("content")[0].GetProperty("type").GetString());
            Assert.Equal(weather.CallId, final.GetProperty("content")[0].GetProperty("tool_use_id").GetString());
        }
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Non_streaming_tool_calls(string provider)
    {
        using var harness = new ProviderHarness(Emulator);
        var response = await harness.Client(provider).GetResponseAsync(ProviderHarness.Ask(Scenario.ToolCall));
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(2, calls.Count);
        Assert.Equal("Paris", calls[0].Arguments!["city"]?.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Hostile_markdown_is_passed_through_verbatim_for_the_chat_sanitizer(string provider)
    {
        using var harness = new ProviderHarness(Emulator);
        var result = await StreamCollector.CollectAsync(harness.Client(provider), ProviderHarness.Ask(Scenario.HostileMarkdown));
        Assert.Null(result.Error);
        Assert.Contains("<script>alert('xss')</script>", result.Text, StringComparison.Ordinal);
        Assert.Contains("javascript:alert(1)", result.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Cancelling_aborts_the_http_stream_at_the_server(string provider)
    {
        using var harness = new ProviderHarness(Emulator);
        var messages = ProviderHarness.Ask(Scenario.Long, "[delay:20]");
        using var cts = new CancellationTokenSource();
        var received = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in harness.Client(provider).GetStreamingResponseAsync(messages, cancellationToken: cts.Token))
            {
                if (update.Text.Length > 0 && ++received == 3)
                {
                    await cts.CancelAsync();
                }
            }
        });
        var request = Assert.Single(harness.RequestsFor(messages));
        await Eventually(() => request.ClientAborted, "the emulator must see the client abort");
        Assert.False(request.Completed);
        Assert.True(request.EventsSent < 100);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Stopping_enumeration_early_also_aborts_the_stream(string provider)
    {
        using var harness = new ProviderHarness(Emulator);
        var messages = ProviderHarness.Ask(Scenario.Long, "[delay:20]");
        await foreach (var update in harness.Client(provider).GetStreamingResponseAsync(messages))
        {
            if (update.Text.Length > 0)
            {
                break;
            }
        }

        var request = Assert.Single(harness.RequestsFor(messages));
        await Eventually(() => request.ClientAborted, "disposing the enumerator must abort the HTTP stream");
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Total_timeout_covers_the_streamed_body(string provider)
    {
        using var harness = new ProviderHarness(Emulator, r =>
        {
            r.TotalTimeoutMs = 1_500;
            r.FirstByteTimeoutMs = 1_400;
        });
        var result = await StreamCollector.CollectAsync(harness.Client(provider), ProviderHarness.Ask(Scenario.Long, "[delay:20]"));
        Assert.Equal("timeout", result.Error?.Error.Code);
        Assert.Contains("TotalTimeoutMs", result.Error!.Error.Action, StringComparison.Ordinal);
    }

    internal static async Task Eventually(Func<bool> condition, string because)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), because);
    }
}

/// <summary>The non-streaming path through the same scenarios that matter for it.</summary>
public sealed class NonStreamingScenarioTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Retries_then_succeeds_and_maps_usage_to_token_usage(string provider)
    {
        using var harness = new ProviderHarness(fixture.Server);
        var messages = ProviderHarness.Ask(Scenario.ServerErrorThenOk);
        var response = await harness.Client(provider).GetResponseAsync(messages);
        Assert.StartsWith("Hello from the provider emulator.", response.Text);
        Assert.Equal([500, 200], harness.RequestsFor(messages).Select(r => r.Status));
        var usage = response.Usage!.ToTokenUsage(provider, "m");
        Assert.True(usage.InputTokens > 0);
        Assert.Equal(provider, usage.Provider);
    }

    [Theory]
    [InlineData("openai", Scenario.Malformed, "malformed_response")]
    [InlineData("anthropic", Scenario.Malformed, "malformed_response")]
    [InlineData("openai", Scenario.Disconnect, "stream_interrupted")]
    [InlineData("anthropic", Scenario.Disconnect, "stream_interrupted")]
    [InlineData("openai", Scenario.RateLimited, "rate_limit_exceeded")]
    [InlineData("anthropic", Scenario.RateLimited, "rate_limit_error")]
    public async Task Failures_become_provider_errors(string provider, string scenario, string code)
    {
        using var harness = new ProviderHarness(fixture.Server, r => r.MaxRetries = 0);
        var ex = await Assert.ThrowsAsync<ProviderException>(() => harness.Client(provider).GetResponseAsync(ProviderHarness.Ask(scenario)));
        Assert.Equal(code, ex.Error.Code);
        Assert.Equal(provider, ex.Error.Provider);
        Assert.NotNull(ex.Error.CorrelationId);
        Assert.False(string.IsNullOrWhiteSpace(ex.Error.Action));
    }

    [Fact]
    public async Task Usage_of_a_stream_is_the_last_usage_content()
    {
        using var harness = new ProviderHarness(fixture.Server);
        var result = await StreamCollector.CollectAsync(harness.Client("openai"), ProviderHarness.Ask(Scenario.UsageFinal));
        var usage = UsageMapping.UsageOf(result.Updates)!.ToTokenUsage("openai", "gpt-emu");
        Assert.Equal(4, usage.CachedInputTokens);
        Assert.Equal(3, usage.ReasoningTokens);
        Assert.Equal(usage.InputTokens + usage.OutputTokens, usage.TotalTokens);
    }
}

public sealed class RequestErrorClassificationTests
{
    [Theory]
    [InlineData(HttpRequestError.ConnectionError, "connect_failed")]
    [InlineData(HttpRequestError.NameResolutionError, "connect_failed")]
    [InlineData(HttpRequestError.ResponseEnded, "connection_lost")]
    [InlineData(HttpRequestError.Unknown, "connection_lost")]
    public void Request_exceptions_are_classified(HttpRequestError kind, string code)
    {
        var spec = new Agent.Domain.Providers.ProviderSpec("p", Agent.Domain.Providers.ProviderKind.OpenAICompatible, Agent.Domain.Providers.ProviderMode.Sandbox, new Uri("http://127.0.0.1:1/v1"), null, []);
        var context = new ProviderContext(spec, "Agent:Providers:0", null, new Agent.Domain.Configuration.ProviderResilienceOptions(), 0);
        var error = ProviderErrors.ForRequestException(context, new HttpRequestException(kind, "boom"));
        Assert.Equal(code, error.Code);
        Assert.True(error.Retryable);
    }
}
