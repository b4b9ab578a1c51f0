using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Agent.ProviderEmulator;
using Agent.Runtime.Chat;
using Agent.Runtime.Services;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

/// <summary>
/// A team turn on the real host against the provider emulator over HTTP: the coordinator delegates with ask_agent and
/// each run's trace holds its own steps, the member's under the member's execution and the coordinator's under its turn.
/// </summary>
public sealed class TeamTraceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_members_run_trace_holds_its_own_model_and_tool_calls_and_the_coordinators_holds_its_own()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 1 });
        await using var app = UsageHostTests.Emulated(new AgentAppFactory(), emulator, "OpenAICompatible")
            .WithSetting("Agent:Memory:EpisodeJob", "false")
            .WithSetting("Agent:Teams:0:Limits:MaxDepth", "1");
        using var http = app.CreateClient();

        // The coder may only use the calculator (at the depth limit it is not offered ask_agent): the emulator's scripted
        // call goes to it and runs without approval.
        using (var profile = await http.PutAsJsonAsync(new Uri("/api/team/profiles/coder", UriKind.Relative), new { name = "Coder", systemPrompt = "You are a careful software engineer.", tools = new[] { "calculator" } }))
        {
            Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        }

        using var created = await http.PostAsJsonAsync(new Uri("/api/sessions", UriKind.Relative), new { title = "team", teamId = "default" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var session = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var marker = Guid.NewGuid().ToString("N");
        using var sent = await http.PostAsJsonAsync(new Uri($"/api/sessions/{session}/messages", UriKind.Relative), new { text = $"Plan {marker} [scenario:tool-call] [ask:coder:Compute {marker} {{scenario:tool-call}}]" });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var turn = await sent.Content.ReadFromJsonAsync<JsonElement>();
        var rootId = turn.GetProperty("executionId").GetGuid();
        await app.Services.GetRequiredService<ChatCoordinator>().WhenIdleAsync(session).WaitAsync(Patience);

        var task = Assert.Single(await app.Services.GetRequiredService<ITeamTaskStore>().ListByRootAsync("local", rootId, CancellationToken.None));
        var memberId = Assert.IsType<Guid>(task.ExecutionId);
        Assert.False(task.IsError, task.Result);
        var traces = app.Services.GetRequiredService<ExecutionTraceService>();

        // The member's run: its two model calls (tool call, then the answer) with tokens and timing, and its tool calls.
        var member = await traces.TimelineAsync("local", memberId, CancellationToken.None);
        var memberCalls = member.Entries.Where(e => e.Kind == TraceKinds.ProviderCall).ToList();
        Assert.Equal(2, memberCalls.Count);
        Assert.All(memberCalls, c =>
        {
            Assert.Equal("emulator/emulator-model", c.Name);
            Assert.Equal("ok", c.Outcome);
            Assert.Matches(@"\d+ in / ~?\d+ out tokens", c.Detail);
            Assert.True(c.DurationMs > 0);
        });
        Assert.Contains(member.Entries, e => e is { Kind: TraceKinds.ToolCall, Name: "calculator" });
        Assert.DoesNotContain(member.Entries, e => e.Name == "ask_agent");

        // The coordinator's turn: its own model calls and its ask_agent call, none of the member's steps.
        var coordinator = await traces.TimelineAsync("local", rootId, CancellationToken.None);
        Assert.Equal(2, coordinator.Entries.Count(e => e.Kind == TraceKinds.ProviderCall));
        var ask = Assert.Single(coordinator.Entries, e => e.Kind == TraceKinds.ToolCall);
        Assert.Equal("ask_agent", ask.Name);
        Assert.Equal("ok", ask.Outcome);
        Assert.DoesNotContain(coordinator.Entries, e => member.Entries.Any(m => m.Id == e.Id));

        // Every event is the tenant's: another tenant reads nothing of either run.
        var store = app.Services.GetRequiredService<ITraceStore>();
        Assert.All(await store.ListAsync("local", memberId, 100, CancellationToken.None), e => Assert.Equal(session, e.SessionId));
        Assert.Empty((await traces.TimelineAsync("someone-else", memberId, CancellationToken.None)).Entries);
        Assert.Empty((await traces.TimelineAsync("someone-else", rootId, CancellationToken.None)).Entries);
    }
}
