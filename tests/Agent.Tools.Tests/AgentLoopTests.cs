using System.Collections.Concurrent;
using System.Text.Json;
using Agent.Domain.Configuration;
using Agent.Domain.Sessions;
using Agent.Domain.Tools;
using Agent.Runtime.Tools;
using Agent.Tests.Shared;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Agent.Tools.Tests;

public sealed class AgentLoopTests
{
    private readonly MemoryTraceStore traces = new();
    private readonly ToolApprovalService approvals;

    public AgentLoopTests() => approvals = new ToolApprovalService(new StateToolApprovalStore(new MemoryStateStore(), TimeProvider.System), TimeProvider.System);

    private AgentLoop Loop(int maxSteps = 8, int timeoutSeconds = 60) =>
        new(approvals, traces, TimeProvider.System, Options.Create(new AgentOptions { Tools = new ToolsOptions { MaxSteps = maxSteps, CallTimeoutSeconds = timeoutSeconds } }));

    private static AgentLoopRequest Request(SessionToolMode mode, params AgentTool[] tools) =>
        new("local", Guid.NewGuid(), Guid.NewGuid(), new ToolSet(tools.Select(t => new RegisteredTool(t, new ToolSpec(t.Name, t.Description, t.ParametersSchemaJson, t.Source, t.Effects, ToolSpec.DefaultApprovalFor(t.Effects), true))).ToList()), mode);

    private static AgentTool Tool(string name, Func<AIFunctionArguments, CancellationToken, ValueTask<object?>> run, ToolEffects effects = ToolEffects.None) =>
        new(name, name, """{"type":"object","properties":{}}""", ToolSource.BuiltIn, effects, run);

    private static async Task<List<ChatResponseUpdate>> Drain(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        var list = new List<ChatResponseUpdate>();
        await foreach (var u in updates)
        {
            list.Add(u);
        }

        return list;
    }

    [Fact]
    public async Task Calls_a_tool_and_returns_the_result_to_the_model()
    {
        var client = new ScriptedChatClient(
            _ => [ScriptedChatClient.Call("c1", BuiltInTools.Calculate, new() { ["expression"] = "6*7" })],
            _ => [ScriptedChatClient.Text("It is 42.")]);
        var completed = new ConcurrentBag<ToolCallRecord>();
        var updates = await Drain(Loop().RunAsync(client, [new ChatMessage(ChatRole.User, "6*7?")], null, Request(SessionToolMode.AskForWrites, BuiltInTools.Calculator()), new AgentLoopCallbacks
        {
            ToolCallCompleted = (r, _) =>
            {
                completed.Add(r);
                return Task.CompletedTask;
            },
        }, default));

        Assert.Equal("It is 42.", updates.Last().Text);
        Assert.Equal(2, client.Calls.Count);
        var result = client.Calls[1].SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single();
        Assert.Equal("c1", result.CallId);
        Assert.Contains("\"result\":\"42\"", JsonSerializer.Serialize(result.Result), StringComparison.Ordinal);
        Assert.Single(client.Options[0]!.Tools!);
        var record = Assert.Single(completed);
        Assert.False(record.IsError);
        Assert.Equal(ApprovalVerdict.Run, record.Verdict);
        Assert.Equal("""{"expression":"6*7"}""", record.ArgumentsJson);
        var trace = Assert.Single(traces.Events);
        Assert.Equal(AgentLoop.TraceKind, trace.Kind);
        Assert.Equal(BuiltInTools.Calculate, trace.Name);
        Assert.NotNull(trace.DurationMs);
        Assert.Contains("\"arguments\":{\"expression\":\"6*7\"}", trace.DataJson, StringComparison.Ordinal);
        Assert.Equal(new ToolCallPart("c1", BuiltInTools.Calculate, """{"expression":"6*7"}"""), record.ToCallPart());
    }

