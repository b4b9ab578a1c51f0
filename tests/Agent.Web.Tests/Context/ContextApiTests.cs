using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Agent.Domain.Memory;
using Agent.Domain.Storage;
using Agent.Domain.Tools;
using Agent.Runtime.Chat;
using Agent.Runtime.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests.Context;

/// <summary>Context, compaction and checkpoints on the real host with a real SQLite file and the deterministic provider.</summary>
public sealed class ContextApiTests
{
    private const string PinnedFact = "The person's favourite colour is teal.";

    private static AgentAppFactory App(int contextWindow) => new AgentAppFactory()
        .WithSetting("Agent:Providers:0:Models:0:ContextWindow", contextWindow.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .WithSetting("Agent:Providers:0:ChunkDelayMs", "0");

    private static async Task PinAsync(AgentAppFactory app)
    {
        var now = DateTimeOffset.UtcNow;
        await app.Services.GetRequiredService<IMemoryStore>().AddAsync(
            new MemoryItem(Guid.NewGuid(), "local", null, MemoryTier.PinnedBlock, "Favourite colour", PinnedFact, now, now), CancellationToken.None);
    }

    private static async Task<Guid> NewSessionAsync(HttpClient client) =>
        (await (await client.PostAsJsonAsync("/api/sessions", new { title = "Long" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

    private static async Task<JsonElement> SendAsync(AgentAppFactory app, HttpClient client, Guid sessionId, string text)
    {
        using var sent = await client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { text });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var turn = await sent.Content.ReadFromJsonAsync<JsonElement>();
        await app.Services.GetRequiredService<ChatCoordinator>().WhenIdleAsync(sessionId);
        return turn;
    }

    private static async Task<JsonElement[]> MessagesAsync(HttpClient client, Guid sessionId) =>
        (await client.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{sessionId}/messages?skip=0&take=1000"))!;

    [Fact]
    public async Task A_run_keeps_what_the_model_saw_in_order_with_token_counts_and_pinned_memory()
    {
        await using var app = App(32768);
        using var client = app.CreateClient();
        await PinAsync(app);
        var sessionId = await NewSessionAsync(client);
        await SendAsync(app, client, sessionId, "What colour do I like?");

        var reply = (await MessagesAsync(client, sessionId))[^1];
        Assert.Contains(PinnedFact, reply.GetProperty("text").GetString(), StringComparison.Ordinal);
        var executionId = reply.GetProperty("executionId").GetGuid();
        var context = await client.GetFromJsonAsync<JsonElement>($"/api/execution/{executionId}/context");
        Assert.Equal(32768, context.GetProperty("contextWindow").GetInt32());
        Assert.True(context.GetProperty("isEstimate").GetBoolean()); // scripted-echo is no OpenAI model: a marked estimate
        Assert.Equal("o200k_base", context.GetProperty("tokenizer").GetString());
        var parts = context.GetProperty("parts").EnumerateArray().ToList();
        Assert.Equal(["pinned", "recent_turns"], parts.Select(p => p.GetProperty("kind").GetString()));
        Assert.Equal([0, 1], parts.Select(p => p.GetProperty("order").GetInt32()));
        Assert.Contains(PinnedFact, parts[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.All(parts, p => Assert.True(p.GetProperty("tokens").GetInt32() > 0));
        Assert.Equal(parts.Sum(p => p.GetProperty("tokens").GetInt32()), context.GetProperty("totalTokens").GetInt32());

        var gauge = await client.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}/context");
        Assert.Equal(32768, gauge.GetProperty("contextWindow").GetInt32());
        Assert.True(gauge.GetProperty("tokens").GetInt32() > context.GetProperty("totalTokens").GetInt32()); // the reply is now in it too

        await AssertProblemAsync(await client.GetAsync(new Uri("/api/execution/nope/context", UriKind.Relative)), HttpStatusCode.BadRequest, "not an execution id");
        await AssertProblemAsync(await client.GetAsync(new Uri($"/api/execution/{Guid.NewGuid()}/context", UriKind.Relative)), HttpStatusCode.NotFound, "no recorded context");
    }

    [Fact]
    public async Task A_long_session_compacts_into_a_summary_checkpoint_keeps_pinned_memory_and_stays_within_the_window()
    {
        const int window = 600;
        await using var app = App(window);
        using var client = app.CreateClient();
        await PinAsync(app);
        var sessionId = await NewSessionAsync(client);
        JsonElement[] checkpoints = [];
        for (var i = 0; i < 14 && checkpoints.Length == 0; i++)
        {
            await SendAsync(app, client, sessionId, $"Turn {i}: here is some more detail about my garden, the roses and the old apple tree.");
            checkpoints = (await client.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{sessionId}/checkpoints"))!;
        }

        var compaction = Assert.Single(checkpoints);
        Assert.Equal("compaction", compaction.GetProperty("kind").GetString());
        Assert.StartsWith("[deterministic] Scripted summary", compaction.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains("Turn 0", compaction.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains("compact_session", compaction.GetProperty("source").GetString(), StringComparison.Ordinal);
        Assert.Equal("local", compaction.GetProperty("tenantId").GetString());
        var compactionRun = await client.GetFromJsonAsync<JsonElement>($"/api/execution/{compaction.GetProperty("executionId").GetGuid()}/status");
        Assert.Equal("compact_session", compactionRun.GetProperty("intent").GetProperty("intentType").GetString());
        Assert.Equal("completed", compactionRun.GetProperty("status").GetString());

        // The turn that needed the room went on with the summary and the recent turns, and the pinned fact.
        var reply = (await MessagesAsync(client, sessionId))[^1];
        Assert.Equal("complete", reply.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, reply.GetProperty("error").ValueKind);
        Assert.Contains(PinnedFact, reply.GetProperty("text").GetString(), StringComparison.Ordinal);
        // The run's context is kept just after the runtime accepts the turn, which a fast reply can outrun: wait for it.
        var contextPath = $"/api/execution/{reply.GetProperty("executionId").GetGuid()}/context";
        using var kept = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        HttpResponseMessage found;
        while ((found = await client.GetAsync(new Uri(contextPath, UriKind.Relative), kept.Token)).StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            found.Dispose();
            await Task.Delay(50, kept.Token);
        }

        using (found)
        {
            found.EnsureSuccessStatusCode();
        }

        var context = await client.GetFromJsonAsync<JsonElement>(contextPath);
        var kinds = context.GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["pinned", "compaction_summary", "recent_turns"], kinds);
        Assert.True(context.GetProperty("totalTokens").GetInt32() <= context.GetProperty("budget").GetInt32());
        Assert.True(context.GetProperty("totalTokens").GetInt32() < window * 0.8);
    }

    [Fact]
    public async Task A_failed_summarizer_leaves_the_session_usable_and_says_so_on_the_message()
    {
        // 110 tokens leave the summarizer no room: compaction fails, the turn goes on without the oldest messages.
        await using var app = App(110);
        using var client = app.CreateClient();
        var sessionId = await NewSessionAsync(client);
        JsonElement reply = default;
        for (var i = 0; i < 8; i++)
        {
            await SendAsync(app, client, sessionId, $"Message {i} with a few words in it.");
            reply = (await MessagesAsync(client, sessionId))[^1];
            if (reply.GetProperty("error").ValueKind == JsonValueKind.String)
            {
                break;
            }
        }

        Assert.Equal("complete", reply.GetProperty("status").GetString());
        Assert.Contains("Compacting the session failed", reply.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("stays usable", reply.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("[deterministic]", reply.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Empty((await client.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{sessionId}/checkpoints"))!);

        // And the next turn still works.
        await SendAsync(app, client, sessionId, "Still there?");
        Assert.StartsWith("[deterministic]", (await MessagesAsync(client, sessionId))[^1].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rewind_continues_from_a_checkpoint_keeping_later_messages_as_a_branch_and_fork_makes_a_new_session()
    {
        await using var app = App(32768);
        using var client = app.CreateClient();
        var sessionId = await NewSessionAsync(client);
        await SendAsync(app, client, sessionId, "first");
        using var saved = await client.PostAsJsonAsync($"/api/sessions/{sessionId}/checkpoints", new { label = "after first" });
        Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
        var checkpoint = await saved.Content.ReadFromJsonAsync<JsonElement>();
        var checkpointId = checkpoint.GetProperty("id").GetGuid();
        await SendAsync(app, client, sessionId, "second");

        using var rewound = await client.PostAsync(new Uri($"/api/sessions/{sessionId}/checkpoints/{checkpointId}/rewind", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, rewound.StatusCode);
        Assert.Equal(checkpoint.GetProperty("leafMessageId").GetGuid(), (await rewound.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("activeLeafId").GetGuid());
        await SendAsync(app, client, sessionId, "second, again");

        var all = await MessagesAsync(client, sessionId);
        Assert.Equal(6, all.Length); // nothing was deleted
        var seconds = all.Where(m => m.GetProperty("role").GetString() == "user" && m.GetProperty("text").GetString()!.StartsWith("second", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, seconds.Count);
        Assert.Equal(seconds[0].GetProperty("parentId").GetGuid(), seconds[1].GetProperty("parentId").GetGuid()); // siblings: a branch
        var listed = (await client.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{sessionId}/checkpoints"))!;
        Assert.Contains(listed, c => c.GetProperty("kind").GetString() == "beforerewind");

        // The fork is set up as its chat was: instructions, temperature and tool mode.
        using (var patched = await client.PatchAsJsonAsync($"/api/sessions/{sessionId}", new { systemPrompt = "Answer in French.", temperature = 0.4 }))
        {
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        }

        var tools = app.Services.GetRequiredService<ToolRegistry>();
        await tools.SetModeAsync("local", sessionId, SessionToolMode.Manual, CancellationToken.None);

        using var forked = await client.PostAsync(new Uri($"/api/sessions/{sessionId}/checkpoints/{checkpointId}/fork", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Created, forked.StatusCode);
        var fork = await forked.Content.ReadFromJsonAsync<JsonElement>();
        var forkId = fork.GetProperty("id").GetGuid();
        Assert.StartsWith("Fork of", fork.GetProperty("title").GetString(), StringComparison.Ordinal);
        var forkSettings = await client.GetFromJsonAsync<JsonElement>($"/api/sessions/{forkId}/settings");
        Assert.Equal("Answer in French.", forkSettings.GetProperty("systemPrompt").GetString());
        Assert.Equal(0.4, forkSettings.GetProperty("temperature").GetDouble());
        Assert.Equal(SessionToolMode.Manual, await tools.GetModeAsync("local", forkId, CancellationToken.None));
        var forkMessages = await MessagesAsync(client, forkId);
        Assert.Equal(["first", all[1].GetProperty("text").GetString()], forkMessages.Select(m => m.GetProperty("text").GetString()));
        await SendAsync(app, client, forkId, "in the fork");
        Assert.Equal(4, (await MessagesAsync(client, forkId)).Length);
        Assert.Equal(6, (await MessagesAsync(client, sessionId)).Length);

        await AssertProblemAsync(await client.PostAsync(new Uri($"/api/sessions/{sessionId}/checkpoints/{Guid.NewGuid()}/rewind", UriKind.Relative), null), HttpStatusCode.NotFound, "is not in session");
        await AssertProblemAsync(await client.PostAsync(new Uri($"/api/sessions/{forkId}/checkpoints/{checkpointId}/fork", UriKind.Relative), null), HttpStatusCode.NotFound, "is not in session");
        var empty = await NewSessionAsync(client);
        await AssertProblemAsync(await client.PostAsJsonAsync($"/api/sessions/{empty}/checkpoints", new { }), HttpStatusCode.BadRequest, "no messages yet");
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
}
