using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Agent.Web.Tests;

/// <summary>Every 400 says why, and a message over the size limit is refused before it reaches the model or the title.</summary>
public sealed class BadRequestTests
{
    [Theory]
    [InlineData("{\"text\": ", "JSON")]
    [InlineData("{\"text\": 5}", "$.text")]
    [InlineData("[1, 2]", "SendMessageRequest")]
    [InlineData("{\"text\": \"hi\", \"editOf\": \"not-a-guid\"}", "$.editOf")]
    public async Task A_body_that_does_not_bind_gets_400_naming_the_problem(string body, string named)
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();
        var sessionId = await NewSessionAsync(client);

        using var response = await client.PostAsync(new Uri($"/api/sessions/{sessionId}/messages", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString();
        Assert.Contains(named, error, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task A_5_MB_message_is_refused_with_the_limit_and_is_neither_stored_nor_the_title()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();
        var sessionId = await NewSessionAsync(client);

        using var response = await client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { text = new string('x', 5 * 1024 * 1024) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString();
        Assert.Contains("5,242,880 characters, over the limit of 100,000 (Agent:Limits:MaxMessageChars)", error, StringComparison.Ordinal);
        Assert.Empty((await client.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{sessionId}/messages"))!);
        var sessions = await client.GetFromJsonAsync<JsonElement[]>("/api/sessions");
        Assert.Equal("New chat", sessions!.Single().GetProperty("title").GetString());
    }

    [Fact]
    public async Task The_limit_is_configurable()
    {
        await using var app = new AgentAppFactory().WithSetting("Agent:Limits:MaxMessageChars", "10");
        using var client = app.CreateClient();
        var sessionId = await NewSessionAsync(client);

        using var refused = await client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { text = "eleven char" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using var accepted = await client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { text = "ten chars!" });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    private static async Task<Guid> NewSessionAsync(HttpClient client)
    {
        using var created = await client.PostAsJsonAsync("/api/sessions", new { });
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }
}
