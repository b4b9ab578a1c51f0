using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Agent.Domain.Memory;
using Agent.Domain.Storage;
using Agent.ProviderEmulator;
using Agent.Runtime.Memories;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Providers.Tests;

/// <summary>
/// Delegation end to end on the real host: the emulator's tool-call scenario scripts ask_agent calls ([ask:AGENT:TASK]),
/// members run as run_team_task child executions against the same emulator, and the tree API shows the run.
/// </summary>
public sealed class TeamDelegationTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Coordinator_asks_two_members_in_parallel_and_quotes_their_answers_and_the_tree_shows_the_run()
    {
        using var app = TeamHost(fixture.Server);
        using var http = app.CreateClient();
        var session = await CreateTeamSessionAsync(http);
        var marker = Guid.NewGuid().ToString("N");

        var turn = await SendAsync(http, session, $"Plan it {marker} [scenario:tool-call] [ask:coder:Write hello {marker}] [ask:concise:Sum up {marker}]");
        var reply = await WaitForReplyAsync(http, session, turn.AssistantMessageId);

        Assert.Equal("complete", reply.GetProperty("status").GetString());
        var text = reply.GetProperty("text").GetString()!;
        Assert.Contains("The tools answered:", text, StringComparison.Ordinal);
        Assert.Contains($"You said: Write hello {marker}", text, StringComparison.Ordinal);
        Assert.Contains($"You said: Sum up {marker}", text, StringComparison.Ordinal);

        using var tree = await TreeAsync(http, turn.ExecutionId);
        var root = tree.RootElement;
        Assert.Equal("send_message", root.GetProperty("intent").GetString());
        Assert.Equal("assistant", root.GetProperty("agent").GetString());
        var children = root.GetProperty("children").EnumerateArray().ToList();
        Assert.Equal(2, children.Count);
        Assert.All(children, c =>
        {
            Assert.Equal("run_team_task", c.GetProperty("intent").GetString());
            Assert.Equal("Completed", c.GetProperty("status").GetString());
            Assert.True(c.GetProperty("tokens").GetInt64() > 0);
            Assert.True(c.GetProperty("durationMs").GetDouble() >= 0);
            Assert.Empty(c.GetProperty("children").EnumerateArray());
        });
        Assert.Equal<string>(["coder", "concise"], children.Select(c => c.GetProperty("agent").GetString()!).Order().ToArray());

        // Each member ran with its own system prompt on its task alone (the chat's message reaches it only as recalled
        // memory of its session scope), and both calls came in one model response.
        var memberRequests = fixture.Server.Requests.All().Where(r => r.Body.Contains("Another agent handed you", StringComparison.Ordinal) && r.Body.Contains(marker, StringComparison.Ordinal)).ToList();
        Assert.Contains(memberRequests, r => r.Body.Contains("careful software engineer", StringComparison.Ordinal) && r.Body.Contains($"Write hello {marker}", StringComparison.Ordinal));
        Assert.Contains(memberRequests, r => r.Body.Contains("Answer briefly", StringComparison.Ordinal) && r.Body.Contains($"Sum up {marker}", StringComparison.Ordinal));
        foreach (var request in memberRequests)
        {
            using var body = JsonDocument.Parse(request.Body);
            var sent = body.RootElement.GetProperty("messages").EnumerateArray().ToList();
            Assert.Contains("Another agent handed you", sent[0].GetProperty("content").GetString(), StringComparison.Ordinal);
            var userMessage = Assert.Single(sent, m => m.GetProperty("role").GetString() == "user");
            Assert.DoesNotContain("Plan it", userMessage.GetProperty("content").GetString(), StringComparison.Ordinal);
        }

        // The member's messages are stored and readable.
        using var task = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/team/tasks/{children[0].GetProperty("taskId").GetGuid()}", UriKind.Relative)));
        Assert.Contains("Hello from the provider emulator", task.RootElement.GetProperty("result").GetString(), StringComparison.Ordinal);
        Assert.NotEmpty(task.RootElement.GetProperty("parts").EnumerateArray());
    }

    [Fact]
    public async Task Members_delegate_only_down_to_the_depth_limit()
    {
        using var app = TeamHost(fixture.Server);
        using var http = app.CreateClient();
        var session = await CreateTeamSessionAsync(http);
        var marker = Guid.NewGuid().ToString("N");

        // Depth 2 (default): the coder asks concise in turn; the tree has a grandchild.
        var turn = await SendAsync(http, session, $"Deep {marker} [scenario:tool-call] [ask:coder:Delegate {marker} {{scenario:tool-call}}{{ask:concise:Inner {marker}}}]");
        await WaitForReplyAsync(http, session, turn.AssistantMessageId);
        using var tree = await TreeAsync(http, turn.ExecutionId);
        var coder = Assert.Single(tree.RootElement.GetProperty("children").EnumerateArray());
        var concise = Assert.Single(coder.GetProperty("children").EnumerateArray());
        Assert.Equal("concise", concise.GetProperty("agent").GetString());
        Assert.Equal(2, concise.GetProperty("depth").GetInt32());
        Assert.Equal("Completed", concise.GetProperty("status").GetString());

        // The concise member is at the depth limit: it is not offered ask_agent at all.
        var innerRequest = fixture.Server.Requests.All().Single(r => r.Body.Contains($"Inner {marker}", StringComparison.Ordinal) && r.Body.Contains("Answer briefly", StringComparison.Ordinal));
        Assert.DoesNotContain("ask_agent", innerRequest.Body, StringComparison.Ordinal);
        var coderRequest = fixture.Server.Requests.All().First(r => r.Body.Contains($"Delegate {marker}", StringComparison.Ordinal) && r.Body.Contains("careful software engineer", StringComparison.Ordinal));
        Assert.Contains("ask_agent", coderRequest.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_member_over_its_token_or_step_limit_stops_and_the_coordinator_gets_the_reason()
    {
        using var app = TeamHost(fixture.Server, new() { ["Agent:Teams:0:Limits:MaxTokensPerTask"] = "5", ["Agent:Teams:0:Limits:MaxSteps"] = "1" });
        using var http = app.CreateClient();
        var session = await CreateTeamSessionAsync(http);
        var marker = Guid.NewGuid().ToString("N");

        var turn = await SendAsync(http, session, $"Limits {marker} [scenario:tool-call] [ask:coder:A long task with many words so the input alone is over five tokens {marker}]");
        var reply = await WaitForReplyAsync(http, session, turn.AssistantMessageId);
        Assert.Contains("did not finish: Stopped: this task used more than its limit of 5 tokens", reply.GetProperty("text").GetString(), StringComparison.Ordinal);
        using var tree = await TreeAsync(http, turn.ExecutionId);
        Assert.Equal("Failed", Assert.Single(tree.RootElement.GetProperty("children").EnumerateArray()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Stopping_a_branch_cancels_the_member_and_the_coordinator_goes_on_and_stopping_the_turn_cancels_every_member()
    {
        using var app = TeamHost(fixture.Server);
        using var http = app.CreateClient();
        var session = await CreateTeamSessionAsync(http);
        var marker = Guid.NewGuid().ToString("N");

        // Stop one branch: the coordinator's ask_agent result says the member was stopped, and the turn completes.
        var turn = await SendAsync(http, session, $"Branch {marker} [scenario:tool-call] [ask:coder:Count {marker} {{scenario:long}}{{delay:100}}]");
        var child = await WaitForChildAsync(http, turn.ExecutionId, "Running");
        using (var cancel = await http.PostAsync(new Uri($"/api/execution/{child}/cancel", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        var reply = await WaitForReplyAsync(http, session, turn.AssistantMessageId);
        Assert.Equal("complete", reply.GetProperty("status").GetString());
        Assert.Contains("Coder was stopped before finishing", reply.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("cancelled", await StatusAsync(http, child));

        // Stop the whole turn: cancellation reaches the member and the member's own member.
        var second = await SendAsync(http, session, $"Whole {marker} [scenario:tool-call] [ask:coder:Nest {marker} {{scenario:tool-call}}{{ask:concise:Slow {marker} {{scenario:long}}{{delay:100}}}}]");
        var grandchild = await WaitForGrandchildAsync(http, second.ExecutionId);
        using (var stop = await http.PostAsync(new Uri($"/api/sessions/{session}/stop", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }

        await WaitForReplyAsync(http, session, second.AssistantMessageId);
        using var tree = await WaitForTreeAsync(http, second.ExecutionId, t => t.RootElement.GetProperty("status").GetString() == "Cancelled"
            && t.RootElement.GetProperty("children")[0].GetProperty("status").GetString() == "Cancelled"
            && t.RootElement.GetProperty("children")[0].GetProperty("children")[0].GetProperty("status").GetString() == "Cancelled");
        Assert.Equal(grandchild, tree.RootElement.GetProperty("children")[0].GetProperty("children")[0].GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Asked_for_approval_ask_agent_waits_and_the_members_own_call_surfaces_on_the_chat_reply()
    {
        // Manual mode: every call asks, ask_agent included (as it does when set to ask), and so does the member's own tool call.
        using var app = TeamHost(fixture.Server, new() { ["Agent:Tools:Mode"] = "manual" });
        using var http = app.CreateClient();
        var session = await CreateTeamSessionAsync(http);
        var marker = Guid.NewGuid().ToString("N");

        var turn = await SendAsync(http, session, $"Approve {marker} [scenario:tool-call] [ask:coder:Check the time {marker} {{scenario:tool-call}}]");
        var askApproval = await WaitForApprovalAsync(http, session, a => a.GetProperty("toolName").GetString() == "ask_agent");
        Assert.Equal("call_ask_1", askApproval.GetProperty("callId").GetString());
        using (var tree = await TreeAsync(http, turn.ExecutionId))
        {
            Assert.Empty(tree.RootElement.GetProperty("children").EnumerateArray());
        }

        await ApproveAsync(http, askApproval);
        var memberApproval = await WaitForApprovalAsync(http, session, a => a.GetProperty("toolName").GetString() != "ask_agent");
        var memberCallId = memberApproval.GetProperty("callId").GetString()!;
        Assert.Matches("^[0-9a-f]{8}-call_emu_1$", memberCallId); // scoped, so it cannot collide with the coordinator's call ids

        // The member's call shows on the chat reply, where the person approves it like any other call.
        var reply = await app.Services.GetRequiredService<Agent.Domain.Storage.IMessageStore>().FindAsync("local", turn.AssistantMessageId, CancellationToken.None);
        var card = Assert.Single(reply!.Parts.OfType<Agent.Domain.Sessions.ToolCallPart>(), p => p.CallId == memberCallId);
        Assert.StartsWith("Coder › ", card.ToolName, StringComparison.Ordinal);

        await ApproveAsync(http, memberApproval);
        var done = await WaitForReplyAsync(http, session, turn.AssistantMessageId);
        Assert.Equal("complete", done.GetProperty("status").GetString());
        Assert.Contains("The tools answered:", done.GetProperty("text").GetString(), StringComparison.Ordinal);
        using var finished = await TreeAsync(http, turn.ExecutionId);
        Assert.Equal("Completed", Assert.Single(finished.RootElement.GetProperty("children").EnumerateArray()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_members_memory_scope_decides_which_pinned_and_recalled_memory_its_request_carries()
    {
        using var app = TeamHost(fixture.Server);
        using var http = app.CreateClient();
        var session = await CreateTeamSessionAsync(http);
        var other = await CreateTeamSessionAsync(http);
        var marker = Guid.NewGuid().ToString("N");
        using (var agentScope = await http.PutAsJsonAsync(new Uri("/api/team/profiles/coder", UriKind.Relative), new { name = "Coder", systemPrompt = "You are a careful software engineer.", memoryScope = "agent" }))
        {
            Assert.Equal(HttpStatusCode.OK, agentScope.StatusCode);
        }

        // concise keeps the default scope, session. Every fact matches the task's words; one word says whose it is.
        var memory = app.Services.GetRequiredService<MemoryService>();
        await memory.SaveAsync("local", MemoryTier.PinnedBlock, $"Pinned {marker} delta", "Standing", MemorySource.Person, null, null, CancellationToken.None);
        await memory.SaveAsync("local", MemoryTier.ArchivalFact, $"zebra codename {marker} alpha", null, MemorySource.Person, session, null, CancellationToken.None);
        await memory.SaveAsync("local", MemoryTier.ArchivalFact, $"zebra codename {marker} bravo", null, MemorySource.Person, other, null, CancellationToken.None);
        await memory.SaveAsync("local", MemoryTier.ArchivalFact, $"zebra codename {marker} charlie", null, MemorySource.Agent, other, null, "coder", CancellationToken.None);
        var store = app.Services.GetRequiredService<IMemoryStore>();
        var now = DateTimeOffset.UtcNow;
        var day = Guid.NewGuid().ToString("N"); // episodes share no word with the task: recall cannot bring them, only the scope
        foreach (var (chat, word) in new[] { (session, "echo"), (other, "foxtrot") })
        {
            await store.AddAsync(
                new MemoryItem(Guid.NewGuid(), "local", chat, MemoryTier.DailyEpisode, "2026-11-30", $"Episode {day} {word}: the chat planned the launch.", now, now) { Source = MemorySource.Session, Day = new DateOnly(2026, 11, 30) },
                CancellationToken.None);
        }

        var turn = await SendAsync(http, session, $"Scopes [scenario:tool-call] [ask:coder:zebra codename {marker}] [ask:concise:zebra codename {marker}]");
        Assert.Equal("complete", (await WaitForReplyAsync(http, session, turn.AssistantMessageId)).GetProperty("status").GetString());

        // agent: the tenant's pinned blocks and only what this profile saved, in any chat (no chat's episodes).
        var coder = MemberRequest("careful software engineer", $"zebra codename {marker}");
        Assert.Contains($"Pinned {marker} delta", coder, StringComparison.Ordinal);
        Assert.Contains($"{marker} charlie", coder, StringComparison.Ordinal);
        Assert.DoesNotContain($"{marker} alpha", coder, StringComparison.Ordinal);
        Assert.DoesNotContain($"{marker} bravo", coder, StringComparison.Ordinal);
        Assert.DoesNotContain($"Episode {day}", coder, StringComparison.Ordinal);
        Assert.Contains("memory_search", coder, StringComparison.Ordinal);

        // session: the pinned blocks, only what belongs to the parent chat, and its daily episodes.
        var concise = MemberRequest("Answer briefly", $"zebra codename {marker}");
        Assert.Contains($"Pinned {marker} delta", concise, StringComparison.Ordinal);
        Assert.Contains($"{marker} alpha", concise, StringComparison.Ordinal);
        Assert.DoesNotContain($"{marker} bravo", concise, StringComparison.Ordinal);
        Assert.DoesNotContain($"{marker} charlie", concise, StringComparison.Ordinal);
        Assert.Contains($"Episode {day} echo", concise, StringComparison.Ordinal); // the chat's daily episode
        Assert.DoesNotContain($"Episode {day} foxtrot", concise, StringComparison.Ordinal);

        // none: no memory in the request and no memory tools.
        using (var noneScope = await http.PutAsJsonAsync(new Uri("/api/team/profiles/concise", UriKind.Relative), new { name = "Concise", systemPrompt = "Answer briefly.", memoryScope = "none" }))
        {
            Assert.Equal(HttpStatusCode.OK, noneScope.StatusCode);
        }

        var second = await SendAsync(http, session, $"Again [scenario:tool-call] [ask:concise:zebra codename {marker} again]");
        await WaitForReplyAsync(http, session, second.AssistantMessageId);
        var none = MemberRequest("Answer briefly", $"zebra codename {marker} again");
        Assert.DoesNotContain(marker + " delta", none, StringComparison.Ordinal);
        Assert.DoesNotContain("Pinned memory", none, StringComparison.Ordinal);
        Assert.DoesNotContain("Recalled memory", none, StringComparison.Ordinal);
        Assert.DoesNotContain("memory_search", none, StringComparison.Ordinal);

        string MemberRequest(string profilePrompt, string task) => Assert.Single(fixture.Server.Requests.All(), r =>
            r.Body.Contains("Another agent handed you", StringComparison.Ordinal) && r.Body.Contains(profilePrompt, StringComparison.Ordinal)
            && r.Body.Contains($"\"content\":\"{task}\"", StringComparison.Ordinal)).Body;
    }

    [Fact]
    public async Task With_a_tenant_cap_of_one_a_two_level_delegation_and_a_parallel_member_still_complete()
    {
        using var app = TeamHost(fixture.Server, new() { ["Agent:Caps:MaxConcurrentCallsTenant"] = "1" });
        using var http = app.CreateClient();
        var session = await CreateTeamSessionAsync(http);
        var marker = Guid.NewGuid().ToString("N");

        // The coordinator waits for coder, which waits for concise: each runs in its waiting parent's slot.
        var turn = await SendAsync(http, session, $"Cap {marker} [scenario:tool-call] [ask:coder:Delegate {marker} {{scenario:tool-call}}{{ask:concise:Inner {marker}}}] [ask:concise:Side {marker}]");
        var reply = await WaitForReplyAsync(http, session, turn.AssistantMessageId);

        Assert.Equal("complete", reply.GetProperty("status").GetString());
        Assert.Contains($"You said: Side {marker}", reply.GetProperty("text").GetString(), StringComparison.Ordinal);
        using var tree = await TreeAsync(http, turn.ExecutionId);
        var children = tree.RootElement.GetProperty("children").EnumerateArray().ToList();
        Assert.Equal(2, children.Count);
        Assert.All(children, c => Assert.Equal("Completed", c.GetProperty("status").GetString()));
        var inner = Assert.Single(children.Single(c => c.GetProperty("agent").GetString() == "coder").GetProperty("children").EnumerateArray());
        Assert.Equal("Completed", inner.GetProperty("status").GetString());

        // The cap still holds between trees: a second chat's turn waits for the first tree and then runs.
        var second = await CreateTeamSessionAsync(http);
        var first = await SendAsync(http, session, $"Long {marker} [scenario:long] [delay:20]");
        var queued = await SendAsync(http, second, $"Waits {marker}");
        await WaitForProgressAsync(http, queued.ExecutionId, "Queued: tenant 'local' is running 1 executions");
        await WaitForReplyAsync(http, session, first.AssistantMessageId);
        Assert.Equal("complete", (await WaitForReplyAsync(http, second, queued.AssistantMessageId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_run_token_budget_counts_the_coordinators_own_tokens()
    {
        // Three tokens: the coordinator's first model call alone spends more, so no member may start.
        using var app = TeamHost(fixture.Server, new() { ["Agent:Teams:0:Limits:MaxTokensPerRun"] = "3" });
        using var http = app.CreateClient();
        var session = await CreateTeamSessionAsync(http);
        var marker = Guid.NewGuid().ToString("N");

        var turn = await SendAsync(http, session, $"Budget {marker} [scenario:tool-call] [ask:coder:Write hello {marker}]");
        var reply = await WaitForReplyAsync(http, session, turn.AssistantMessageId);

        Assert.Equal("complete", reply.GetProperty("status").GetString());
        Assert.Contains("Stopped: the team run used more than its limit of 3 tokens.", reply.GetProperty("text").GetString(), StringComparison.Ordinal);
        using var tree = await TreeAsync(http, turn.ExecutionId);
        Assert.Empty(tree.RootElement.GetProperty("children").EnumerateArray());
        Assert.DoesNotContain(fixture.Server.Requests.All(), r => r.Body.Contains("Another agent handed you", StringComparison.Ordinal) && r.Body.Contains(marker, StringComparison.Ordinal));
    }

    private static async Task WaitForProgressAsync(HttpClient http, Guid executionId, string startsWith)
    {
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            var record = await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/execution/{executionId}/status", UriKind.Relative));
            if (record.GetProperty("progressMessage").GetString()?.StartsWith(startsWith, StringComparison.Ordinal) == true)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < until, $"Execution {executionId} never reported '{startsWith}'.");
            await Task.Delay(20);
        }
    }

    private static async Task<JsonElement> WaitForApprovalAsync(HttpClient http, Guid session, Func<JsonElement, bool> match)
    {
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            var pending = await http.GetFromJsonAsync<JsonElement>(new Uri("/api/tools/approvals", UriKind.Relative));
            var found = pending.EnumerateArray().Where(a => a.GetProperty("sessionId").GetGuid() == session && match(a)).ToList();
            if (found.Count > 0)
            {
                return found[0];
            }

            Assert.True(DateTime.UtcNow < until, "No matching approval was asked for.");
            await Task.Delay(50);
        }
    }

    private static async Task ApproveAsync(HttpClient http, JsonElement approval)
    {
        using var approved = await http.PostAsync(new Uri($"/api/tools/approvals/{approval.GetProperty("id").GetGuid()}/approve", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
    }

    [Fact]
    public async Task Session_binding_api_validates_and_unbinds()
    {
        using var app = TeamHost(fixture.Server);
        using var http = app.CreateClient();
        using var bad = await http.PostAsJsonAsync(new Uri("/api/sessions", UriKind.Relative), new { teamId = "nope" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("No team 'nope'", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);

        using var created = await http.PostAsJsonAsync(new Uri("/api/sessions", UriKind.Relative), new { title = "plain" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Null((await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/sessions/{id}/team", UriKind.Relative))).GetProperty("teamId").GetString());

        using var bind = await http.PatchAsJsonAsync(new Uri($"/api/sessions/{id}", UriKind.Relative), new { teamId = "default" });
        Assert.Equal("default", (await bind.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("teamId").GetString());
        using var unknown = await http.PatchAsJsonAsync(new Uri($"/api/sessions/{id}", UriKind.Relative), new { teamId = "ghost" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        using var empty = await http.PatchAsJsonAsync(new Uri($"/api/sessions/{id}", UriKind.Relative), new { colour = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        using var unbind = await http.PatchAsync(new Uri($"/api/sessions/{id}", UriKind.Relative), JsonContent.Create(new Dictionary<string, string?> { ["teamId"] = null }));
        Assert.Equal(HttpStatusCode.OK, unbind.StatusCode);
        Assert.Null((await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/sessions/{id}/team", UriKind.Relative))).GetProperty("teamId").GetString());
        using var missing = await http.PatchAsJsonAsync(new Uri($"/api/sessions/{Guid.NewGuid()}", UriKind.Relative), new { teamId = "default" });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var notGuid = await http.GetAsync(new Uri("/api/execution/abc/tree", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, notGuid.StatusCode);
        using var noTree = await http.GetAsync(new Uri($"/api/execution/{Guid.NewGuid()}/tree", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, noTree.StatusCode);
    }

    [Fact]
    public async Task Profile_and_team_edits_are_validated_and_stored_over_the_file_defaults()
    {
        using var app = TeamHost(fixture.Server);
        using var http = app.CreateClient();
        using var badTeam = await http.PutAsJsonAsync(new Uri("/api/teams/default", UriKind.Relative), new { name = "Default team", coordinator = "assistant", members = new[] { "ghost" } });
        Assert.Equal(HttpStatusCode.BadRequest, badTeam.StatusCode);
        Assert.Contains("'ghost' is not a profile id", (await badTeam.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);

        using var profile = await http.PutAsJsonAsync(new Uri("/api/team/profiles/tester", UriKind.Relative), new { name = "Tester", systemPrompt = "You test.", memoryScope = "agent" });
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        using var team = await http.PutAsJsonAsync(new Uri("/api/teams/default", UriKind.Relative), new { name = "Default team", coordinator = "assistant", members = new[] { "coder", "tester" } });
        Assert.Equal(HttpStatusCode.OK, team.StatusCode);
        var teams = await http.GetFromJsonAsync<JsonElement>(new Uri("/api/teams", UriKind.Relative));
        var edited = teams.EnumerateArray().Single(t => t.GetProperty("value").GetProperty("id").GetString() == "default");
        Assert.True(edited.GetProperty("edited").GetBoolean());
        Assert.Equal<string>(["coder", "tester"], edited.GetProperty("value").GetProperty("members").EnumerateArray().Select(m => m.GetString()!).ToArray());

        // The tester profile is in use by the team: removing it is refused; resetting the team first makes it removable.
        using var inUse = await http.DeleteAsync(new Uri("/api/team/profiles/tester", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, inUse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync(new Uri("/api/teams/default", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync(new Uri("/api/team/profiles/tester", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync(new Uri("/api/team/profiles/tester", UriKind.Relative))).StatusCode);

        // An edited prompt is what the chat sends; bootstrap lists the teams.
        var marker = Guid.NewGuid().ToString("N");
        using var edit = await http.PutAsJsonAsync(new Uri("/api/team/profiles/assistant", UriKind.Relative), new { name = "Assistant", systemPrompt = $"You coordinate {marker}." });
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        var session = await CreateTeamSessionAsync(http);
        var turn = await SendAsync(http, session, $"Hello {marker}");
        await WaitForReplyAsync(http, session, turn.AssistantMessageId);
        Assert.Contains(fixture.Server.Requests.All(), r => r.Body.Contains($"You coordinate {marker}.", StringComparison.Ordinal));
        var bootstrap = await http.GetFromJsonAsync<JsonElement>(new Uri("/api/bootstrap", UriKind.Relative));
        var shipped = Assert.Single(bootstrap.GetProperty("teams").EnumerateArray());
        Assert.Equal("default", shipped.GetProperty("id").GetString());
        Assert.Equal("assistant", shipped.GetProperty("coordinator").GetString());
    }

    private static async Task<Guid> CreateTeamSessionAsync(HttpClient http)
    {
        using var created = await http.PostAsJsonAsync(new Uri("/api/sessions", UriKind.Relative), new { title = "team", teamId = "default" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var session = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("assistant", session.GetProperty("agentProfileId").GetString());
        return session.GetProperty("id").GetGuid();
    }

    private sealed record Turn(Guid AssistantMessageId, Guid ExecutionId);

    private static async Task<Turn> SendAsync(HttpClient http, Guid session, string text)
    {
        using var sent = await http.PostAsJsonAsync(new Uri($"/api/sessions/{session}/messages", UriKind.Relative), new { text });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var body = await sent.Content.ReadFromJsonAsync<JsonElement>();
        return new Turn(body.GetProperty("assistantMessageId").GetGuid(), body.GetProperty("executionId").GetGuid());
    }

    private static async Task<JsonElement> WaitForReplyAsync(HttpClient http, Guid session, Guid replyId)
    {
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            var messages = await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/sessions/{session}/messages?take=1000", UriKind.Relative));
            var reply = messages.EnumerateArray().FirstOrDefault(m => m.GetProperty("id").GetGuid() == replyId);
            if (reply.ValueKind == JsonValueKind.Object && reply.GetProperty("status").GetString() != "streaming")
            {
                return reply;
            }

            Assert.True(DateTime.UtcNow < until, $"Reply {replyId} did not end within {Patience}.");
            await Task.Delay(50);
        }
    }

    private static async Task<JsonDocument> TreeAsync(HttpClient http, Guid executionId)
    {
        using var response = await http.GetAsync(new Uri($"/api/execution/{executionId}/tree", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonDocument> WaitForTreeAsync(HttpClient http, Guid executionId, Func<JsonDocument, bool> done)
    {
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            var tree = await TreeAsync(http, executionId);
            if (done(tree))
            {
                return tree;
            }

            tree.Dispose();
            Assert.True(DateTime.UtcNow < until, $"The tree of {executionId} did not reach the expected state within {Patience}.");
            await Task.Delay(50);
        }
    }

    private static async Task<Guid> WaitForChildAsync(HttpClient http, Guid root, string status)
    {
        using var tree = await WaitForTreeAsync(http, root, t => t.RootElement.GetProperty("children").EnumerateArray().Any(c => c.GetProperty("status").GetString() == status));
        return tree.RootElement.GetProperty("children").EnumerateArray().First(c => c.GetProperty("status").GetString() == status).GetProperty("id").GetGuid();
    }

    private static async Task<Guid> WaitForGrandchildAsync(HttpClient http, Guid root)
    {
        static JsonElement? Running(JsonDocument t) => t.RootElement.GetProperty("children").EnumerateArray()
            .SelectMany(c => c.GetProperty("children").EnumerateArray())
            .Where(g => g.GetProperty("status").GetString() == "Running")
            .Select(g => (JsonElement?)g)
            .FirstOrDefault();
        using var tree = await WaitForTreeAsync(http, root, t => Running(t) is not null);
        return Running(tree)!.Value.GetProperty("id").GetGuid();
    }

    private static async Task<string?> StatusAsync(HttpClient http, Guid executionId) =>
        (await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/execution/{executionId}/status", UriKind.Relative))).GetProperty("status").GetString();

    /// <summary>The emulator host as a team's chat: the emulator is the default provider, flushes are frequent.</summary>
    private static EmulatorHost TeamHost(EmulatorServer emulator, Dictionary<string, string>? settings = null) => new(emulator, new Dictionary<string, string>
    {
        ["Agent:DefaultProvider"] = "emulator",
        ["Agent:Streaming:FlushIntervalMs"] = "50",
    }.Concat(settings ?? []).ToDictionary());
}
