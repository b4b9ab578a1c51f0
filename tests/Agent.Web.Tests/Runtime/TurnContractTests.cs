using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Agent.Domain.Runtime;
using Agent.Runtime.Chat;
using Agent.Runtime.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests.Runtime;

/// <summary>
/// The runtime contract's clauses on the real host (a real SQLite file, the deterministic provider): intent scope,
/// the install's solution id, a turn's parameters, its state surface entry and its artifacts.
/// </summary>
public sealed class TurnContractTests
{
    [Fact]
    public async Task A_session_intent_needs_a_session_and_a_tenant_intent_refuses_one()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();
        var sessionId = await NewSessionAsync(client);

        using var noSession = await client.PostAsJsonAsync("/api/execution", new { intent = "send_message", metadata = new { } });
        Assert.Equal(HttpStatusCode.BadRequest, noSession.StatusCode);
        Assert.Contains("acts on a session: sessionId is required", await noSession.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var withSession = await client.PostAsJsonAsync("/api/execution", new { intent = "summarize_day", sessionId, metadata = new { day = "2026-12-01" } });
        Assert.Equal(HttpStatusCode.BadRequest, withSession.StatusCode);
        Assert.Contains("acts on the whole tenant: omit sessionId", await withSession.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_execution_carries_the_installs_solution_id_and_another_is_refused()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();

        using var foreign = await client.PostAsJsonAsync("/api/execution", new { intent = "demo_long_task", solutionId = "someone-else", metadata = new { steps = 1, stepMs = 0 } });
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Contains("Agent:SolutionId", await foreign.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var accepted = await client.PostAsJsonAsync("/api/execution", new { intent = "demo_long_task", metadata = new { steps = 1, stepMs = 0 } });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("executionId").GetGuid();
        var record = await app.Services.GetRequiredService<ExecutionRuntime>().FindAsync("local", id, CancellationToken.None);
        Assert.Equal(ExecutionRuntimeOptions.DefaultSolutionId, record!.SolutionId);
    }

    [Fact]
    public async Task A_turn_is_described_by_its_parameters_keeps_its_state_while_it_waits_and_registers_its_reply_and_tool_result()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();
        var runtime = app.Services.GetRequiredService<ExecutionRuntime>();
        var chat = app.Services.GetRequiredService<ChatCoordinator>();
        var sessionId = await NewSessionAsync(client);

        await app.Services.GetRequiredService<Agent.Runtime.Tools.ToolRegistry>().SetModeAsync("local", sessionId, Agent.Domain.Tools.SessionToolMode.AskForWrites, CancellationToken.None);
        var turn = await chat.SendAsync("local", sessionId, """/tool workspace_write {"path":"contract.txt","content":"hello"}""", null, CancellationToken.None);

        // The intent says everything the turn needs: any process holding the database could run it.
        var intent = runtime.IntentOf((await runtime.FindAsync("local", turn.ExecutionId, CancellationToken.None))!);
        Assert.Equal(SendMessageIntent.Name, intent.IntentType);
        Assert.Equal(sessionId, intent.SessionId);
        Assert.Equal(turn.AssistantMessageId.ToString(), intent.Parameters[SendMessageIntent.MessageIdKey]);
        Assert.Equal(turn.UserMessageId.ToString(), intent.Parameters[SendMessageIntent.AnchorKey]);
        Assert.Equal("deterministic", intent.Parameters[SendMessageIntent.ProviderKey]);
        Assert.Equal("scripted-echo", intent.Parameters[SendMessageIntent.ModelKey]);
        Assert.Equal("reply", intent.Parameters[SendMessageIntent.ModeKey]);

        // While it waits for the person, the session's state holds the session's settings and says which turn is in flight.
        var approvals = app.Services.GetRequiredService<Agent.Runtime.Tools.ToolApprovalService>();
        var pending = await WaitForAsync(async () => (await approvals.ListPendingAsync("local", CancellationToken.None)).SingleOrDefault());
        var sessionState = app.Services.GetRequiredService<StateSurfaceService>().Session("local", sessionId);
        Assert.Equal(StateScopes.Session("local", sessionId), sessionState.Scope);
        Assert.Equal("AskForWrites", await sessionState.GetAsync(SessionStateKeys.ToolMode, CancellationToken.None));
        using (var inFlight = JsonDocument.Parse((await sessionState.GetAsync(ChatTurnStreamer.TurnStateKey, CancellationToken.None))!))
        {
            Assert.Equal(turn.ExecutionId, inFlight.RootElement.GetProperty("executionId").GetGuid());
            Assert.Equal(turn.AssistantMessageId, inFlight.RootElement.GetProperty("messageId").GetGuid());
        }

        using (var approved = await client.PostAsync(new Uri($"/api/tools/approvals/{pending.Id}/approve", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        }

        var ended = await WaitForAsync(async () => await runtime.FindAsync("local", turn.ExecutionId, CancellationToken.None) is { Status: ExecutionStatus.Completed } done ? done : null);
        Assert.Null(await sessionState.GetAsync(ChatTurnStreamer.TurnStateKey, CancellationToken.None));

        // Its reply and the tool result it produced are artifacts of the registry, made by this execution.
        var artifacts = await runtime.ArtifactsOfAsync("local", ended.Id, CancellationToken.None);
        var reply = Assert.Single(artifacts, a => a.Type == SendMessageHandler.ReplyArtifactType);
        Assert.Equal(SendMessageIntent.Name, reply.ProducedByIntent);
        Assert.Equal(ArtifactLifecycle.Ready, reply.Lifecycle);
        Assert.Equal(turn.AssistantMessageId.ToString(), Assert.Single(reply.Materializations).Location);
        var result = Assert.Single(artifacts, a => a.Type == SendMessageHandler.ToolResultArtifactType);
        Assert.StartsWith($"{turn.AssistantMessageId}#", Assert.Single(result.Materializations).Location, StringComparison.Ordinal);
    }

    /// <summary>
    /// A turn whose session is busy with another reply when its execution starts (queued before a restart, then the
    /// person sent a new message) ends its own reply as failed with Retry; it never stays "streaming" with nothing behind it.
    /// </summary>
    [Fact]
    public async Task A_turn_that_finds_its_session_busy_with_another_reply_fails_its_own_reply_instead_of_leaving_it_streaming()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();
        var runtime = app.Services.GetRequiredService<ExecutionRuntime>();
        var chat = app.Services.GetRequiredService<ChatCoordinator>();
        var store = app.Services.GetRequiredService<Agent.Domain.Storage.IMessageStore>();
        var sessionId = await NewSessionAsync(client);
        var busy = await chat.SendAsync("local", sessionId, """/tool workspace_write {"path":"busy.txt","content":"x"}""", null, CancellationToken.None);
        var approvals = app.Services.GetRequiredService<Agent.Runtime.Tools.ToolApprovalService>();
        await WaitForAsync(async () => (await approvals.ListPendingAsync("local", CancellationToken.None)).SingleOrDefault());

        // A reply stored for a turn that was queued (as recovery leaves one), in the same session.
        var now = DateTimeOffset.UtcNow;
        var orphan = new Agent.Domain.Sessions.SessionMessage
        {
            Id = Guid.NewGuid(),
            SessionId = sessionId,
            TenantId = "local",
            ParentId = busy.UserMessageId,
            Role = Agent.Domain.Sessions.MessageRole.Assistant,
            Parts = [],
            Status = Agent.Domain.Sessions.MessageStatus.Streaming,
            CreatedAt = now,
            UpdatedAt = now,
            ProviderName = "deterministic",
            ModelId = "scripted-echo",
        };
        await store.AddAsync(orphan, CancellationToken.None);
        var submitted = await runtime.SubmitAsync(
            new ExecutionRequest(SendMessageIntent.Name, "local", sessionId, null, new Dictionary<string, string>(), null)
            {
                Parameters = SendMessageIntent.Parameters(orphan, busy.UserMessageId!.Value, TurnMode.Reply),
            },
            CancellationToken.None);

        var ended = await WaitForAsync(async () => await runtime.FindAsync("local", submitted.Execution.Id, CancellationToken.None) is { Status: ExecutionStatus.Failed } failed ? failed : null);
        Assert.Contains("Another reply was streaming", ended.Error, StringComparison.Ordinal);
        var reply = await store.FindAsync("local", orphan.Id, CancellationToken.None);
        Assert.Equal(Agent.Domain.Sessions.MessageStatus.Failed, reply!.Status);
        Assert.True(chat.IsStreaming(sessionId)); // the other reply still has the session
    }

    private static async Task<Guid> NewSessionAsync(HttpClient client)
    {
        using var created = await client.PostAsJsonAsync("/api/sessions", new { title = "contract" });
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, "the state did not arrive within 30 s");
            await Task.Delay(20);
        }
    }
}
