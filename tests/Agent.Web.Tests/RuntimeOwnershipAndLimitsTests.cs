using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Agent.Domain.Configuration;
using Agent.Domain.Runtime;
using Agent.Runtime.Chat;
using Agent.Runtime.Runtime;
using Agent.Runtime.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Agent.Web.Tests;

/// <summary>
/// The runtime refuses another tenant's ids itself (no HTTP route in between), and the boundary's limits (ids, names,
/// titles, workspace paths) answer a plain sentence: 400 with { "error": ... } over HTTP, a tool error without any
/// exception type name in a tool result.
/// </summary>
public sealed class RuntimeOwnershipAndLimitsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SubmitAsync_refuses_another_tenants_session_and_message_before_an_execution_exists()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();
        using var created = await client.PostAsJsonAsync("/api/sessions", new { title = "local plans" });
        var sessionId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var sent = await client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { text = "local secret" });
        var turnExecution = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("executionId").GetGuid();
        await app.Services.GetRequiredService<ChatCoordinator>().WhenIdleAsync(sessionId);
        var replyId = (await client.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{sessionId}/messages"))!
            .Single(m => m.GetProperty("role").GetString() == "assistant").GetProperty("id").GetGuid();
        var runtime = app.Services.GetRequiredService<ExecutionRuntime>();

        var requests = new (ExecutionRequest Request, string Expected)[]
        {
            (new(SendMessageIntent.Name, "beta", sessionId, null, new Dictionary<string, string>(), null), $"session {sessionId} does not exist"),
            (new(SendMessageIntent.Name, "beta", null, null, new Dictionary<string, string> { [SendMessageIntent.MessageIdKey] = replyId.ToString() }, null), $"message {replyId} does not exist"),
            (new(DiagnosticIntents.Sleep, "beta", null, null, new Dictionary<string, string> { [ExecutionRuntime.ParentExecutionKey] = turnExecution.ToString() }, null), $"execution {turnExecution} does not exist"),
            (new(DiagnosticIntents.Sleep, "beta", null, null, new Dictionary<string, string> { [CommonIdKeys.ArtifactId] = Guid.Empty.ToString() }, "key-1"), "metadata 'artifactId' must be a GUID: the id of the artifact"),
        };
        foreach (var (request, expected) in requests)
        {
            var refused = await Assert.ThrowsAnyAsync<SubmissionRejectedException>(() => runtime.SubmitAsync(request, CancellationToken.None));
            Assert.Equal(expected, refused.Message);
        }

        Assert.Empty(await runtime.ListAsync("beta", 0, 50, CancellationToken.None));

        // The same requests of the owner pass the check (the reply's turn already ended, so send_message fails in its handler, as before).
        var own = await runtime.SubmitAsync(new(DiagnosticIntents.Sleep, "local", sessionId, null, new Dictionary<string, string> { ["ms"] = "0", [CommonIdKeys.MessageId] = replyId.ToString() }, null), CancellationToken.None);
        Assert.True(own.Created);
        output.WriteLine($"runtime-level submissions with another tenant's ids: {requests.Length} refused, 0 executions created for beta; the owner's submission was accepted");
    }

    [Fact]
    public async Task A_4000_character_workspace_path_is_a_plain_tool_error_without_an_exception_type()
    {
        var folder = Directory.CreateTempSubdirectory("agent-ws-limits").FullName;
        try
        {
            await using var app = new AgentAppFactory()
                .WithSetting("Agent:Tools:WorkspaceFolder", Path.Combine(folder, "workspace"))
                .WithSetting("Agent:Tools:Approvals:workspace_read", "always");
            var workspace = app.Services.GetRequiredService<ToolRegistry>().WorkspaceFor("local");
            var tools = BuiltInTools.Workspace(workspace).ToDictionary(t => t.Name);
            var longPath = new string('a', 4_000);
            var longName = "notes/" + new string('b', 300) + ".txt";
            var refusals = new List<string>();
            foreach (var (tool, path) in new[] { (BuiltInTools.WorkspaceRead, longPath), (BuiltInTools.WorkspaceWrite, longPath), (BuiltInTools.WorkspaceList, longPath), (BuiltInTools.WorkspaceDelete, longPath), (BuiltInTools.WorkspaceWrite, longName) })
            {
                var arguments = new AIFunctionArguments(new Dictionary<string, object?> { ["path"] = path, ["content"] = "x" });
                var refused = await Assert.ThrowsAsync<ToolException>(async () => await tools[tool].InvokeAsync(arguments, CancellationToken.None));
                Assert.DoesNotContain("Exception", refused.Message, StringComparison.Ordinal);
                Assert.DoesNotContain(longPath, refused.Message, StringComparison.Ordinal);
                Assert.Contains("the limit is", refused.Message, StringComparison.Ordinal);
                refusals.Add(refused.Message);
            }

            // Through a real chat turn: the tool result the model and the person see is the same plain sentence.
            using var client = app.CreateClient();
            using var created = await client.PostAsJsonAsync("/api/sessions", new { title = "paths" });
            var sessionId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            using var sent = await client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { text = $$"""/tool workspace_read {"path":"{{longPath}}"}""" });
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
            await app.Services.GetRequiredService<ChatCoordinator>().WhenIdleAsync(sessionId);
            var transcript = await client.GetStringAsync($"/api/sessions/{sessionId}/messages?skip=0&take=50");
            Assert.Contains("The path has 4,000 characters; the limit is 1,024.", transcript, StringComparison.Ordinal);
            Assert.DoesNotContain("PathTooLong", transcript, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", transcript, StringComparison.Ordinal);
            output.WriteLine($"workspace paths over the limits: {refusals.Count} tool calls refused in plain words, 1 chat turn's tool result without an exception type");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Ids_names_and_titles_over_their_limits_answer_400_with_a_json_error()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();
        using var created = await client.PostAsJsonAsync("/api/sessions", new { title = "limits" });
        var sessionId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var longId = new string('a', InputLimits.MaxIdLength + 1);
        var profile = new { name = "Tester", systemPrompt = "Tests.", memoryScope = "session" };

        var corpus = new (HttpMethod Method, string Path, object? Body, string Expected)[]
        {
            (HttpMethod.Put, $"/api/team/profiles/{longId}", profile, "Profile id"),
            (HttpMethod.Put, "/api/team/profiles/bad%21id", profile, "Profile id 'bad!id' is not valid"),
            (HttpMethod.Put, "/api/team/profiles/-dash", profile, "Profile id '-dash' is not valid"),
            (HttpMethod.Delete, $"/api/team/profiles/{longId}", null, "Profile id"),
            (HttpMethod.Put, $"/api/teams/{longId}", new { name = "T", coordinator = "assistant", members = new[] { "coder" } }, "Team id"),
            (HttpMethod.Delete, $"/api/teams/{longId}", null, "Team id"),
            (HttpMethod.Patch, $"/api/sessions/{sessionId}", new { teamId = longId }, "Team id"),
            (HttpMethod.Post, "/api/sessions", new { title = "t", teamId = longId }, "Team id"),
            (HttpMethod.Post, "/api/sessions", new { title = new string('t', InputLimits.MaxSessionTitleLength + 1) }, "the limit is 200"),
            (HttpMethod.Put, "/api/team/profiles/tester", new { name = new string('n', InputLimits.MaxNameLength + 1), systemPrompt = "x", memoryScope = "session" }, "the limit is 100"),
            (HttpMethod.Put, "/api/team/profiles/tester", new { name = "Tester", systemPrompt = new string('p', InputLimits.MaxSystemPromptLength + 1), memoryScope = "session" }, "the limit is 20,000"),
        };
        var answered400 = 0;
        foreach (var (method, path, body, expected) in corpus)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path[..Math.Min(path.Length, 60)]} answered {(int)response.StatusCode}: {text}");
            var error = JsonDocument.Parse(text).RootElement.GetProperty("error").GetString()!;
            Assert.Contains(expected, error, StringComparison.Ordinal);
            Assert.True(error.Length < 400, $"The refusal echoes too much: {error.Length} characters.");
            Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
            answered400++;
        }

        // Ids at the limit still work.
        using var atLimit = await client.PutAsJsonAsync($"/api/team/profiles/{new string('a', InputLimits.MaxIdLength)}", profile);
        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        output.WriteLine($"boundary limits: {corpus.Length} bad inputs, {answered400} answered 400 with a JSON error; an id of {InputLimits.MaxIdLength} characters accepted");
    }
}
