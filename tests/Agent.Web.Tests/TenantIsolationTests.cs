using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Agent.Data;
using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Agent.Domain.Tools;
using Agent.Runtime.Chat;
using Agent.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Agent.Web.Tests;

/// <summary>
/// Tenants on the real host: two people in two tenants, each with a personal access token. Every resource of one is
/// asked for by the other, by id, for reading and writing: each request answers 404 (the corpus prints its count).
/// </summary>
public sealed class TenantIsolationTests(ITestOutputHelper output)
{
    private const string Password = "a long enough password";

    [Fact]
    public async Task Every_resource_of_another_tenant_answers_404_for_reads_and_writes()
    {
        await using var app = new AgentAppFactory();
        var alice = await PersonAsync(app, "alice", "acme", admin: false);
        var bob = await PersonAsync(app, "bob", "beta", admin: false);
        using var aliceClient = ClientWith(app, alice.Secret);
        using var bobClient = ClientWith(app, bob.Secret);

        // What alice owns: a session with a turn (messages and an execution), a long run, an artifact, a pending approval.
        using var created = await aliceClient.PostAsJsonAsync("/api/sessions", new { title = "acme plans" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var sessionId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var sent = await aliceClient.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { text = "acme secret plan" });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var turnExecution = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("executionId").GetGuid();
        await app.Services.GetRequiredService<ChatCoordinator>().WhenIdleAsync(sessionId);
        var messages = await aliceClient.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{sessionId}/messages");
        var replyId = messages!.Single(m => m.GetProperty("role").GetString() == "assistant").GetProperty("id").GetGuid();

        using var run = await aliceClient.PostAsJsonAsync("/api/execution", new { intent = "demo_long_task", metadata = new { steps = "1000", stepMs = "1000" } });
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        var runId = (await run.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("executionId").GetGuid();

        var now = DateTimeOffset.UtcNow;
        var artifactId = Guid.NewGuid();
        await app.Services.GetRequiredService<IArtifactStore>().AddAsync(
            new Artifact(artifactId, "test.note", "acme", "demo_long_task", runId, ArtifactLifecycle.Ready, "acme's note", [], [], now, now), CancellationToken.None);
        var approvalId = Guid.NewGuid();
        await app.Services.GetRequiredService<IToolApprovalStore>().SaveAsync(
            new ToolApprovalRequest(approvalId, "acme", sessionId, null, "call-1", "workspace_write", "{}", "writes a file", now), CancellationToken.None);
        var aliceTokenId = alice.Token.Id;

        // The kinds added with memory, context and teams: a remembered fact and a checkpoint of alice's.
        using var remembered = await aliceClient.PostAsJsonAsync("/api/memory", new { tier = "archival", content = "acme keeps its launch date in March" });
        Assert.True(remembered.IsSuccessStatusCode, await remembered.Content.ReadAsStringAsync());
        var memoryId = (await remembered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var saved = await aliceClient.PostAsJsonAsync($"/api/sessions/{sessionId}/checkpoints", new { label = "acme checkpoint" });
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        var checkpointId = (await saved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var corpus = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, $"/api/sessions/{sessionId}/messages", null),
            (HttpMethod.Post, $"/api/sessions/{sessionId}/messages", new { text = "from beta" }),
            (HttpMethod.Post, $"/api/sessions/{sessionId}/messages/{replyId}/regenerate", null),
            (HttpMethod.Post, $"/api/sessions/{sessionId}/messages/{replyId}/continue", null),
            (HttpMethod.Post, $"/api/sessions/{sessionId}/stop", null),
            (HttpMethod.Get, $"/api/execution/{turnExecution}/status", null),
            (HttpMethod.Get, $"/api/execution/{turnExecution}/events", null),
            (HttpMethod.Get, $"/api/execution/{runId}/status", null),
            (HttpMethod.Get, $"/api/execution/{runId}/events", null),
            (HttpMethod.Post, $"/api/execution/{runId}/cancel", null),
            (HttpMethod.Post, $"/api/execution/{turnExecution}/retry", null),
            (HttpMethod.Post, "/api/artifact/resolve", new { id = artifactId }),
            (HttpMethod.Post, $"/api/tools/approvals/{approvalId}/approve", null),
            (HttpMethod.Post, $"/api/tools/approvals/{approvalId}/deny", new { reason = "not yours" }),
            (HttpMethod.Delete, $"/api/access-tokens/{aliceTokenId}", null),
            (HttpMethod.Put, $"/api/memory/{memoryId}", new { content = "from beta" }),
            (HttpMethod.Delete, $"/api/memory/{memoryId}", null),
            (HttpMethod.Post, $"/api/memory/{memoryId}/pin", null),
            (HttpMethod.Post, $"/api/memory/{memoryId}/unpin", null),
            (HttpMethod.Get, $"/api/sessions/{sessionId}/checkpoints", null),
            (HttpMethod.Post, $"/api/sessions/{sessionId}/checkpoints/{checkpointId}/rewind", null),
            (HttpMethod.Post, $"/api/sessions/{sessionId}/checkpoints/{checkpointId}/fork", null),
            (HttpMethod.Get, $"/api/sessions/{sessionId}/context", null),
            (HttpMethod.Get, $"/api/execution/{turnExecution}/context", null),
            (HttpMethod.Get, $"/api/execution/{turnExecution}/trace", null),
            (HttpMethod.Get, $"/api/execution/{turnExecution}/tree", null),
            (HttpMethod.Get, $"/api/sessions/{sessionId}/attachments", null),
            (HttpMethod.Get, $"/api/sessions/{sessionId}/team", null),
            (HttpMethod.Patch, $"/api/sessions/{sessionId}", new { teamId = "default" }),
            (HttpMethod.Patch, $"/api/sessions/{sessionId}", new { title = "from beta", pinned = true, archived = true }),
            (HttpMethod.Delete, $"/api/sessions/{sessionId}", null),
            (HttpMethod.Post, $"/api/sessions/{sessionId}/restore", null),
            (HttpMethod.Get, $"/api/sessions/{sessionId}/export?format=json", null),
            (HttpMethod.Get, $"/api/sessions/{sessionId}/settings", null),
            (HttpMethod.Patch, $"/api/sessions/{sessionId}", new { systemPrompt = "from beta", temperature = 0.5 }),
        };

        var answered404 = 0;
        foreach (var (method, path, body) in corpus)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await bobClient.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered {(int)response.StatusCode}: {text}");
            Assert.DoesNotContain("acme secret plan", text, StringComparison.Ordinal);
            answered404++;
        }

        // Lists never show the other tenant's items.
        var lists = new[] { "/api/sessions", "/api/sessions?q=acme", "/api/execution", "/api/tools/approvals", "/api/access-tokens", "/api/tokens?groupBy=session", "/api/memory", "/api/memory?q=launch", "/api/team/runs" };
        foreach (var path in lists)
        {
            var text = await bobClient.GetStringAsync(path);
            Assert.DoesNotContain(sessionId.ToString(), text, StringComparison.Ordinal);
            Assert.DoesNotContain(runId.ToString(), text, StringComparison.Ordinal);
            Assert.DoesNotContain(approvalId.ToString(), text, StringComparison.Ordinal);
            Assert.DoesNotContain(aliceTokenId.ToString(), text, StringComparison.Ordinal);
            Assert.DoesNotContain("acme", text, StringComparison.Ordinal);
        }

        using var artifactList = await bobClient.PostAsJsonAsync("/api/artifact/list", new { });
        Assert.DoesNotContain(artifactId.ToString(), await artifactList.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A signed-in caller cannot switch tenant with the header the loopback owner may use.
        using var headerSwitch = new HttpRequestMessage(HttpMethod.Get, $"/api/execution/{runId}/status");
        headerSwitch.Headers.Add("X-Tenant-Id", "acme");
        using var switched = await bobClient.SendAsync(headerSwitch);
        Assert.Equal(HttpStatusCode.BadRequest, switched.StatusCode);

        // Nothing of alice's changed, and she still sees all of it.
        Assert.Equal(2, (await aliceClient.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{sessionId}/messages"))!.Length);
        // The worker may not have picked the run up yet: queued or running, but never cancelled by bob's request.
        var runBody = await aliceClient.GetFromJsonAsync<JsonElement>($"/api/execution/{runId}/status");
        var runStatus = $"{runBody.GetProperty("status").GetString()}/{runBody.GetProperty("subStatus").GetString()}";
        Assert.Contains(runStatus, new[] { "created/queued", "running/" });
        Assert.Contains(approvalId.ToString(), await aliceClient.GetStringAsync("/api/tools/approvals"), StringComparison.Ordinal);
        using var resolved = await aliceClient.PostAsJsonAsync("/api/artifact/resolve", new { id = artifactId });
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        using var cancel = await aliceClient.PostAsync(new Uri($"/api/execution/{runId}/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);

        output.WriteLine($"cross-tenant corpus: {corpus.Length} requests by id, {answered404} answered 404, {corpus.Length - answered404} leaked; {lists.Length + 1} lists without the other tenant's items");
    }

    [Fact]
    public async Task Execution_requests_carrying_another_tenants_ids_answer_404_for_every_intent_and_nothing_runs()
    {
        await using var app = new AgentAppFactory();
        var alice = await PersonAsync(app, "alice", "acme", admin: false);
        var bob = await PersonAsync(app, "bob", "beta", admin: false);
        using var aliceClient = ClientWith(app, alice.Secret);
        using var bobClient = ClientWith(app, bob.Secret);

        // What alice owns, one id of every kind an execution request can carry.
        using var created = await aliceClient.PostAsJsonAsync("/api/sessions", new { title = "acme plans" });
        var sessionId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var sent = await aliceClient.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { text = "acme secret plan" });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var turnExecution = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("executionId").GetGuid();
        await app.Services.GetRequiredService<ChatCoordinator>().WhenIdleAsync(sessionId);
        var replyId = (await aliceClient.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{sessionId}/messages"))!
            .Single(m => m.GetProperty("role").GetString() == "assistant").GetProperty("id").GetGuid();
        using var form = new MultipartFormDataContent { { new ByteArrayContent("acme notes"u8.ToArray()), "file", "notes.txt" } };
        using var uploaded = await aliceClient.PostAsync(new Uri($"/api/sessions/{sessionId}/attachments", UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.Accepted, uploaded.StatusCode);
        var attachmentId = (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("attachment").GetProperty("id").GetGuid();
        var now = DateTimeOffset.UtcNow;
        var artifactId = Guid.NewGuid();
        await app.Services.GetRequiredService<IArtifactStore>().AddAsync(
            new Artifact(artifactId, "test.note", "acme", "send_message", turnExecution, ArtifactLifecycle.Ready, "acme's note", [], [], now, now), CancellationToken.None);
        var taskId = Guid.NewGuid();
        await app.Services.GetRequiredService<ITeamTaskStore>().AddAsync(new Agent.Domain.Teams.TeamTask
        {
            Id = taskId,
            TenantId = "acme",
            SessionId = sessionId,
            RootExecutionId = turnExecution,
            ParentExecutionId = turnExecution,
            ReplyMessageId = replyId,
            CallId = "call-1",
            TeamId = "default",
            AgentId = "coder",
            AgentName = "Coder",
            Task = "acme task",
            Depth = 1,
            CreatedAt = now,
            UpdatedAt = now,
        }, CancellationToken.None);
        var aliceIds = new Dictionary<OwnedIdKind, Guid>
        {
            [OwnedIdKind.Session] = sessionId,
            [OwnedIdKind.Message] = replyId,
            [OwnedIdKind.Execution] = turnExecution,
            [OwnedIdKind.Artifact] = artifactId,
            [OwnedIdKind.Attachment] = attachmentId,
            [OwnedIdKind.TeamTask] = taskId,
        };

        var messagesBefore = await aliceClient.GetStringAsync($"/api/sessions/{sessionId}/messages");
        var aliceRunsBefore = (await aliceClient.GetFromJsonAsync<JsonElement[]>("/api/execution"))!.Length;

        // Every registered intent, with alice's session and with each id key it (or every intent) carries.
        var requests = 0;
        var answered404 = 0;
        var answered400 = 0;
        var intents = app.Services.GetRequiredService<Agent.Runtime.Runtime.ExecutionRuntime>().Intents.All;
        foreach (var intent in intents)
        {
            var cases = new List<(Guid? Session, string? Key, OwnedIdKind Kind)> { (sessionId, null, OwnedIdKind.Session) };
            cases.AddRange(intent.Metadata.OwnedIdKeys.Select(k => ((Guid?)null, (string?)k.Key, k.Kind)));
            foreach (var (session, key, kind) in cases)
            {
                var id = aliceIds[kind];
                var metadata = key is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [key] = id.ToString() };
                using var response = await bobClient.PostAsJsonAsync("/api/execution", new { intent = intent.IntentType, sessionId = session, metadata });
                var text = await response.Content.ReadAsStringAsync();
                requests++;
                Assert.DoesNotContain("acme", text, StringComparison.Ordinal);
                var error = JsonDocument.Parse(text).RootElement.GetProperty("error").GetString();
                if (key == Agent.Runtime.Runtime.ExecutionRuntime.ParentExecutionKey)
                {
                    // The route already refuses the reserved key; the runtime would refuse alice's id as well (see the runtime test).
                    Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{intent.IntentType} {key} answered {(int)response.StatusCode}: {text}");
                    answered400++;
                    continue;
                }

                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{intent.IntentType} {key ?? "sessionId"} answered {(int)response.StatusCode}: {text}");
                Assert.Equal($"{OwnedIdKey.Describe(kind)} {id} does not exist", error);
                answered404++;
            }
        }

        // An unknown id reads exactly like alice's.
        var unknown = Guid.NewGuid();
        using (var unknownSession = await bobClient.PostAsJsonAsync("/api/execution", new { intent = "send_message", sessionId = unknown }))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknownSession.StatusCode);
            Assert.Equal($"session {unknown} does not exist", (await unknownSession.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        }

        // Nothing ran: bob has no execution, alice's messages are as they were and she has no new execution.
        Assert.Empty((await bobClient.GetFromJsonAsync<JsonElement[]>("/api/execution"))!);
        Assert.Equal(messagesBefore, await aliceClient.GetStringAsync($"/api/sessions/{sessionId}/messages"));
        Assert.Equal(aliceRunsBefore, (await aliceClient.GetFromJsonAsync<JsonElement[]>("/api/execution"))!.Length);

        output.WriteLine($"cross-tenant execution corpus: {intents.Count} intents, {requests} requests carrying acme's ids, {answered404} answered 404, {answered400} answered 400 (reserved key), {requests - answered404 - answered400} accepted; beta has 0 executions");
    }

    [Fact]
    public async Task A_revoked_token_is_refused_at_once_and_the_secret_is_stored_only_as_a_hash()
    {
        await using var app = new AgentAppFactory();
        var carol = await PersonAsync(app, "carol", "gamma", admin: false);
        using var client = ClientWith(app, carol.Secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/sessions", UriKind.Relative))).StatusCode);

        using var revoke = await client.DeleteAsync(new Uri($"/api/access-tokens/{carol.Token.Id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        using var after = await client.GetAsync(new Uri("/api/sessions", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("unknown or revoked", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var file = await File.ReadAllBytesAsync(app.DatabasePath);
        var wal = File.Exists(app.DatabasePath + "-wal") ? await File.ReadAllBytesAsync(app.DatabasePath + "-wal") : [];
        var secretBytes = System.Text.Encoding.UTF8.GetBytes(carol.Secret);
        Assert.Equal(-1, file.AsSpan().IndexOf(secretBytes));
        Assert.Equal(-1, wal.AsSpan().IndexOf(secretBytes));
    }

    [Fact]
    public async Task Creating_a_token_over_the_api_shows_the_secret_once_and_lists_only_its_prefix()
    {
        await using var app = new AgentAppFactory();
        var dave = await PersonAsync(app, "dave", "delta", admin: false);
        using var client = ClientWith(app, dave.Secret);

        using var blank = await client.PostAsJsonAsync("/api/access-tokens", new { name = " " });
        Assert.Equal(HttpStatusCode.BadRequest, blank.StatusCode);
        Assert.Contains("name is required", await blank.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var created = await client.PostAsJsonAsync("/api/access-tokens", new { name = "ci" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var secret = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        using var second = ClientWith(app, secret);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync(new Uri("/api/sessions", UriKind.Relative))).StatusCode);
        var listed = await client.GetStringAsync("/api/access-tokens");
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        Assert.Contains(secret[..12], listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_member_cannot_change_MCP_servers_tool_settings_or_test_providers_and_an_administrator_can()
    {
        // The server is on loopback: an administrator who is not the owner imports it only inside Agent:Mcp:AllowedNetworks.
        await using var app = new AgentAppFactory().WithSetting("Agent:Mcp:AllowedNetworks:0", "127.0.0.0/8");
        var member = await PersonAsync(app, "erin", "epsilon", admin: false);
        var admin = await PersonAsync(app, "frank", "epsilon", admin: true);
        using var memberClient = ClientWith(app, member.Secret);
        using var adminClient = ClientWith(app, admin.Secret);
        const string config = """{"mcpServers":{"demo":{"url":"http://127.0.0.1:9/mcp"}}}""";

        using var refused = await memberClient.PostAsync(new Uri("/api/mcp/import", UriKind.Relative), Json(config));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("administrator", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var test = await memberClient.PostAsync(new Uri("/api/providers/deterministic/test", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Forbidden, test.StatusCode);
        using var setting = await memberClient.PutAsJsonAsync(new Uri("/api/tools/calculator/setting", UriKind.Relative), new { approval = "off" });
        Assert.Equal(HttpStatusCode.Forbidden, setting.StatusCode);
        using var adminSetting = await adminClient.PutAsJsonAsync(new Uri("/api/tools/calculator/setting", UriKind.Relative), new { approval = "off" });
        Assert.Equal(HttpStatusCode.OK, adminSetting.StatusCode);

        using var imported = await adminClient.PostAsync(new Uri("/api/mcp/import", UriKind.Relative), Json(config));
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
    }

    [Fact]
    public async Task Another_tenants_MCP_server_answers_404_and_its_tools_are_neither_listed_nor_callable()
    {
        // Administrators of two tenants (only administrators import servers); "notes" is a real stdio MCP server process.
        await using var app = new AgentAppFactory()
            .WithSetting("Agent:Tools:Approvals:notes__echo", "always")
            .WithSetting("Agent:McpServers:shared:Url", "http://127.0.0.1:9/mcp")
            .WithSetting("Agent:McpServers:shared:Enabled", "false");
        var alice = await PersonAsync(app, "alice", "acme", admin: true);
        var bob = await PersonAsync(app, "bob", "beta", admin: true);
        using var aliceClient = ClientWith(app, alice.Secret);
        using var bobClient = ClientWith(app, bob.Secret);
        var everything = Path.Combine(RepoPaths.Root, "tests", "mcp-servers", "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");
        var notes = JsonSerializer.Serialize(new { mcpServers = new { notes = new { command = "node", args = new[] { everything, "stdio" } } } });
        using (var imported = await aliceClient.PostAsync(new Uri("/api/mcp/import", UriKind.Relative), Json(notes)))
        {
            Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        }

        using (var confirmed = await aliceClient.PostAsync(new Uri("/api/mcp/notes/confirm", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        }

        await WaitForAsync(aliceClient, "/api/tools", text => text.Contains("\"notes__echo\"", StringComparison.Ordinal));

        var corpus = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Post, "/api/mcp/notes/confirm"),
            (HttpMethod.Post, "/api/mcp/notes/restart"),
            (HttpMethod.Post, "/api/mcp/notes/enabled/false"),
            (HttpMethod.Post, "/api/mcp/notes/enabled/true"),
            (HttpMethod.Delete, "/api/mcp/notes"),
        };
        var answered404 = 0;
        foreach (var (method, path) in corpus)
        {
            using var response = await bobClient.SendAsync(new HttpRequestMessage(method, path));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            Assert.Contains("no MCP server named 'notes'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            answered404++;
        }

        var lists = new[] { "/api/mcp", "/api/tools", "/api/bootstrap" };
        foreach (var path in lists)
        {
            var text = await bobClient.GetStringAsync(path);
            Assert.DoesNotContain("notes", text, StringComparison.Ordinal);
            Assert.DoesNotContain(everything, text, StringComparison.Ordinal);
        }

        // Bob's model asks for alice's tool by name: refused as an unknown tool, and alice's server saw no call.
        var bobReply = await ReplyAsync(app, bobClient, """/tool notes__echo {"message":"from beta"}""");
        Assert.Contains("There is no tool named 'notes__echo'", bobReply, StringComparison.Ordinal);
        Assert.DoesNotContain("Echo: from beta", bobReply, StringComparison.Ordinal);

        // The same name in bob's tenant is his own server, beside alice's, without touching hers.
        var bobNotes = JsonSerializer.Serialize(new { mcpServers = new { notes = new { command = "node", args = new[] { everything, "stdio" } } } });
        using (var imported = await bobClient.PostAsync(new Uri("/api/mcp/import", UriKind.Relative), Json(bobNotes)))
        {
            Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        }

        var bobServers = await ServerStatesAsync(bobClient);
        Assert.Equal(new Dictionary<string, string> { ["notes"] = "AwaitingConfirmation", ["shared"] = "Disabled" }, bobServers);
        Assert.DoesNotContain("notes__echo", await bobClient.GetStringAsync("/api/tools"), StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, string> { ["notes"] = "Ready", ["shared"] = "Disabled" }, await ServerStatesAsync(aliceClient));

        // Alice's own turn calls her tool through her server.
        var aliceReply = await ReplyAsync(app, aliceClient, """/tool notes__echo {"message":"from acme"}""");
        Assert.Contains("Echo: from acme", aliceReply, StringComparison.Ordinal);

        // An import may not take the name of an install-wide (appsettings) server, which every tenant sees.
        using (var taken = await bobClient.PostAsync(new Uri("/api/mcp/import", UriKind.Relative), Json("""{"mcpServers":{"shared":{"url":"http://127.0.0.1:9/other"}}}""")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, taken.StatusCode);
            Assert.Contains("install-wide", (await taken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        // Alice removes her import (an appsettings server cannot be removed that way); bob's server of the same name stays.
        using (var removeShared = await aliceClient.DeleteAsync(new Uri("/api/mcp/shared", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, removeShared.StatusCode);
            Assert.Contains("appsettings", (await removeShared.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        using (var removed = await aliceClient.DeleteAsync(new Uri("/api/mcp/notes", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        Assert.DoesNotContain("notes__echo", await aliceClient.GetStringAsync("/api/tools"), StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, string> { ["shared"] = "Disabled" }, await ServerStatesAsync(aliceClient));
        Assert.Equal(new Dictionary<string, string> { ["notes"] = "AwaitingConfirmation", ["shared"] = "Disabled" }, await ServerStatesAsync(bobClient));

        output.WriteLine($"cross-tenant MCP corpus: {corpus.Length} requests on another tenant's server, {answered404} answered 404, {corpus.Length - answered404} leaked; {lists.Length} lists without its server or tools; 1 call of its tool refused as unknown");
    }

    private static async Task<Dictionary<string, string>> ServerStatesAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement[]>("/api/mcp"))!.ToDictionary(s => s.GetProperty("spec").GetProperty("name").GetString()!, s => s.GetProperty("state").GetString()!);

    private static async Task<string> ReplyAsync(AgentAppFactory app, HttpClient client, string text)
    {
        using var created = await client.PostAsJsonAsync("/api/sessions", new { title = "mcp" });
        var sessionId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var sent = await client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { text });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        await app.Services.GetRequiredService<ChatCoordinator>().WhenIdleAsync(sessionId);
        return await client.GetStringAsync($"/api/sessions/{sessionId}/messages?skip=0&take=50");
    }

    private static async Task WaitForAsync(HttpClient client, string path, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var text = await client.GetStringAsync(path);
        while (!done(text))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{path} did not reach the expected state in time: {text}");
            await Task.Delay(200);
            text = await client.GetStringAsync(path);
        }
    }

    [Fact]
    public async Task Lockout_after_the_configured_failed_attempts_even_with_the_right_password()
    {
        await using var app = new AgentAppFactory();
        await PersonAsync(app, "gina", "eta", admin: false);
        await using var scope = app.Services.CreateAsyncScope();
        var signIn = scope.ServiceProvider.GetRequiredService<SignInService>();

        Assert.Equal(SignInOutcome.Succeeded, (await signIn.CheckPasswordAsync("gina", Password, CancellationToken.None)).Outcome);
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var wrong = await signIn.CheckPasswordAsync("gina", "wrong password " + attempt, CancellationToken.None);
            Assert.Equal(SignInOutcome.Failed, wrong.Outcome);
            Assert.Null(wrong.Ticket);
        }

        var fifth = await signIn.CheckPasswordAsync("gina", "wrong password 5", CancellationToken.None);
        Assert.Equal(SignInOutcome.LockedOut, fifth.Outcome);
        var right = await signIn.CheckPasswordAsync("gina", Password, CancellationToken.None);
        Assert.Equal(SignInOutcome.LockedOut, right.Outcome);
        Assert.Null(right.Ticket);
        Assert.Contains("locked for 15 more minute", right.Message, StringComparison.Ordinal);

        // An unknown user gets the same answer as a wrong password.
        Assert.Equal("The user name or password is wrong.", (await signIn.CheckPasswordAsync("nobody", Password, CancellationToken.None)).Message);
    }

    [Fact]
    public async Task A_sign_in_ticket_sets_the_session_cookie_once_redeemed_and_a_forged_one_does_not()
    {
        await using var app = new AgentAppFactory();
        await PersonAsync(app, "hana", "theta", admin: false);
        string ticket;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            ticket = (await scope.ServiceProvider.GetRequiredService<SignInService>().CheckPasswordAsync("hana", Password, CancellationToken.None)).Ticket!;
        }

        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var forged = await client.GetAsync(new Uri("/account/complete-signin?ticket=forged&returnUrl=/", UriKind.Relative));
        Assert.Equal("/signin?error=expired", forged.Headers.Location?.ToString());
        Assert.False(forged.Headers.Contains("Set-Cookie"));

        using var redeemed = await client.GetAsync(new Uri($"/account/complete-signin?ticket={Uri.EscapeDataString(ticket)}&returnUrl=https://evil.example/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, redeemed.StatusCode);
        Assert.Equal("/", redeemed.Headers.Location?.ToString());
        var cookie = redeemed.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(SecuritySetup.SessionCookie, StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Each_tenant_has_its_own_workspace_folder()
    {
        var folder = Directory.CreateTempSubdirectory("agent-tenant-ws").FullName;
        await using var app = new AgentAppFactory().WithSetting("Agent:Tools:WorkspaceFolder", Path.Combine(folder, "workspace"));
        var registry = app.Services.GetRequiredService<Agent.Runtime.Tools.ToolRegistry>();
        var acme = registry.WorkspaceFor("acme");
        var beta = registry.WorkspaceFor("beta");
        var local = registry.WorkspaceFor("local");

        await acme.WriteAsync("plan.txt", "acme plan", CancellationToken.None);
        Assert.Equal(Path.Combine(folder, "workspace"), local.Root);
        Assert.Empty(beta.List("."));
        Assert.Empty(local.List("."));
        await Assert.ThrowsAsync<Agent.Runtime.Tools.ToolException>(() => beta.ReadAsync("../acme/plan.txt", CancellationToken.None));
        await Assert.ThrowsAsync<Agent.Runtime.Tools.ToolException>(() => local.ReadAsync("../workspace.tenants/acme/plan.txt", CancellationToken.None));
        Assert.Throws<ArgumentException>(() => registry.WorkspaceFor(".."));
        Directory.Delete(folder, recursive: true);
    }

    internal static async Task<CreatedAccessToken> PersonAsync(AgentAppFactory app, string name, string tenant, bool admin)
    {
        await app.Services.GetRequiredService<AgentDatabase>().InitializeAsync(CancellationToken.None);
        await app.Services.GetRequiredService<AgentDatabase>().EnsureTenantAsync(tenant, CancellationToken.None);
        await using var scope = app.Services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AgentUser>>();
        var role = admin ? AgentClaims.Administrator : AgentClaims.Member;
        if (!await roles.RoleExistsAsync(role))
        {
            await roles.CreateAsync(new IdentityRole(role));
        }

        var user = new AgentUser { UserName = name, TenantId = tenant };
        var result = await users.CreateAsync(user, Password);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        await users.AddToRoleAsync(user, role);
        return await app.Services.GetRequiredService<AccessTokenService>().CreateAsync(tenant, user.Id, name + "'s token", CancellationToken.None);
    }

    /// <summary>A JSON body as a script sends it: the API takes no other type.</summary>
    internal static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    internal static HttpClient ClientWith(AgentAppFactory app, string secret)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }
}
