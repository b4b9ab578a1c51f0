using System.Collections.Concurrent;
using Agent.Domain.Configuration;
using Agent.Domain.Tools;
using Agent.Runtime.Clients.Deterministic;
using Agent.Runtime.Mcp;
using Agent.Runtime.Tools;
using Agent.Tests.Shared;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Agent.Tools.Tests;

/// <summary>The agent loop with the deterministic provider ("/tool NAME {json}") and a real MCP server and workspace.</summary>
public sealed class LoopWithRealServersTests
{
    [Fact]
    public async Task The_deterministic_model_calls_an_mcp_tool_through_an_approval_and_answers_with_the_result()
    {
        await using var connection = new McpServerConnection(McpTestServers.Stdio("everything", McpTestServers.Everything, ["stdio"]), _ => null, McpTestServers.FastOptions);
        Assert.True(await connection.StartAsync(default), connection.Error);
        var tools = new ToolSet(connection.AgentTools().Select(t => new RegisteredTool(t, new ToolSpec(t.Name, t.Description, t.ParametersSchemaJson, t.Source, t.Effects, ToolSpec.DefaultApprovalFor(t.Effects), true))).ToList());
        var traces = new MemoryTraceStore();
        var approvals = new ToolApprovalService(new StateToolApprovalStore(new MemoryStateStore(), TimeProvider.System), TimeProvider.System);
        var loop = new AgentLoop(approvals, traces, TimeProvider.System, Options.Create(new AgentOptions()));
        var asked = new ConcurrentBag<ToolApprovalRequest>();
        var completed = new ConcurrentBag<ToolCallRecord>();
        var callbacks = new AgentLoopCallbacks
        {
            ApprovalRequested = async (r, ct) =>
            {
                asked.Add(r);
                await approvals.ApproveAsync(r.Id, forSession: false, ct);
            },
            ToolCallCompleted = (r, _) =>
            {
                completed.Add(r);
                return Task.CompletedTask;
            },
        };
        var client = new DeterministicChatClient("deterministic", "scripted-echo", TimeSpan.Zero, TimeProvider.System);

        var text = "";
        await foreach (var update in loop.RunAsync(client, [new ChatMessage(ChatRole.User, """/tool everything__echo {"message":"from the loop"}""")], null, new AgentLoopRequest("local", Guid.NewGuid(), null, tools, SessionToolMode.Manual), callbacks, default))
        {
            text += update.Text;
        }

        Assert.Equal("""{"message":"from the loop"}""", Assert.Single(asked).ArgumentsJson);
        var record = Assert.Single(completed);
        Assert.False(record.IsError, record.ResultJson);
        Assert.Contains("from the loop", record.ResultJson, StringComparison.Ordinal);
        Assert.Contains(DeterministicChatClient.Label, text, StringComparison.Ordinal);
        Assert.Contains("from the loop", text, StringComparison.Ordinal);
        Assert.Single(traces.Events, e => e.Kind == AgentLoop.TraceKind); // and the approval wait beside it
        Assert.Single(traces.Events, e => e.Kind == Agent.Domain.Telemetry.TraceKinds.Approval);
    }
}
