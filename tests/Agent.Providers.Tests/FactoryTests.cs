using Agent.Domain.Configuration;
using Agent.Domain.Providers;
using Agent.ProviderEmulator;
using Agent.Runtime.Clients.Common;
using Agent.Runtime.Clients.Deterministic;
using Microsoft.Extensions.AI;

namespace Agent.Providers.Tests;

public sealed class FactoryTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public void Blocked_provider_is_refused_with_its_action_and_no_fallback()
    {
        using var harness = new ProviderHarness(fixture.Server);
        Assert.Equal(ProviderState.Blocked, harness.Catalog.AvailabilityOf("blocked").State);
        var ex = Assert.Throws<ProviderException>(() => harness.Clients.GetClient("blocked"));
        Assert.Equal("provider_blocked", ex.Error.Code);
        Assert.Equal("blocked", ex.Error.Provider);
        Assert.False(ex.Error.Retryable);
        Assert.Equal($"set {ProviderHarness.MissingKeyVar} and restart the app", ex.Error.Action);
        Assert.Contains(ProviderHarness.MissingKeyVar, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_key_variable_blocks_too()
    {
        using var harness = new ProviderHarness(fixture.Server, environment: new() { [ProviderHarness.MissingKeyVar] = "  " });
        Assert.Equal("provider_blocked", Assert.Throws<ProviderException>(() => harness.Clients.GetClient("blocked")).Error.Code);
    }

    [Fact]
    public void Unknown_provider_and_unknown_model_are_refused_with_the_choices()
    {
        using var harness = new ProviderHarness(fixture.Server);
        var provider = Assert.Throws<ProviderException>(() => harness.Clients.GetClient("nope"));
        Assert.Equal("unknown_provider", provider.Error.Code);
        Assert.Contains("openai", provider.Error.Action, StringComparison.Ordinal);
        var model = Assert.Throws<ProviderException>(() => harness.Clients.GetClient("openai", "gpt-unknown"));
        Assert.Equal("unknown_model", model.Error.Code);
        Assert.Contains("gpt-emu", model.Error.Action, StringComparison.Ordinal);
        Assert.Contains("Agent:Providers:1:Models", model.Error.Action, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Base_url_env_var_overrides_the_configured_base_url()
    {
        using var harness = new ProviderHarness(
            fixture.Server,
            environment: new() { ["AGENT_TEST_OPENAI_BASE_URL"] = fixture.Server.OpenAIBaseUrl.ToString() },
            configure: o =>
            {
                var openai = o.Providers.Single(p => p.Name == "openai");
                openai.BaseUrl = "http://127.0.0.1:9/v1";
                openai.BaseUrlEnvVar = "AGENT_TEST_OPENAI_BASE_URL";
            });
        var messages = ProviderHarness.Ask(Scenario.Ok);
        var result = await StreamCollector.CollectAsync(harness.Client("openai"), messages);
        Assert.Null(result.Error);
        Assert.Single(harness.RequestsFor(messages));
    }

    [Fact]
    public async Task Deterministic_provider_is_labelled_repeatable_and_streams_in_chunks()
    {
        using var harness = new ProviderHarness(fixture.Server);
        var client = harness.Client("deterministic");
        List<ChatMessage> messages = [new(ChatRole.User, "What is the weather today?")];
        var first = await StreamCollector.CollectAsync(client, messages);
        var second = await StreamCollector.CollectAsync(client, messages);
        Assert.StartsWith(DeterministicChatClient.Label, first.Text);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(DeterministicChatClient.ReplyTo("What is the weather today?"), first.Text);
        Assert.True(first.Updates.Count > 5);
        Assert.All(first.Updates, u => Assert.Equal("deterministic", u.AdditionalProperties?[DeterministicChatClient.ModeProperty]));
        Assert.Equal(5, first.Usage!.InputTokenCount);
        Assert.Equal(first.Updates.Count(u => u.Text.Length > 0), (int)first.Usage.OutputTokenCount!);
        Assert.Equal(ChatFinishReason.Stop, first.Finish);
    }

    [Fact]
    public async Task Deterministic_provider_scripts_a_tool_call_and_answers_its_result()
    {
        using var harness = new ProviderHarness(fixture.Server);
        var client = harness.Client("deterministic");
        List<ChatMessage> messages = [new(ChatRole.User, "/tool get_weather {\"city\": \"Oslo\", \"days\": 2}")];
        var result = await StreamCollector.CollectAsync(client, messages);
        var call = Assert.Single(result.Calls);
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("Oslo", call.Arguments!["city"]?.ToString());
        Assert.Equal("2", call.Arguments["days"]?.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, result.Finish);

        messages.Add(new ChatMessage(ChatRole.Assistant, [call]));
        messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "sunny")]));
        var answer = await client.GetResponseAsync(messages);
        Assert.StartsWith(DeterministicChatClient.Label, answer.Text);
        Assert.Contains("sunny", answer.Text, StringComparison.Ordinal);

        var bad = await StreamCollector.CollectAsync(client, [new(ChatRole.User, "/tool broken {not json")]);
        Assert.NotNull(Assert.Single(bad.Calls).Exception);
    }

    [Fact]
    public async Task Deterministic_stream_can_be_cancelled()
    {
        using var harness = new ProviderHarness(fixture.Server, configure: o => o.Providers[0].ChunkDelayMs = 20);
        using var cts = new CancellationTokenSource();
        var count = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in harness.Client("deterministic").GetStreamingResponseAsync([new(ChatRole.User, "a b c d e f g")], cancellationToken: cts.Token))
            {
                if (++count == 2)
                {
                    await cts.CancelAsync();
                }
            }
        });
        Assert.Equal(2, count);
    }

    [Fact]
    public async Task Connection_test_reports_ok_for_sandbox_and_the_action_for_blocked()
    {
        using var harness = new ProviderHarness(fixture.Server);
        var ok = await harness.Tester.TestAsync("openai", CancellationToken.None);
        Assert.True(ok.Ok, ok.Summary);
        Assert.Contains("sandbox", ok.Summary, StringComparison.Ordinal);
        var anthropic = await harness.Tester.TestAsync("anthropic", CancellationToken.None);
        Assert.True(anthropic.Ok, anthropic.Summary);
        var deterministic = await harness.Tester.TestAsync("deterministic", CancellationToken.None);
        Assert.True(deterministic.Ok);
        Assert.Contains("deterministic", deterministic.Summary, StringComparison.Ordinal);
        var blocked = await harness.Tester.TestAsync("blocked", CancellationToken.None);
        Assert.False(blocked.Ok);
        Assert.Equal($"set {ProviderHarness.MissingKeyVar} and restart the app", blocked.Error!.Action);
    }

    [Fact]
    public void Resilience_options_are_validated_with_the_key_named()
    {
        var options = new AgentOptions
        {
            Providers =
            [
                new ProviderOptions
                {
                    Name = "openai", Kind = "OpenAICompatible", Mode = "Live", BaseUrl = "https://api.openai.com/v1",
                    Models = [new ModelOptions { Id = "m", ContextWindow = 1 }],
                    Resilience = new ProviderResilienceOptions { MaxRetries = 11, FirstByteTimeoutMs = 0, CircuitBreakerFailureRatio = 1.5, RequestsPerMinute = 0, RateLimitQueue = -1, RetryBaseDelayMs = 9000, RetryMaxDelayMs = 100 },
                },
            ],
        };
        var keys = AgentOptionsValidator.Validate(options).Select(e => e.Key).ToList();
        Assert.Contains("Agent:Providers:0:Resilience:MaxRetries", keys);
        Assert.Contains("Agent:Providers:0:Resilience:FirstByteTimeoutMs", keys);
        Assert.Contains("Agent:Providers:0:Resilience:CircuitBreakerFailureRatio", keys);
        Assert.Contains("Agent:Providers:0:Resilience:RequestsPerMinute", keys);
        Assert.Contains("Agent:Providers:0:Resilience:RateLimitQueue", keys);
        Assert.Contains("Agent:Providers:0:Resilience:RetryBaseDelayMs", keys);
        Assert.Empty(AgentOptionsValidator.Validate(new AgentOptions { Providers = [new ProviderOptions { Name = "d", Kind = "Deterministic", Mode = "Deterministic", Models = [new ModelOptions { Id = "x", ContextWindow = 1 }] }] }));
    }
}

