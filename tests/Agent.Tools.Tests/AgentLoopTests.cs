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
    public async Task A_call_without_a_required_argument_returns_an_error_the_model_can_read()
    {
        var client = new ScriptedChatClient(
            _ => [ScriptedChatClient.Call("c1", BuiltInTools.Calculate), ScriptedChatClient.Call("c2", BuiltInTools.Calculate, new() { ["expression"] = JsonSerializer.SerializeToElement(42) })],
            _ => [ScriptedChatClient.Text("Sorry.")]);
        var updates = await Drain(Loop().RunAsync(client, [new ChatMessage(ChatRole.User, "?")], null, Request(SessionToolMode.AskForWrites, BuiltInTools.Calculator()), null, default));

        Assert.Equal("Sorry.", updates.Last().Text);
        var results = client.Calls[1].SelectMany(m => m.Contents).OfType<FunctionResultContent>().ToDictionary(r => r.CallId, r => ((JsonElement)r.Result!).GetProperty("error").GetString());
        Assert.Equal("The argument 'expression' is required.", results["c1"]);
        Assert.StartsWith("The arguments do not fit the parameters of 'calculator' (The JSON value could not be converted to System.String.). Its parameters: {", results["c2"], StringComparison.Ordinal);
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
    public async Task The_wait_for_the_person_is_reported_as_a_wait_that_ends_with_the_decision()
    {
        var write = Tool("write", (_, _) => ValueTask.FromResult<object?>("ok"), ToolEffects.Writes);
        var client = new ScriptedChatClient(_ => [ScriptedChatClient.Call("1", "write"), ScriptedChatClient.Call("2", "write")], _ => [ScriptedChatClient.Text("ok")]);
        var waiting = 0;
        var asked = new ConcurrentQueue<ToolApprovalRequest>();
        // The request is raised first and the wait begins after it: wait for both waits, not for both requests.
        var bothWaiting = new TaskCompletionSource();
        var callbacks = new AgentLoopCallbacks
        {
            ApprovalRequested = (r, _) =>
            {
                asked.Enqueue(r);
                return Task.CompletedTask;
            },
            WaitingForPerson = () =>
            {
                if (Interlocked.Increment(ref waiting) == 2)
                {
                    bothWaiting.TrySetResult();
                }

                return new Ended(() => Interlocked.Decrement(ref waiting));
            },
        };
        var run = Drain(Loop().RunAsync(client, [], null, Request(SessionToolMode.AskForWrites, write), callbacks, default));
        await bothWaiting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, Volatile.Read(ref waiting));
        Assert.Equal(2, asked.Count);
        foreach (var request in asked)
        {
            await approvals.ApproveAsync(request.Id, forSession: false, default);
        }

        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, Volatile.Read(ref waiting));
    }

    private sealed class Ended(Action end) : IDisposable
    {
        public void Dispose() => end();
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
        var client = new ScriptedChatClient(_ => [ScriptedChatClient.Call("1", "write")], _ => [ScriptedChatClient.Text("again"), ScriptedChatClient.Call("2", "write")], _ => [ScriptedChatClient.Text("done")]);
        await Drain(Loop().RunAsync(client, [new ChatMessage(ChatRole.User, "go")], null, request, callbacks, default)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, asks);
        Assert.Equal(3, client.Calls.Count);

        // Two pauses in one turn: the model is sent each call and its result once, and no approval exchange.
        var sent = client.Calls[2];
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant, ChatRole.Assistant, ChatRole.Tool], sent.Select(m => m.Role));
        Assert.Equal(["1", "2"], sent.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.CallId));
        Assert.Equal(["1", "2"], sent.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(c => c.CallId));
        Assert.DoesNotContain(sent.SelectMany(m => m.Contents), c => c is ToolApprovalRequestContent or ToolApprovalResponseContent);
    }

    [Fact]
    public async Task In_a_batch_where_one_call_needs_approval_the_person_is_asked_once_and_the_other_runs_meanwhile()
    {
        var ran = new ConcurrentBag<string>();
        var read = Tool("read", (_, _) => { ran.Add("read"); return ValueTask.FromResult<object?>("text"); });
        var write = Tool("write", (_, _) => { ran.Add("write"); return ValueTask.FromResult<object?>("written"); }, ToolEffects.Writes);
        var client = new ScriptedChatClient(
            _ => [ScriptedChatClient.Text("Reading and writing."), ScriptedChatClient.Call("r", "read"), ScriptedChatClient.Call("w", "write")],
            _ => [ScriptedChatClient.Text("done")]);
        var asked = new ConcurrentBag<ToolApprovalRequest>();
        var completed = new ConcurrentBag<ToolCallRecord>();
        var readDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var callbacks = new AgentLoopCallbacks
        {
            ApprovalRequested = async (r, _) =>
            {
                asked.Add(r);
                Assert.Single(await approvals.ListPendingAsync("local", default));

                // The call that needs nobody does not wait for the person: it has run before the person decides.
                await readDone.Task;
                await approvals.ApproveAsync(r.Id, forSession: false, default);
            },
            ToolCallCompleted = (r, _) =>
            {
                completed.Add(r);
                if (r.CallId == "r")
                {
                    readDone.TrySetResult();
                }

                return Task.CompletedTask;
            },
        };
        var updates = await Drain(Loop().RunAsync(client, [new ChatMessage(ChatRole.User, "go")], null, Request(SessionToolMode.AskForWrites, read, write), callbacks, default)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("write", Assert.Single(asked).ToolName);
        Assert.Equal(["read", "write"], ran.Order());
        Assert.Equal("tool approval is always", completed.Single(r => r.CallId == "r").ApprovedBy);
        Assert.Equal("approved by the person", completed.Single(r => r.CallId == "w").ApprovedBy);
        Assert.Equal("done", updates.Last().Text);
        var tool = Assert.Single(updates, u => u.Role == ChatRole.Tool);
        Assert.Equal(["r", "w"], tool.Contents.OfType<FunctionResultContent>().Select(r => r.CallId));

        // The model is sent its calls and their results, not the approval exchange.
        var sent = client.Calls[1].SelectMany(m => m.Contents).ToList();
        Assert.Equal(["r", "w"], sent.OfType<FunctionCallContent>().Select(c => c.CallId));
        Assert.Equal(["r", "w"], sent.OfType<FunctionResultContent>().Select(c => c.CallId));
        Assert.DoesNotContain(sent, c => c is ToolApprovalRequestContent or ToolApprovalResponseContent);
    }

    [Fact]
    public async Task A_denied_call_gets_the_denial_as_its_error_result_and_does_not_run()
    {
        var write = Tool("write", (_, _) => throw new InvalidOperationException("must not run"), ToolEffects.Writes);
        var client = new ScriptedChatClient(_ => [ScriptedChatClient.Call("1", "write")], _ => [ScriptedChatClient.Text("ok")]);
        var completed = new ConcurrentBag<ToolCallRecord>();
        var callbacks = new AgentLoopCallbacks
        {
            ApprovalRequested = (r, _) => approvals.DenyAsync(r.Id, "not that file", default),
            ToolCallCompleted = (r, _) => { completed.Add(r); return Task.CompletedTask; },
        };
        await Drain(Loop().RunAsync(client, [], null, Request(SessionToolMode.AskForWrites, write), callbacks, default)).WaitAsync(TimeSpan.FromSeconds(10));

        var record = Assert.Single(completed);
        Assert.Equal("""{"error":"The person denied this call: not that file"}""", record.ResultJson);
        Assert.True(record.IsError);
        Assert.Equal(ToolCallOutcomes.Denied, record.Outcome);
        Assert.Equal("denied by the person", record.ApprovedBy);
        Assert.NotNull(record.ApprovalRequestId);
        var result = client.Calls[1].SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single();
        Assert.Equal(record.ResultJson, Assert.IsType<JsonElement>(result.Result).GetRawText());
        Assert.Contains("\"outcome\":\"denied\"", traces.Events.Single(e => e.Kind == AgentLoop.TraceKind).DataJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_step_limit_counts_steps_across_an_approval_and_says_how_many_calls_were_left()
    {
        var runs = 0;
        var write = Tool("write", (_, _) => ValueTask.FromResult<object?>(Interlocked.Increment(ref runs)), ToolEffects.Writes);
        var client = new ScriptedChatClient(
            _ => [ScriptedChatClient.Call("1", "write")],
            _ => [ScriptedChatClient.Text("again"), ScriptedChatClient.Call("2", "write"), ScriptedChatClient.Call("3", "write")]);
        var asks = 0;
        var callbacks = new AgentLoopCallbacks
        {
            ApprovalRequested = (r, _) =>
            {
                Interlocked.Increment(ref asks);
                return approvals.ApproveAsync(r.Id, forSession: false, default);
            },
        };
        var updates = await Drain(Loop(maxSteps: 2).RunAsync(client, [], null, Request(SessionToolMode.AskForWrites, write), callbacks, default)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, client.Calls.Count);
        Assert.Equal(1, runs);
        Assert.Equal(1, asks);
        Assert.Equal("\n\n(Stopped: the step limit of 2 model calls was reached with 2 tool call(s) left unrun.)", updates.Last().Text);
        Assert.NotNull(client.Options[1]!.Tools); // the last step is offered the tools like every other
        Assert.Empty(await approvals.ListPendingAsync("local", default));
    }

    [Fact]
    public async Task A_timed_out_call_reaches_the_model_as_an_error_and_the_turn_goes_on()
    {
        var slow = Tool("slow", async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return "late";
        });
        var client = new ScriptedChatClient(_ => [ScriptedChatClient.Call("1", "slow")], _ => [ScriptedChatClient.Text("it was slow")]);
        var completed = new ConcurrentBag<ToolCallRecord>();
        var updates = await Drain(Loop(timeoutSeconds: 1).RunAsync(client, [], null, Request(SessionToolMode.Autonomous, slow), new AgentLoopCallbacks { ToolCallCompleted = (r, _) => { completed.Add(r); return Task.CompletedTask; } }, default));

        var record = Assert.Single(completed);
        Assert.Equal("""{"error":"The tool 'slow' timed out after 1 s."}""", record.ResultJson);
        Assert.Equal(ToolCallOutcomes.Timeout, record.Outcome);
        Assert.True(record.DurationMs >= 900, record.DurationMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(record.ResultJson, Assert.IsType<JsonElement>(client.Calls[1].SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single().Result).GetRawText());
        Assert.Equal("it was slow", updates.Last().Text);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_call_decided_after_a_restart_is_run_by_the_library_before_the_model_goes_on(bool approve)
    {
        var ran = 0;
        var write = Tool("write", (_, _) => ValueTask.FromResult<object?>(Interlocked.Increment(ref ran)), ToolEffects.Writes);
        var request = Request(SessionToolMode.AskForWrites, write);

        // Stored by the process that asked (it ended); decided now, with no loop waiting for it.
        var pending = new ToolApprovalRequest(Guid.NewGuid(), "local", request.SessionId, Guid.NewGuid(), "c1", "write", """{"path":"a.txt"}""", "tool has effects Writes", DateTimeOffset.UtcNow);
        _ = approvals.RequestAsync(pending, CancellationToken.None);
        var decided = approve ? await approvals.ApproveAsync(pending.Id, forSession: false, default) : await approvals.DenyAsync(pending.Id, "no", default);
        Assert.NotNull(decided);

        var client = new ScriptedChatClient(_ => [ScriptedChatClient.Text("Tool results received.")]);
        var requested = 0;
        var completed = new ConcurrentBag<ToolCallRecord>();
        var callbacks = new AgentLoopCallbacks
        {
            ToolCallRequested = (_, _) => { Interlocked.Increment(ref requested); return Task.CompletedTask; },
            ToolCallCompleted = (r, _) => { completed.Add(r); return Task.CompletedTask; },
        };
        List<ChatMessage> branch = [new(ChatRole.User, "write a.txt"), new(ChatRole.Assistant, "Writing.")];
        var updates = await Drain(Loop().RunAsync(client, branch, null, request with { DecidedApprovalId = pending.Id }, callbacks, default)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(approve ? 1 : 0, ran);
        Assert.Equal(0, requested); // the call is on the reply already
        var record = Assert.Single(completed);
        Assert.Equal(pending.Id, record.ApprovalRequestId);
        Assert.Equal(approve ? "approved by the person after a restart" : "denied by the person", record.ApprovedBy);
        Assert.Equal(approve ? "1" : """{"error":"The person denied this call: no"}""", record.ResultJson);
        Assert.Equal("Tool results received.", updates.Last().Text);
        Assert.DoesNotContain(updates, u => u.Role != ChatRole.Tool && u.Contents.Any(c => c is FunctionCallContent));

        // The model sees the branch, then the call and its result; no approval exchange.
        var sent = Assert.Single(client.Calls);
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.Assistant, ChatRole.Tool], sent.Select(m => m.Role));
        Assert.Equal("c1", Assert.IsType<FunctionCallContent>(Assert.Single(sent[2].Contents)).CallId);
        Assert.Equal(record.ResultJson, Assert.IsType<JsonElement>(Assert.IsType<FunctionResultContent>(Assert.Single(sent[3].Contents)).Result).GetRawText());
        Assert.Contains(traces.Events, e => e.Kind == AgentLoop.TraceKind && e.CorrelationId == "c1");
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
