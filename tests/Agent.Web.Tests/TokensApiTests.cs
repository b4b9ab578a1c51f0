using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Agent.ProviderEmulator;
using Agent.Runtime.Chat;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

/// <summary>/api/tokens on the real host and SQLite file, with replies streamed from the provider emulator.</summary>
public sealed class TokensApiTests
{
    private const decimal InputPrice = 2.5m;
    private const decimal CachedPrice = 1.25m;
    private const decimal OutputPrice = 10m;

    [Fact]
    public async Task Tokens_by_model_equal_the_emulators_reported_usage_and_the_price_tables_cost()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 1 });
        await using var app = Emulated(new AgentAppFactory(), emulator);
        using var client = app.CreateClient();
        using var created = await client.PostAsJsonAsync("/api/sessions", new { title = "Priced", provider = "emulator", model = "emulator-model" });
        var sessionId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var coordinator = app.Services.GetRequiredService<ChatCoordinator>();
        foreach (var text in new[] { "[scenario:usage-final] first question", "[scenario:usage-final] and a second, longer question" })
        {
            using var sent = await client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { text });
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
            await coordinator.WhenIdleAsync(sessionId);
        }

        // The oracle: what the emulator reports for the very requests the app sent, replayed over plain HTTP.
        var calls = emulator.Requests.All().Where(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, calls.Count);
        long input = 0, output = 0, cached = 0, reasoning = 0;
        using var raw = new HttpClient { BaseAddress = emulator.BaseAddress };
        foreach (var call in calls)
        {
            var usage = await ReportedUsageAsync(raw, call);
            input += usage.GetProperty("prompt_tokens").GetInt64();
            output += usage.GetProperty("completion_tokens").GetInt64();
            cached += usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt64();
            reasoning += usage.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt64();
        }

        Assert.True(cached > 0 && reasoning > 0, "usage-final reports cached and reasoning tokens");
        var cost = (((input - cached) * InputPrice) + (cached * CachedPrice) + (output * OutputPrice)) / 1_000_000m;

        var report = await client.GetFromJsonAsync<JsonElement>("/api/tokens?groupBy=model");
        Assert.Equal("model", report.GetProperty("groupBy").GetString());
        Assert.Equal("EUR", report.GetProperty("currency").GetString());
        var group = Assert.Single(report.GetProperty("groups").EnumerateArray());
        foreach (var row in new[] { group, report.GetProperty("total") })
        {
            Assert.Equal(
                (input, output, cached, reasoning, cost, "EUR", 2, 0),
                (row.GetProperty("inputTokens").GetInt64(), row.GetProperty("outputTokens").GetInt64(), row.GetProperty("cachedInputTokens").GetInt64(),
                    row.GetProperty("reasoningTokens").GetInt64(), row.GetProperty("cost").GetDecimal(), row.GetProperty("currency").GetString(),
                    row.GetProperty("messages").GetInt32(), row.GetProperty("unpricedMessages").GetInt32()));
        }

        Assert.Equal("emulator-model", group.GetProperty("key").GetString());

        var today = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        using var csv = await client.GetAsync(new Uri($"/api/tokens.csv?groupBy=day&from={today}&to={today}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        Assert.Equal(
            [
                "key,inputTokens,outputTokens,cachedInputTokens,reasoningTokens,cost,currency,messages,unpricedMessages,estimatedMessages",
                string.Create(CultureInfo.InvariantCulture, $"{today},{input},{output},{cached},{reasoning},{cost},EUR,2,0,0"),
                string.Create(CultureInfo.InvariantCulture, $"total,{input},{output},{cached},{reasoning},{cost},EUR,2,0,0"),
            ],
            lines);

        var reply = (await client.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{sessionId}/messages?skip=0&take=50"))!.Last();
        Assert.Equal("assistant", reply.GetProperty("role").GetString());
    }

    [Fact]
    public async Task Bad_parameters_get_a_400_naming_the_parameter()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();

        foreach (var (query, parameter) in new[]
        {
            ("groupBy=tenant", "groupBy"),
            ("from=yesterday", "from"),
            ("to=2026-13-45", "to"),
            ("from=2026-11-23&to=2026-11-22", "from"),
        })
        {
            foreach (var path in new[] { "/api/tokens", "/api/tokens.csv" })
            {
                using var response = await client.GetAsync(new Uri($"{path}?{query}", UriKind.Relative));
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString();
                Assert.StartsWith(parameter + " ", error, StringComparison.Ordinal);
            }
        }

        var empty = await client.GetFromJsonAsync<JsonElement>("/api/tokens?from=2026-11-22T00:00:00Z&to=2026-11-23T00:00:00%2B01:00&groupBy=session");
        Assert.Empty(empty.GetProperty("groups").EnumerateArray());
        Assert.Equal(0, empty.GetProperty("total").GetProperty("cost").GetDecimal());
        Assert.Equal(DateTimeOffset.Parse("2026-11-22T23:00:00Z", CultureInfo.InvariantCulture), empty.GetProperty("to").GetDateTimeOffset());
    }

    private static AgentAppFactory Emulated(AgentAppFactory app, EmulatorServer emulator) => app
        .WithSetting("Agent:Providers:3:Name", "emulator")
        .WithSetting("Agent:Providers:3:Kind", "OpenAICompatible")
        .WithSetting("Agent:Providers:3:Mode", "Sandbox")
        .WithSetting("Agent:Providers:3:BaseUrl", emulator.OpenAIBaseUrl.ToString())
        .WithSetting("Agent:Providers:3:Models:0:Id", "emulator-model")
        .WithSetting("Agent:Providers:3:Models:0:ContextWindow", "8192")
        .WithSetting("Agent:Providers:3:Models:0:InputPricePerMillion", InputPrice.ToString(CultureInfo.InvariantCulture))
        .WithSetting("Agent:Providers:3:Models:0:CachedInputPricePerMillion", CachedPrice.ToString(CultureInfo.InvariantCulture))
        .WithSetting("Agent:Providers:3:Models:0:OutputPricePerMillion", OutputPrice.ToString(CultureInfo.InvariantCulture))
        .WithSetting("Agent:Telemetry:Currency", "EUR");

    private static async Task<JsonElement> ReportedUsageAsync(HttpClient raw, RecordedRequest call)
    {
        using var content = new StringContent(call.Body, Encoding.UTF8, "application/json");
        using var response = await raw.PostAsync(new Uri(call.Path.TrimStart('/'), UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
        JsonElement? usage = null;
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal)
                && JsonDocument.Parse(line["data: ".Length..]).RootElement is var chunk
                && chunk.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
            {
                usage = u.Clone();
            }
        }

        return usage ?? throw new InvalidOperationException("The emulator reported no usage for " + call.Body);
    }
}