public sealed class EmulatorApiTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Request_log_is_served_over_http_with_auth_values_redacted()
    {
        using var harness = new ProviderHarness(fixture.Server);
        var messages = ProviderHarness.Ask(Scenario.Ok);
        var result = await StreamCollector.CollectAsync(harness.Client("anthropic"), messages);
        Assert.Null(result.Error);

        using var http = new HttpClient { BaseAddress = fixture.Server.BaseAddress };
        var json = await http.GetStringAsync(new Uri("emulator/requests", UriKind.Relative));
        Assert.DoesNotContain(harness.Key, json, StringComparison.Ordinal);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var marker = messages[^1].Text[^32..];
        var entry = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("body").GetString()!.Contains(marker, StringComparison.Ordinal));
        Assert.Equal("/v1/messages", entry.GetProperty("path").GetString());
        Assert.Equal("[redacted]", entry.GetProperty("headers").GetProperty("Authorization").GetString());
        Assert.True(entry.GetProperty("completed").GetBoolean());
        Assert.False(entry.GetProperty("clientAborted").GetBoolean());
        Assert.Equal("ok", entry.GetProperty("scenario").GetString());

        var scenarios = await http.GetStringAsync(new Uri("emulator/scenarios", UriKind.Relative));
        Assert.Contains("utf8-split", scenarios, StringComparison.Ordinal);
    }
}