    [Fact]
    public async Task Stops_at_the_step_limit()
    {
        var runs = 0;
        var tool = Tool("loop", (_, _) =>
        {
            Interlocked.Increment(ref runs);
            return ValueTask.FromResult<object?>("again");
        });
        var client = new ScriptedChatClient(m => [ScriptedChatClient.Call("c" + m.Count, "loop")]);
        var updates = await Drain(Loop(maxSteps: 3).RunAsync(client, [new ChatMessage(ChatRole.User, "go")], null, Request(SessionToolMode.Autonomous, tool), null, default));
        Assert.Equal(3, client.Calls.Count);
        Assert.Equal(2, runs);
        Assert.Contains("step limit of 3", updates.Last().Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_calls_run_in_parallel()
    {
        var barrier = new Barrier(3);
        object? Wait()
        {
            // Each call returns only when all three are running at once.
            return barrier.SignalAndWait(TimeSpan.FromSeconds(10)) ? "together" : "alone";
        }

        var tools = new[] { "a", "b", "c" }.Select(n => Tool(n, (_, ct) => new ValueTask<object?>(Task.Run(Wait, ct)))).ToArray();
        var client = new ScriptedChatClient(
            _ => [ScriptedChatClient.Call("1", "a"), ScriptedChatClient.Call("2", "b"), ScriptedChatClient.Call("3", "c")],
            _ => [ScriptedChatClient.Text("done")]);
        await Drain(Loop().RunAsync(client, [new ChatMessage(ChatRole.User, "go")], null, Request(SessionToolMode.Autonomous, tools), null, default));
        var results = client.Calls[1].SelectMany(m => m.Contents).OfType<FunctionResultContent>().ToList();
        Assert.Equal(["1", "2", "3"], results.Select(r => r.CallId));
        Assert.All(results, r => Assert.Equal("\"together\"", JsonSerializer.Serialize(r.Result)));
    }

    [Fact]
    public async Task Unknown_tools_and_failures_become_error_results()
    {
        var client = new ScriptedChatClient(
            _ => [ScriptedChatClient.Call("1", "missing"), ScriptedChatClient.Call("2", "boom")],
            _ => [ScriptedChatClient.Text("ok")]);
        var boom = Tool("boom", (_, _) => throw new ToolException("it broke"));
        var completed = new ConcurrentBag<ToolCallRecord>();
        await Drain(Loop().RunAsync(client, [], null, Request(SessionToolMode.Autonomous, boom), new AgentLoopCallbacks { ToolCallCompleted = (r, _) => { completed.Add(r); return Task.CompletedTask; } }, default));
        Assert.All(completed, r => Assert.True(r.IsError));
        Assert.Contains(completed, r => r.ResultJson!.Contains("no tool named 'missing'", StringComparison.Ordinal));
        Assert.Contains(completed, r => r.ResultJson!.Contains("it broke", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_slow_call_times_out()
    {
        var slow = Tool("slow", async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return "late";
        });
        var client = new ScriptedChatClient(_ => [ScriptedChatClient.Call("1", "slow")], _ => [ScriptedChatClient.Text("ok")]);
        var completed = new ConcurrentBag<ToolCallRecord>();
        await Drain(Loop(timeoutSeconds: 1).RunAsync(client, [], null, Request(SessionToolMode.Autonomous, slow), new AgentLoopCallbacks { ToolCallCompleted = (r, _) => { completed.Add(r); return Task.CompletedTask; } }, default));
        Assert.Contains("timed out after 1 s", Assert.Single(completed).ResultJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_stops_the_loop()
    {
        using var cts = new CancellationTokenSource();
        var slow = Tool("slow", async (_, ct) =>
        {
            await cts.CancelAsync();
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return "late";
        });
        var client = new ScriptedChatClient(_ => [ScriptedChatClient.Call("1", "slow")], _ => [ScriptedChatClient.Text("ok")]);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Drain(Loop().RunAsync(client, [], null, Request(SessionToolMode.Autonomous, slow), null, cts.Token)));
        Assert.Single(client.Calls);
    }

    [Fact]
    public async Task Writes_wait_for_approval_then_run()
    {
        var ran = 0;
        var write = Tool("write", (_, _) => ValueTask.FromResult<object?>(++ran), ToolEffects.Writes);
        var client = new ScriptedChatClient(_ => [ScriptedChatClient.Call("1", "write", new() { ["path"] = "a.txt" })], _ => [ScriptedChatClient.Text("written")]);
        var request = Request(SessionToolMode.AskForWrites, write);
        var asked = new TaskCompletionSource<ToolApprovalRequest>();
        var run = Drain(Loop().RunAsync(client, [], null, request, new AgentLoopCallbacks { ApprovalRequested = (r, _) => { asked.TrySetResult(r); return Task.CompletedTask; } }, default));
        var pending = await asked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("""{"path":"a.txt"}""", pending.ArgumentsJson);
        Assert.Equal(0, ran);
        Assert.Single(await approvals.ListPendingAsync("local", default));
        Assert.NotNull(await approvals.ApproveAsync(pending.Id, forSession: false, default));
        var updates = await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, ran);
        Assert.Equal("written", updates.Last().Text);
        Assert.Empty(await approvals.ListPendingAsync("local", default));
        var call = traces.Events.Single(e => e.Kind == AgentLoop.TraceKind);
        Assert.Contains("approved by the person", call.DataJson, StringComparison.Ordinal);
        Assert.Contains("\"outcome\":\"ok\"", call.DataJson, StringComparison.Ordinal);
        var wait = traces.Events.Single(e => e.Kind == Agent.Domain.Telemetry.TraceKinds.Approval);
        Assert.Equal("write", wait.Name);
        Assert.Contains("\"decision\":\"Approved\"", wait.DataJson, StringComparison.Ordinal);
        Assert.True(wait.DurationMs >= 0);
    }

    [Fact]
    public async Task A_denial_reason_reaches_the_model()
    {
        var write = Tool("write", (_, _) => throw new InvalidOperationException("must not run"), ToolEffects.Writes);
        var client = new ScriptedChatClient(_ => [ScriptedChatClient.Call("1", "write")], _ => [ScriptedChatClient.Text("ok")]);
        var asked = new TaskCompletionSource<ToolApprovalRequest>();
        var run = Drain(Loop().RunAsync(client, [], null, Request(SessionToolMode.AskForWrites, write), new AgentLoopCallbacks { ApprovalRequested = (r, _) => { asked.TrySetResult(r); return Task.CompletedTask; } }, default));
        var pending = await asked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await approvals.DenyAsync(pending.Id, "not that file", default);
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        var result = client.Calls[1].SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single();
        Assert.Contains("not that file", JsonSerializer.Serialize(result.Result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approved_for_the_session_does_not_ask_again()
    {
        var write = Tool("write", (_, _) => ValueTask.FromResult<object?>("ok"), ToolEffects.Writes);
        var request = Request(SessionToolMode.Manual, write);
        var asks = 0;
        var callbacks = new AgentLoopCallbacks
        {
            ApprovalRequested = async (r, _) =>
            {
                Interlocked.Increment(ref asks);
                await approvals.ApproveAsync(r.Id, forSession: true, default);
            },
        };
        var client = new ScriptedChatClient(_ => [ScriptedChatClient.Call("1", "write")], _ => [ScriptedChatClient.Call("2", "write")], _ => [ScriptedChatClient.Text("done")]);
        await Drain(Loop().RunAsync(client, [], null, request, callbacks, default)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, asks);
        Assert.Equal(3, client.Calls.Count);
    }

    [Fact]
    public async Task Pending_approvals_survive_a_restart()
    {
        var state = new MemoryStateStore();
        var before = new ToolApprovalService(new StateToolApprovalStore(state, TimeProvider.System), TimeProvider.System);
        using var cts = new CancellationTokenSource();
        var pending = new ToolApprovalRequest(Guid.NewGuid(), "local", Guid.NewGuid(), null, "c", "workspace_write", """{"path":"x"}""", "ask", DateTimeOffset.UtcNow);
        _ = before.RequestAsync(pending, cts.Token);

        // A new service over the same store (the app restarted): the request is listed again, with its exact arguments.
        var after = new ToolApprovalService(new StateToolApprovalStore(state, TimeProvider.System), TimeProvider.System);
        var listed = Assert.Single(await after.ListPendingAsync("local", default));
        Assert.Equal("""{"path":"x"}""", listed.ArgumentsJson);
        Assert.False(after.IsAwaited(listed.Id));
        var denied = await after.DenyAsync(listed.Id, "stale", default);
        Assert.Equal(ToolApprovalStatus.Denied, denied!.Status);
        Assert.Empty(await after.ListPendingAsync("local", default));
        Assert.Null(await after.ApproveAsync(listed.Id, false, default));
    }
}

public sealed class LargeResultTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "agent-artifacts-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_large_result_is_stored_as_an_artifact_and_the_model_gets_a_preview()
    {
        var artifacts = new MemoryArtifactStore();
        var loop = new AgentLoop(
            new ToolApprovalService(new StateToolApprovalStore(new MemoryStateStore(), TimeProvider.System), TimeProvider.System),
            new MemoryTraceStore(),
            TimeProvider.System,
            Options.Create(new AgentOptions { Tools = new ToolsOptions { LargeResultChars = 2000 } }),
            artifacts,
            new Agent.Runtime.Hosting.AppInfo("0.1.0", root, Path.Combine(root, "agent.db")));
        var big = new AgentTool("big", "big", """{"type":"object","properties":{}}""", ToolSource.BuiltIn, ToolEffects.None, (_, _) => ValueTask.FromResult<object?>(new string('x', 10_000)));
        var request = new AgentLoopRequest("local", Guid.NewGuid(), Guid.NewGuid(), new ToolSet([new RegisteredTool(big, new ToolSpec("big", "big", "{}", ToolSource.BuiltIn, ToolEffects.None, ToolApproval.Always, true))]), SessionToolMode.AskForWrites);
        var client = new ScriptedChatClient(_ => [ScriptedChatClient.Call("1", "big")], _ => [ScriptedChatClient.Text("ok")]);
        await foreach (var _ in loop.RunAsync(client, [], null, request, null, default))
        {
        }

        var artifact = Assert.Single(artifacts.Added);
        Assert.Equal(AgentLoop.ResultArtifactType, artifact.Type);
        Assert.Equal(request.ExecutionId, artifact.ProducedByExecutionId);
        Assert.Equal(10_002, (await File.ReadAllTextAsync(artifact.Materializations[0].Location)).Length);
        var seen = JsonSerializer.Serialize(client.Calls[1].SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single().Result);
        Assert.Contains(artifact.Id.ToString(), seen, StringComparison.Ordinal);
        Assert.True(seen.Length < 3000, seen.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private sealed class MemoryArtifactStore : Agent.Domain.Storage.IArtifactStore
    {
        public ConcurrentBag<Agent.Domain.Runtime.Artifact> Added { get; } = [];

        public Task AddAsync(Agent.Domain.Runtime.Artifact artifact, CancellationToken cancellationToken)
        {
            Added.Add(artifact);
            return Task.CompletedTask;
        }

        public Task UpdateAsync(Agent.Domain.Runtime.Artifact artifact, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<Agent.Domain.Runtime.Artifact?> FindAsync(string tenantId, Guid artifactId, CancellationToken cancellationToken) =>
            Task.FromResult(Added.FirstOrDefault(a => a.Id == artifactId));

        public Task<IReadOnlyList<Agent.Domain.Runtime.Artifact>> ListAsync(Agent.Domain.Storage.ArtifactQuery query, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Agent.Domain.Runtime.Artifact>>(Added.ToList());
    }
}
