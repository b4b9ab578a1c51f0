using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Agent.Domain.Storage;
using Agent.Runtime.Chat;
using Agent.Web.Tests.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Agent.Web.Tests;

/// <summary>
/// The sidebar's routes on the real host and SQLite file: PATCH (title, pinned, archived) and its refusals, the trash
/// (delete, restore, delete for good, purged after 30 days by a clock the test moves), export as Markdown and JSON, and
/// another tenant's ids answering 404 on every one of them.
/// </summary>
public sealed class SessionSidebarApiTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Patch_changes_each_field_and_refuses_bad_bodies_with_a_reason()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();
        var first = await CreateAsync(client, "First chat");
        var second = await CreateAsync(client, "Second chat");

        // Pinned comes first although the second chat is newer; pinning does not change when a chat was last active.
        var pinned = await PatchAsync(client, first, new { pinned = true });
        Assert.True(pinned.GetProperty("pinned").GetBoolean());
        Assert.Equal([first, second], await IdsAsync(client, "/api/sessions"));
        Assert.False((await PatchAsync(client, first, new { pinned = false })).GetProperty("pinned").GetBoolean());
        Assert.Equal([second, first], await IdsAsync(client, "/api/sessions"));

        // A new title counts as activity, as the chat header's rename always did.
        var renamed = await PatchAsync(client, first, new { title = "  Trip plans  " });
        Assert.Equal("Trip plans", renamed.GetProperty("title").GetString());
        Assert.Equal([first, second], await IdsAsync(client, "/api/sessions"));

        // Archived leaves the list (and its search) for ?archived=true, and comes back.
        var archived = await PatchAsync(client, second, new { archived = true });
        Assert.True(archived.GetProperty("archived").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, archived.GetProperty("archivedAt").ValueKind);
        Assert.Equal([first], await IdsAsync(client, "/api/sessions"));
        Assert.Empty(await IdsAsync(client, "/api/sessions?q=Second"));
        Assert.Equal([second], await IdsAsync(client, "/api/sessions?archived=true"));
        Assert.False((await PatchAsync(client, second, new { archived = false })).GetProperty("archived").GetBoolean());
        Assert.Equal([first, second], await IdsAsync(client, "/api/sessions"));
        Assert.Empty(await IdsAsync(client, "/api/sessions?archived=true"));

        // Several fields at once, and the team binding still goes through the same route.
        var both = await PatchAsync(client, second, new { title = "Both", pinned = true, teamId = "default" });
        Assert.Equal(("Both", true, "default"), (both.GetProperty("title").GetString(), both.GetProperty("pinned").GetBoolean(), both.GetProperty("teamId").GetString()));

        var refusals = new (string Body, string Reason)[]
        {
            ("{}", "Nothing to change"),
            ("{\"colour\": \"red\"}", "Nothing to change"),
            ("[]", "must be a JSON object"),
            ("{\"title\": \"   \"}", "'title' must be a non-blank string"),
            ("{\"title\": null}", "'title' must be a non-blank string"),
            ("{\"title\": 5}", "'title' must be a non-blank string"),
            ($"{{\"title\": \"{new string('x', 201)}\"}}", "The title has 201 characters; the limit is 200."),
            ("{\"pinned\": \"yes\"}", "'pinned' must be true or false"),
            ("{\"archived\": 1}", "'archived' must be true or false"),
            ("{\"title\": \"ok\", \"pinned\": null}", "'pinned' must be true or false"),
        };
        foreach (var (body, reason) in refusals)
        {
            using var response = await SendAsync(client, HttpMethod.Patch, $"/api/sessions/{first}", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(reason, await ErrorAsync(response), StringComparison.Ordinal);
        }

        // A refused body changed nothing, not even its valid fields.
        Assert.Equal("Trip plans", (await client.GetFromJsonAsync<JsonElement[]>("/api/sessions"))!.Single(s => s.GetProperty("id").GetGuid() == first).GetProperty("title").GetString());

        using var unknown = await SendAsync(client, HttpMethod.Patch, $"/api/sessions/{Guid.NewGuid()}", "{\"pinned\": true}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Another_tenants_session_answers_404_to_every_sidebar_route_and_stays_as_it_was()
    {
        await using var app = new AgentAppFactory();
        using var owner = app.CreateClient();
        var bob = await TenantIsolationTests.PersonAsync(app, "bob", "beta", admin: false);
        using var bobClient = TenantIsolationTests.ClientWith(app, bob.Secret);
        var session = await CreateAsync(owner, "Owner's plans");
        var trashed = await CreateAsync(owner, "Owner's old plans");
        using (var deleted = await owner.DeleteAsync(new Uri($"/api/sessions/{trashed}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        var corpus = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Patch, $"/api/sessions/{session}", "{\"title\": \"mine now\"}"),
            (HttpMethod.Patch, $"/api/sessions/{session}", "{\"pinned\": true}"),
            (HttpMethod.Patch, $"/api/sessions/{session}", "{\"archived\": true}"),
            (HttpMethod.Delete, $"/api/sessions/{session}", null),
            (HttpMethod.Post, $"/api/sessions/{trashed}/restore", null),
            (HttpMethod.Delete, $"/api/sessions/trash/{trashed}", null),
            (HttpMethod.Get, $"/api/sessions/{session}/export?format=md", null),
            (HttpMethod.Get, $"/api/sessions/{session}/export?format=json", null),
        };
        foreach (var (method, path, body) in corpus)
        {
            using var response = await SendAsync(bobClient, method, path, body);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            Assert.DoesNotContain("Owner's", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        foreach (var list in new[] { "/api/sessions", "/api/sessions?archived=true", "/api/sessions/trash" })
        {
            Assert.DoesNotContain("Owner's", await bobClient.GetStringAsync(list), StringComparison.Ordinal);
        }

        var mine = (await owner.GetFromJsonAsync<JsonElement[]>("/api/sessions"))!.Single();
        Assert.Equal(("Owner's plans", false), (mine.GetProperty("title").GetString(), mine.GetProperty("pinned").GetBoolean()));
        Assert.Equal([trashed], await IdsAsync(owner, "/api/sessions/trash"));
    }

    [Fact]
    public async Task Delete_moves_to_the_trash_restore_brings_it_back_and_after_30_days_it_is_gone_for_good()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));
        await using var app = new AgentAppFactory().WithServices(services => services.AddSingleton<TimeProvider>(clock));
        using var client = app.CreateClient();
        var store = app.Services.GetRequiredService<ISessionStore>();
        var kept = await CreateAsync(client, "Kept");
        clock.Advance(TimeSpan.FromMinutes(1));
        var binned = await CreateAsync(client, "Binned");

        using (var deleted = await client.DeleteAsync(new Uri($"/api/sessions/{binned}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
            Assert.Equal(clock.GetUtcNow(), (await deleted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deletedAt").GetDateTimeOffset());
        }

        Assert.Equal([kept], await IdsAsync(client, "/api/sessions"));
        Assert.Equal([binned], await IdsAsync(client, "/api/sessions/trash"));

        // In the trash the chat is out of reach until restored.
        using (var messages = await client.GetAsync(new Uri($"/api/sessions/{binned}/messages", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, messages.StatusCode);
        }

        using (var send = await client.PostAsJsonAsync($"/api/sessions/{binned}/messages", new { text = "still there?" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, send.StatusCode);
            Assert.Contains("is in the trash", await ErrorAsync(send), StringComparison.Ordinal);
        }

        using (var again = await client.DeleteAsync(new Uri($"/api/sessions/{binned}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        using (var restored = await client.PostAsync(new Uri($"/api/sessions/{binned}/restore", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
            Assert.Equal(JsonValueKind.Null, (await restored.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deletedAt").ValueKind);
        }

        Assert.Equal([binned, kept], await IdsAsync(client, "/api/sessions"));
        Assert.Empty(await IdsAsync(client, "/api/sessions/trash"));
        using (var notTrashed = await client.PostAsync(new Uri($"/api/sessions/{binned}/restore", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.NotFound, notTrashed.StatusCode);
        }

        // Trashed again on day 0; a second chat on day 29. On day 31 the first is gone for good, the second still restorable.
        (await client.DeleteAsync(new Uri($"/api/sessions/{binned}", UriKind.Relative))).Dispose();
        clock.Advance(TimeSpan.FromDays(29));
        Assert.Equal([binned], await IdsAsync(client, "/api/sessions/trash"));
        (await client.DeleteAsync(new Uri($"/api/sessions/{kept}", UriKind.Relative))).Dispose();
        clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal([kept], await IdsAsync(client, "/api/sessions/trash"));
        Assert.Null(await store.FindAsync("local", binned, None));
        using (var purged = await client.PostAsync(new Uri($"/api/sessions/{binned}/restore", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.NotFound, purged.StatusCode);
        }

        // Delete for good only takes what is in the trash.
        using (var forGood = await client.DeleteAsync(new Uri($"/api/sessions/trash/{kept}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NoContent, forGood.StatusCode);
        }

        Assert.Null(await store.FindAsync("local", kept, None));
        var active = await CreateAsync(client, "Active");
        using (var notInTrash = await client.DeleteAsync(new Uri($"/api/sessions/trash/{active}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, notInTrash.StatusCode);
        }

        // The hourly sweep removes an expired chat without anyone opening the trash.
        (await client.DeleteAsync(new Uri($"/api/sessions/{active}", UriKind.Relative))).Dispose();
        clock.Advance(TimeSpan.FromDays(31));
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await store.FindAsync("local", active, None) is not null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Null(await store.FindAsync("local", active, None));
    }

    [Fact]
    public async Task Export_gives_the_shown_branch_as_markdown_and_every_branch_as_json_with_tool_calls_usage_and_attachment_metadata()
    {
        await using var app = new AgentAppFactory().WithSetting("Agent:Providers:0:ChunkDelayMs", "0");
        using var client = app.CreateClient();
        var chat = app.Services.GetRequiredService<ChatCoordinator>();
        var session = await CreateAsync(client, "Export: trip/plans");

        using var form = new MultipartFormDataContent();
        var bytes = Encoding.UTF8.GetBytes("packing list: tent, stove, lantern");
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        form.Add(file, "file", "packing.txt");
        using var uploaded = await client.PostAsync(new Uri($"/api/sessions/{session}/attachments", UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.Accepted, uploaded.StatusCode);
        var uploadBody = await uploaded.Content.ReadFromJsonAsync<JsonElement>();
        var attachmentId = uploadBody.GetProperty("attachment").GetProperty("id").GetGuid();
        await client.WaitForAsync(uploadBody.GetProperty("executionId").GetGuid(), r => r.Is("completed") || r.Is("failed"), "ended");

        (await client.PostAsJsonAsync($"/api/sessions/{session}/messages", new { text = "hello export", attachmentIds = new[] { attachmentId } })).Dispose();
        await chat.WhenIdleAsync(session);
        (await client.PostAsJsonAsync($"/api/sessions/{session}/messages", new { text = "/tool current_time {}" })).Dispose();
        await chat.WhenIdleAsync(session);
        var messages = (await client.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{session}/messages"))!;
        var lastReply = messages.Last(m => m.GetProperty("role").GetString() == "assistant").GetProperty("id").GetGuid();
        (await client.PostAsync(new Uri($"/api/sessions/{session}/messages/{lastReply}/regenerate", UriKind.Relative), null)).Dispose();
        await chat.WhenIdleAsync(session);
        var all = (await client.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{session}/messages"))!;
        Assert.True(all.Length > messages.Length, "the regeneration added a branch");

        using var md = await client.GetAsync(new Uri($"/api/sessions/{session}/export?format=md", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, md.StatusCode);
        Assert.Equal("text/markdown", md.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", md.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("export-trip-plans.md", md.Content.Headers.ContentDisposition?.FileNameStar ?? md.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var markdown = await md.Content.ReadAsStringAsync();
        Assert.StartsWith("# Export: trip/plans\n", markdown, StringComparison.Ordinal);
        Assert.Contains("## User\n", markdown, StringComparison.Ordinal);
        Assert.Contains("hello export", markdown, StringComparison.Ordinal);
        Assert.Contains("Attached: packing.txt (text/plain, ", markdown, StringComparison.Ordinal);
        Assert.Contains("## Assistant", markdown, StringComparison.Ordinal);
        Assert.Contains("Tool call `current_time`", markdown, StringComparison.Ordinal);

        // Only the shown branch: the regenerated reply is shown, the one it replaced is not.
        var replaced = all.Single(m => m.GetProperty("id").GetGuid() == lastReply).GetProperty("text").GetString()!;
        var shown = all.Last().GetProperty("text").GetString()!;
        Assert.Contains(shown.Trim(), markdown, StringComparison.Ordinal);
        if (replaced.Trim() != shown.Trim())
        {
            Assert.DoesNotContain(replaced.Trim(), markdown, StringComparison.Ordinal);
        }

        using var json = await client.GetAsync(new Uri($"/api/sessions/{session}/export?format=json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", json.Content.Headers.ContentDisposition?.DispositionType);
        var text = await json.Content.ReadAsStringAsync();
        Assert.DoesNotContain("storagePath", text, StringComparison.OrdinalIgnoreCase);
        var document = JsonDocument.Parse(text).RootElement;
        Assert.Equal("personal-agent-chat.session.v1", document.GetProperty("format").GetString());
        Assert.Equal(session, document.GetProperty("session").GetProperty("id").GetGuid());
        var exported = document.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(all.Select(m => m.GetProperty("id").GetGuid()).Order(), exported.Select(m => m.GetProperty("id").GetGuid()).Order());
        Assert.Equal(
            all.ToDictionary(m => m.GetProperty("id").GetGuid(), m => m.GetProperty("parentId").ValueKind == JsonValueKind.Null ? (Guid?)null : m.GetProperty("parentId").GetGuid()),
            exported.ToDictionary(m => m.GetProperty("id").GetGuid(), m => m.GetProperty("parentId").ValueKind == JsonValueKind.Null ? (Guid?)null : m.GetProperty("parentId").GetGuid()));
        Assert.True(document.GetProperty("shownBranch").GetArrayLength() < exported.Count, "the shown branch is one of the branches");
        Assert.Contains(exported, m => m.GetProperty("parts").EnumerateArray().Any(p => p.GetProperty("type").GetString() == "tool_call" && p.GetProperty("toolName").GetString() == "current_time"));
        Assert.Contains(exported, m => m.GetProperty("parts").EnumerateArray().Any(p => p.GetProperty("type").GetString() == "tool_result"));
        Assert.Contains(exported, m => m.GetProperty("role").GetString() == "assistant" && m.GetProperty("usage").ValueKind == JsonValueKind.Object
            && m.GetProperty("usage").GetProperty("outputTokens").GetInt64() > 0);
        var attachment = Assert.Single(document.GetProperty("attachments").EnumerateArray());
        Assert.Equal(("packing.txt", "text/plain", (long)bytes.Length), (attachment.GetProperty("fileName").GetString(), attachment.GetProperty("contentType").GetString(), attachment.GetProperty("sizeBytes").GetInt64()));

        // Metadata only: no bytes, no text, no place on disk.
        Assert.Equal(["contentType", "createdAt", "fileName", "id", "messageId", "sizeBytes", "status"], attachment.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        foreach (var bad in new[] { "pdf", "", "MD5" })
        {
            using var refused = await client.GetAsync(new Uri($"/api/sessions/{session}/export?format={bad}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("format must be md or json", await ErrorAsync(refused), StringComparison.Ordinal);
        }

        using var missing = await client.GetAsync(new Uri($"/api/sessions/{Guid.NewGuid()}/export?format=md", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static async Task<Guid> CreateAsync(HttpClient client, string title)
    {
        using var created = await client.PostAsJsonAsync("/api/sessions", new { title });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<JsonElement> PatchAsync(HttpClient client, Guid session, object body)
    {
        using var response = await client.PatchAsJsonAsync(new Uri($"/api/sessions/{session}", UriKind.Relative), body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement;
    }

    private static async Task<Guid[]> IdsAsync(HttpClient client, string path) =>
        [.. (await client.GetFromJsonAsync<JsonElement[]>(path))!.Select(s => s.GetProperty("id").GetGuid())];

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") };
        return await client.SendAsync(request);
    }

    private static async Task<string> ErrorAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString() ?? "";
}
