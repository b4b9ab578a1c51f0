using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Agent.ProviderEmulator;

namespace Agent.Web.Tests;

/// <summary>Agent:Budgets on the real host: over a limit a send is refused with 429 naming the limit's key and how to raise it.</summary>
public sealed class BudgetTests
{
    [Fact]
    public async Task Over_the_daily_token_budget_a_send_is_refused_naming_the_limit_and_how_to_raise_it()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 1 });
        await using var app = UsageHostTests.Emulated(new AgentAppFactory(), emulator, "OpenAICompatible")
            .WithSetting("Agent:Budgets:Default:DailyTokens", "10");
        var (first, client) = await UsageHostTests.SendAsync(app, "the first message fits the budget");
        Assert.True(first.Usage!.TotalTokens >= 10, "the first reply used the day's budget");

        using var refused = await client.PostAsJsonAsync($"/api/sessions/{first.SessionId}/messages", new { text = "one more" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var body = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Agent:Budgets:Default:DailyTokens", body.GetProperty("limit").GetString());
        var error = body.GetProperty("error").GetString()!;
        Assert.StartsWith("Not sent: the daily token budget of tenant 'local' is used up", error, StringComparison.Ordinal);
        Assert.Contains($"{first.Usage.TotalTokens:N0} tokens used today (UTC), limit 10 tokens", error, StringComparison.Ordinal);
        Assert.Contains("To raise it, set Agent:Budgets:Default:DailyTokens to a higher value and restart the app", error, StringComparison.Ordinal);

        // Nothing was stored for the refused send: the session still holds one exchange.
        var messages = await client.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{first.SessionId}/messages?skip=0&take=50");
        Assert.Equal(2, messages!.Length);
        client.Dispose();
    }

    [Fact]
    public async Task A_tenants_own_session_cost_limit_replaces_the_default_and_a_new_session_may_still_send()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 1 });
        await using var app = UsageHostTests.Emulated(new AgentAppFactory(), emulator, "OpenAICompatible")
            .WithSetting("Agent:Budgets:Default:SessionCost", "1000")
            .WithSetting("Agent:Budgets:Tenants:local:SessionCost", "0.0000001");
        var (first, client) = await UsageHostTests.SendAsync(app, "spend a little");
        Assert.True(first.Cost > 0.0000001m);

        using var refused = await client.PostAsJsonAsync($"/api/sessions/{first.SessionId}/messages", new { text = "and more" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var body = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Agent:Budgets:Tenants:local:SessionCost", body.GetProperty("limit").GetString());
        Assert.Contains("session cost budget", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("or start a new chat", body.GetProperty("error").GetString(), StringComparison.Ordinal);

        var (other, otherClient) = await UsageHostTests.SendAsync(app, "a fresh session has its own budget");
        Assert.NotEqual(first.SessionId, other.SessionId);
        client.Dispose();
        otherClient.Dispose();
    }
}
