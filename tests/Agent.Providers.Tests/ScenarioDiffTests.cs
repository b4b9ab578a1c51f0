using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Agent.ProviderEmulator;
using Agent.Runtime.Clients;
using Agent.Runtime.Clients.Common;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Providers.Tests;

/// <summary>
/// The diff test of the adapters: every emulator scenario (streaming and not) and every good contract fixture goes
/// through <see cref="ProviderClients"/>, and what the caller sees (text, reasoning, tool calls, finish reason, usage,
/// error class and message, the HTTP attempts) must equal the expectation recorded from the hand-written adapters in
/// Expected/*.json. Set AGENT_RECORD_PROVIDER_EXPECTATIONS=1 to re-record (and review the diff before committing it).
/// </summary>
public sealed class ScenarioDiffTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private const string RecordVariable = "AGENT_RECORD_PROVIDER_EXPECTATIONS";

    /// <summary>
    /// Every scenario of the emulator except tool-answer (chosen by the emulator itself after tool-call) and stream-error
    /// (added after the hand-written adapters were gone; AdapterScenarioTests pins it to their rules).
    /// </summary>
    public static readonly string[] Scenarios =
    [
        Scenario.Ok, Scenario.Long, Scenario.CodeBlock, Scenario.HostileMarkdown, Scenario.RateLimited, Scenario.RateLimitedThenOk,
        Scenario.ServerError, Scenario.ServerErrorThenOk, Scenario.Unauthorized, Scenario.Overloaded, Scenario.SlowFirstByte,
        Scenario.SlowFirstByteThenOk, Scenario.Disconnect, Scenario.Malformed, Scenario.Truncated, Scenario.UsageFinal,
        Scenario.UsageAbsent, Scenario.Utf8Split, Scenario.ToolCall,
    ];

    [Theory]
    [InlineData("openai", true)]
    [InlineData("openai", false)]
    [InlineData("anthropic", true)]
    [InlineData("anthropic", false)]
    public async Task Emulator_scenarios_match_the_recorded_expectations(string provider, bool stream)
    {
        Assert.Equal(Scenario.All.Keys.Where(k => k is not Scenario.ToolAnswer and not Scenario.StreamError).Order(), Scenarios.Order());
        using var harness = new ProviderHarness(fixture.Server, r =>
        {
            r.MaxRetries = 1;
            r.FirstByteTimeoutMs = 1_000;
            r.TotalTimeoutMs = 20_000;
        });
        var tool = AIFunctionFactory.Create((string city, string unit) => $"{city}:{unit}", "lookup_weather", "Weather for a city");
        var actual = new JsonObject();
        foreach (var scenario in Scenarios)
        {
            List<ChatMessage> messages = [new(ChatRole.System, "You are a test."), new(ChatRole.User, $"[scenario:{scenario}] diff of the adapters, case {provider}/{(stream ? "stream" : "whole")}/{scenario}")];
            var options = new ChatOptions { Tools = [tool] };
            var record = stream
                ? Describe(await StreamCollector.CollectAsync(harness.Client(provider), messages, options))
                : await DescribeWholeAsync(harness.Client(provider), messages, options);
            record["requests"] = new JsonArray(harness.RequestsFor(messages).Select(r => (JsonNode)JsonValue.Create(r.Status)).ToArray());
            actual[scenario] = Normalize(record, fixture.Server);
        }

        Compare($"{provider}.{(stream ? "stream" : "whole")}.json", actual);
    }

    [Theory]
    [InlineData("openai.chat-completions.v1", "openai")]
    [InlineData("anthropic.messages.v1", "anthropic")]
    public async Task Good_contract_fixtures_match_the_recorded_expectations(string contractId, string provider)
    {
        var dir = Path.Combine(ContractFixtureTests.ContractsDir, "fixtures", contractId, "good");
        using var harness = new ProviderHarness(
            fixture.Server,
            configureServices: s => s.AddHttpClient(ProviderClients.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new FixtureFileHandler(dir)));
        var actual = new JsonObject();
        foreach (var file in Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            var stream = file!.StartsWith("stream", StringComparison.Ordinal);
            if (!stream && !file.StartsWith("response", StringComparison.Ordinal))
            {
                continue;
            }

            List<ChatMessage> messages = [new(ChatRole.User, $"[fixture:{file}] hi")];
            actual[file] = stream
                ? Describe(await StreamCollector.CollectAsync(harness.Client(provider), messages))
                : await DescribeWholeAsync(harness.Client(provider), messages, null);
        }

        Compare($"{provider}.fixtures.json", actual);
    }

    private static JsonObject Describe(StreamCollector.Collected result) => Describe(
        result.Text,
        result.Updates.Count(u => u.Text.Length > 0),
        result.Updates.SelectMany(u => u.Contents),
        result.Finish,
        result.Usage,
        result.Error);

    private static async Task<JsonObject> DescribeWholeAsync(IChatClient client, List<ChatMessage> messages, ChatOptions? options)
    {
        try
        {
            var response = await client.GetResponseAsync(messages, options);
            return Describe(response.Text, null, response.Messages.SelectMany(m => m.Contents), response.FinishReason, response.Usage, null);
        }
        catch (ProviderException ex)
        {
            return Describe("", null, [], null, null, ex);
        }
    }

    private static JsonObject Describe(string text, int? chunks, IEnumerable<AIContent> contents, ChatFinishReason? finish, UsageDetails? usage, ProviderException? error)
    {
        var list = contents.ToList();
        var record = new JsonObject
        {
            ["text"] = text,
            ["reasoning"] = string.Concat(list.OfType<TextReasoningContent>().Select(r => r.Text)),
            ["calls"] = new JsonArray(list.OfType<FunctionCallContent>()
                .Select(c => (JsonNode)JsonValue.Create($"{c.CallId} {c.Name} {JsonSerializer.Serialize(c.Arguments, AIJsonUtilities.DefaultOptions)}{(c.Exception is null ? "" : " (invalid arguments)")}"))
                .ToArray()),
            ["finish"] = finish?.Value,
            ["usage"] = usage is null ? null : new JsonObject
            {
                ["input"] = usage.InputTokenCount,
                ["output"] = usage.OutputTokenCount,
                ["cached"] = usage.CachedInputTokenCount,
                ["reasoning"] = usage.ReasoningTokenCount,
                ["total"] = usage.TotalTokenCount,
            },
            ["error"] = error is null ? null : new JsonObject
            {
                ["class"] = error.GetType().Name,
                ["code"] = error.Error.Code,
                ["status"] = error.Error.StatusCode,
                ["retryable"] = error.Error.Retryable,
                ["retryAfterMs"] = error.Error.RetryAfter?.TotalMilliseconds,
                ["message"] = error.Error.Message,
                ["action"] = error.Error.Action,
                ["hasCorrelationId"] = error.Error.CorrelationId is not null,
            },
        };
        if (chunks is { } n)
        {
            record["chunks"] = n;
        }

        return record;
    }

    /// <summary>The emulator's port changes per run; its address is written as {emulator}.</summary>
    private static JsonObject Normalize(JsonObject record, EmulatorServer server) =>
        JsonNode.Parse(record.ToJsonString().Replace(server.BaseAddress.Authority, "{emulator}", StringComparison.Ordinal))!.AsObject();

    private static void Compare(string name, JsonObject actual)
    {
        var path = Path.Combine(ExpectedDir, name);
        var indented = new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        if (Environment.GetEnvironmentVariable(RecordVariable) == "1")
        {
            File.WriteAllText(path, actual.ToJsonString(indented) + "\n");
            return;
        }

        Assert.True(File.Exists(path), $"{path} is missing: record it with {RecordVariable}=1");
        var expected = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.Equal(expected.Select(p => p.Key).Order(StringComparer.Ordinal), actual.Select(p => p.Key).Order(StringComparer.Ordinal));
        var mismatches = expected
            .Where(p => !JsonNode.DeepEquals(p.Value, actual[p.Key]))
            .Select(p => $"{p.Key}:\n  expected {p.Value?.ToJsonString(indented)}\n  actual   {actual[p.Key]?.ToJsonString(indented)}")
            .ToList();
        Assert.True(mismatches.Count == 0, $"{name}: {mismatches.Count} scenario(s) differ from the recorded expectation:\n{string.Join("\n", mismatches)}");
    }

    private static string ExpectedDir { get; } = Path.GetFullPath(Path.Combine(ContractFixtureTests.ContractsDir, "..", "..", "tests", "Agent.Providers.Tests", "Expected"));

    /// <summary>Answers every request with the contract fixture named by "[fixture:FILE]" in its body.</summary>
    private sealed class FixtureFileHandler(string dir) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            var start = body.IndexOf("[fixture:", StringComparison.Ordinal) + "[fixture:".Length;
            var file = body[start..body.IndexOf(']', start)];
            var content = new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(dir, file), cancellationToken));
            content.Headers.ContentType = new MediaTypeHeaderValue(file.EndsWith(".sse", StringComparison.Ordinal) ? "text/event-stream" : "application/json");
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
        }
    }
}
