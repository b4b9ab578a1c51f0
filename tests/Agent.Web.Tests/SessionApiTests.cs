using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Agent.Runtime.Chat;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

/// <summary>The chat flows headless, on the real host with a real SQLite file and the deterministic provider.</summary>
public sealed class SessionApiTests
{
    [Fact]
    public async Task Create_send_and_read_back_a_turn_with_its_execution()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();

        using var created = await client.PostAsJsonAsync("/api/sessions", new { title = "Headless" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var sessionId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        using var sent = await client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { text = "Hello there" });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var turn = await sent.Content.ReadFromJsonAsync<JsonElement>();
        var executionId = turn.GetProperty("executionId").GetGuid();
        await app.Services.GetRequiredService<ChatCoordinator>().WhenIdleAsync(sessionId);

        var messages = await client.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{sessionId}/messages?skip=0&take=50");
        Assert.Equal(2, messages!.Length);
        Assert.Equal("user", messages[0].GetProperty("role").GetString());
        Assert.Equal("Hello there", messages[0].GetProperty("text").GetString());
        var reply = messages[1];
        Assert.Equal("assistant", reply.GetProperty("role").GetString());
        Assert.Equal("complete", reply.GetProperty("status").GetString());
        Assert.Equal("deterministic", reply.GetProperty("providerMode").GetString());
        Assert.StartsWith("[deterministic]", reply.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.True(reply.GetProperty("outputTokens").GetInt64() > 0);
        Assert.Equal(executionId, reply.GetProperty("executionId").GetGuid());

        var status = await client.GetFromJsonAsync<JsonElement>($"/api/execution/{executionId}/status");
        Assert.Equal("send_message", status.GetProperty("intent").GetProperty("intentType").GetString());
        await WaitForAsync(async () => (await client.GetFromJsonAsync<JsonElement>($"/api/execution/{executionId}/status")).GetProperty("status").GetString() == "completed");

        var page = await client.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{sessionId}/messages?skip=1&take=1");
        Assert.Equal(reply.GetProperty("id").GetGuid(), Assert.Single(page!).GetProperty("id").GetGuid());
        var found = await client.GetFromJsonAsync<JsonElement[]>("/api/sessions?q=hello%20there");
        Assert.Equal(sessionId, Assert.Single(found!).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Bad_requests_get_a_4xx_with_a_reason()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();
        var sessionId = (await (await client.PostAsJsonAsync("/api/sessions", new { })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        await AssertProblemAsync(await client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { text = "  " }), HttpStatusCode.BadRequest, "text is required");
        await AssertProblemAsync(await client.PostAsJsonAsync($"/api/sessions/{Guid.NewGuid()}/messages", new { text = "hi" }), HttpStatusCode.NotFound, "does not exist");
        await AssertProblemAsync(await client.GetAsync(new Uri($"/api/sessions/{Guid.NewGuid()}/messages", UriKind.Relative)), HttpStatusCode.NotFound, "does not exist");
        await AssertProblemAsync(await client.GetAsync(new Uri($"/api/sessions/{sessionId}/messages?take=0", UriKind.Relative)), HttpStatusCode.BadRequest, "take from 1 to 1000");
        await AssertProblemAsync(await client.PostAsJsonAsync("/api/sessions", new { provider = "nope" }), HttpStatusCode.BadRequest, "No provider named 'nope'");
        await AssertProblemAsync(await client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages/{Guid.NewGuid()}/regenerate", new { }), HttpStatusCode.NotFound, "is not in this session");
    }

    [Fact]
    public async Task Sending_to_a_blocked_provider_is_refused_with_the_action_and_nothing_is_stored()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();
        using var created = await client.PostAsJsonAsync("/api/sessions", new { provider = "openai", model = "gpt-4o-mini" });
        var sessionId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        using var sent = await client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { text = "hi" });

        await AssertProblemAsync(sent, HttpStatusCode.Conflict, "set OPENAI_API_KEY and restart the app");
        Assert.Empty((await client.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{sessionId}/messages"))!);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected, string reason)
    {
        using (response)
        {
            Assert.Equal(expected, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains(reason, body.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 50; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("condition not met within 5 s");
    }
}
