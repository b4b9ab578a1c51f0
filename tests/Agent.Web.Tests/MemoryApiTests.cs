using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Agent.Runtime.Chat;
using Agent.Runtime.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

/// <summary>/api/memory and the memory_* tools on the real host and SQLite file, with the deterministic provider.</summary>
public sealed class MemoryApiTests
{
    [Fact]
    public async Task Save_list_search_edit_pin_unpin_and_delete_through_the_api()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();

        var fact = await CreatedAsync(await client.PostAsJsonAsync("/api/memory", new { tier = "archival", content = "Sam's favourite tea is genmaicha." }));
        var pinned = await CreatedAsync(await client.PostAsJsonAsync("/api/memory", new { tier = "pinned", content = "Call me Sam." }));
        Assert.Equal(("archival", "person"), (fact.GetProperty("tier").GetString(), fact.GetProperty("source").GetString()));
        Assert.Equal("pinned", pinned.GetProperty("tier").GetString());
        var factId = fact.GetProperty("id").GetGuid();

        var archival = await client.GetFromJsonAsync<JsonElement>("/api/memory?tier=archival");
        Assert.Equal(1, archival.GetProperty("total").GetInt32());
        var searched = await client.GetFromJsonAsync<JsonElement>("/api/memory?q=genmai");
        Assert.Equal(factId, Assert.Single(searched.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Equal(2, (await client.GetFromJsonAsync<JsonElement>("/api/memory")).GetProperty("total").GetInt32());

        using var edited = await client.PutAsJsonAsync($"/api/memory/{factId}", new { content = "Sam's favourite tea is sencha." });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/memory?q=genmaicha")).GetProperty("total").GetInt32());
        Assert.Equal(1, (await client.GetFromJsonAsync<JsonElement>("/api/memory?q=sencha")).GetProperty("total").GetInt32());

        using var pin = await client.PostAsync(new Uri($"/api/memory/{factId}/pin", UriKind.Relative), null);
        Assert.Equal("pinned", (await pin.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tier").GetString());
        Assert.Equal(2, (await client.GetFromJsonAsync<JsonElement>("/api/memory?tier=pinned")).GetProperty("total").GetInt32());
        using var unpin = await client.PostAsync(new Uri($"/api/memory/{factId}/unpin", UriKind.Relative), null);
        Assert.Equal("archival", (await unpin.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tier").GetString());

        using var deleted = await client.DeleteAsync(new Uri($"/api/memory/{factId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await AssertErrorAsync(await client.DeleteAsync(new Uri($"/api/memory/{factId}", UriKind.Relative)), HttpStatusCode.NotFound, "no memory item");
        await AssertErrorAsync(await client.PutAsJsonAsync($"/api/memory/{factId}", new { content = "x" }), HttpStatusCode.NotFound, "no memory item");
    }

    [Fact]
    public async Task Bad_input_is_a_400_that_names_what_is_wrong()
    {
        await using var app = new AgentAppFactory().WithSetting("Agent:Memory:PinnedTotalMaxChars", "30");
        using var client = app.CreateClient();

        await AssertErrorAsync(await client.PostAsJsonAsync("/api/memory", new { tier = "episode", content = "x" }), HttpStatusCode.BadRequest, "tier must be \"pinned\" or \"archival\"");
        await AssertErrorAsync(await client.PostAsJsonAsync("/api/memory", new { content = "x" }), HttpStatusCode.BadRequest, "tier must be");
        await AssertErrorAsync(await client.PostAsJsonAsync("/api/memory", new { tier = "archival", content = "  " }), HttpStatusCode.BadRequest, "content is empty");
        await AssertErrorAsync(await client.PostAsJsonAsync("/api/memory", new { tier = "pinned", content = new string('x', 31) }), HttpStatusCode.BadRequest, "PinnedTotalMaxChars");
        await AssertErrorAsync(await client.GetAsync(new Uri("/api/memory?tier=everything", UriKind.Relative)), HttpStatusCode.BadRequest, "tier 'everything'");
        await AssertErrorAsync(await client.GetAsync(new Uri("/api/memory?take=0", UriKind.Relative)), HttpStatusCode.BadRequest, "take must be");
    }

    [Fact]
    public async Task A_fact_saved_by_the_agent_in_one_session_reaches_the_model_in_another_and_an_unrelated_question_gets_none()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();
        var first = await NewSessionAsync(client);

        // The agent calls memory_save (the deterministic provider's tool-call script); it runs without asking.
        var saveReply = await SendAsync(app, client, first, """/tool memory_save {"content":"The person's cat Miso eats salmon."}""");
        Assert.Contains("Tool results received", saveReply, StringComparison.Ordinal);
        var saved = Assert.Single((await client.GetFromJsonAsync<JsonElement>("/api/memory?tier=archival")).GetProperty("items").EnumerateArray());
        Assert.Equal(("agent", first), (saved.GetProperty("source").GetString(), saved.GetProperty("sessionId").GetGuid()));

        var second = await NewSessionAsync(client);
        var reply = await SendAsync(app, client, second, "What does my cat eat?");
        Assert.Contains("Memory in context: [fact] The person's cat Miso eats salmon.", reply, StringComparison.Ordinal);

        var unrelated = await SendAsync(app, client, second, "How do volcanoes erupt?");
        Assert.DoesNotContain("Memory in context", unrelated, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Memory_forget_asks_for_approval_and_the_other_memory_tools_do_not()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();
        var tools = (await client.GetFromJsonAsync<JsonElement>(new Uri("/api/tools", UriKind.Relative))).EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Equal("Ask", tools[MemoryTools.Forget].GetProperty("approval").GetString());
        foreach (var name in new[] { MemoryTools.Search, MemoryTools.Save, MemoryTools.Pin })
        {
            Assert.Equal("Always", tools[name].GetProperty("approval").GetString());
        }

        var fact = await CreatedAsync(await client.PostAsJsonAsync("/api/memory", new { tier = "archival", content = "Old address: 4 Elm Street." }));
        var session = await NewSessionAsync(client);
        using var sent = await client.PostAsJsonAsync($"/api/sessions/{session}/messages", new { text = $$"""/tool memory_forget {"id":"{{fact.GetProperty("id").GetGuid()}}"}""" });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var pending = await WaitForAsync(async () => (await client.GetFromJsonAsync<JsonElement>("/api/tools/approvals")).EnumerateArray().ToList(), p => p.Count == 1);
        Assert.Equal(MemoryTools.Forget, pending[0].GetProperty("toolName").GetString());
        Assert.Equal(1, (await client.GetFromJsonAsync<JsonElement>("/api/memory")).GetProperty("total").GetInt32()); // not deleted before approval

        using var approved = await client.PostAsync(new Uri($"/api/tools/approvals/{pending[0].GetProperty("id").GetGuid()}/approve", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        await WaitForAsync(async () => (await client.GetFromJsonAsync<JsonElement>("/api/memory")).GetProperty("total").GetInt32(), total => total == 0);
    }

    private static async Task<Guid> NewSessionAsync(HttpClient client)
    {
        using var created = await client.PostAsJsonAsync("/api/sessions", new { title = "Memory" });
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>Sends a message, waits for the reply to end and returns the reply's text.</summary>
    private static async Task<string> SendAsync(AgentAppFactory app, HttpClient client, Guid sessionId, string text)
    {
        using var sent = await client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { text });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        await app.Services.GetRequiredService<ChatCoordinator>().WhenIdleAsync(sessionId);
        var messages = await client.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{sessionId}/messages?skip=0&take=50");
        return messages![^1].GetRawText();
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                Assert.True(done(value), $"still {value} after 20 s");
                return value;
            }

            await Task.Delay(50);
        }
    }

    private static async Task<JsonElement> CreatedAsync(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string contains)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString();
            Assert.Contains(contains, error, StringComparison.Ordinal);
        }
    }
}
