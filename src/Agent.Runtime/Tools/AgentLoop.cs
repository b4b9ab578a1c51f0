using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Agent.Domain.Configuration;
using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Agent.Domain.Tools;
using Agent.Runtime.Hosting;
using Agent.Runtime.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.Tools;

/// <summary>Who a turn runs for and with which tools (see <see cref="ToolRegistry.PrepareTurnAsync"/>).</summary>
/// <param name="MaxSteps">Model calls of this turn; null: Agent:Tools:MaxSteps (a team member runs with its team's limit).</param>
/// <param name="DecidedApprovalId">
/// A call decided after the process that asked about it ended (a stored <see cref="ToolApprovalRequest"/>): the turn
/// runs it (or answers the denial) through the library before the model goes on.
/// </param>
public sealed record AgentLoopRequest(string TenantId, Guid? SessionId, Guid? ExecutionId, ToolSet Tools, SessionToolMode Mode, int? MaxSteps = null, Guid? DecidedApprovalId = null);

/// <summary>One tool call of a turn: started (no result yet) or completed.</summary>
public sealed record ToolCallRecord(
    string CallId,
    string ToolName,
    string ArgumentsJson,
    ApprovalVerdict Verdict,
    string ApprovedBy,
    string? ResultJson = null,
    bool IsError = false,
    double DurationMs = 0,
    Guid? ApprovalRequestId = null,
    string Outcome = ToolCallOutcomes.Ok)
{
    public ToolCallPart ToCallPart() => new(CallId, ToolName, ArgumentsJson);

    public ToolResultPart ToResultPart() => new(CallId, ResultJson ?? "null", IsError, ApprovedBy, DurationMs);
}

/// <summary>How a tool call ended (the outcome recorded on its trace event, span and metric).</summary>
public static class ToolCallOutcomes
{
    public const string Ok = "ok";
    public const string Error = "error";
    public const string Timeout = "timeout";
    public const string Denied = "denied";
    public const string Refused = "refused";
}

/// <summary>What the caller learns during a turn; each callback may be null. Called from parallel calls, so keep them thread-safe.</summary>
public sealed class AgentLoopCallbacks
{
    /// <summary>The model asked for a call (arguments known, not run yet).</summary>
    public Func<ToolCallRecord, CancellationToken, Task>? ToolCallRequested { get; init; }

    /// <summary>The call waits for the person: show <see cref="ToolApprovalRequest.ArgumentsJson"/> and approve/deny through <see cref="ToolApprovalService"/>.</summary>
    public Func<ToolApprovalRequest, CancellationToken, Task>? ApprovalRequested { get; init; }

    /// <summary>The call finished (result or error, duration, who approved it).</summary>
    public Func<ToolCallRecord, CancellationToken, Task>? ToolCallCompleted { get; init; }

    /// <summary>A wait for the person's decision begins; disposing the result ends it (turn timings leave these waits out).</summary>
    public Func<IDisposable>? WaitingForPerson { get; init; }
}

/// <summary>
/// The agent loop: Microsoft.Extensions.AI's <see cref="FunctionInvokingChatClient"/> runs model -> tool calls (in
/// parallel) -> results -> model; every call goes through <see cref="InvokeAsync"/> (approval verdict, per-call timeout,
/// archive of large results, trace, span, metric, callbacks). Every update of the model is yielded as it streams; the
/// library yields each batch's results as one update with role Tool.
/// </summary>
public sealed class AgentLoop(
    ToolApprovalService approvals,
    ITraceStore traces,
    TimeProvider time,
    IOptions<AgentOptions> options,
    IArtifactStore? artifacts = null,
    AppInfo? app = null,
    AgentInstrumentation? instrumentation = null)
{
    public const string ResultArtifactType = "tool_result";

    public const string TraceKind = TraceKinds.ToolCall;

    /// <summary>Key of the model's call id in <see cref="AIFunctionArguments.Context"/> (ask_agent links its member task to the call).</summary>
    public const string CallIdContextKey = "callId";

    // Readable JSON (no \u0027 for quotes): it is shown to the person as text and read by the model, never put into HTML raw.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async IAsyncEnumerable<ChatResponseUpdate> RunAsync(
        IChatClient client,
        IEnumerable<ChatMessage> messages,
        ChatOptions? chatOptions,
        AgentLoopRequest request,
        AgentLoopCallbacks? callbacks,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        var turn = new Turn(request, callbacks ?? new AgentLoopCallbacks(), Math.Max(1, request.MaxSteps ?? options.Value.Tools.MaxSteps));
        var chat = chatOptions?.Clone() ?? new ChatOptions();
        var offered = await OfferAsync(request, cancellationToken);
        chat.Tools = offered.Count > 0 ? offered : null;
        turn.Offered.UnionWith(offered.Select(t => t.Name));

        // One per turn: the invoker and the stand-ins for unknown tools belong to this turn's request and callbacks.
        using var steps = new StepLimit(client, turn);
        using var invoking = new FunctionInvokingChatClient(steps)
        {
            AllowConcurrentInvocation = true,
            MaximumIterationsPerRequest = turn.MaxSteps, // a backstop: StepLimit ends the turn first
            AdditionalTools = turn.StandIns,
            FunctionInvoker = (context, ct) => InvokeAsync(turn, context, ct),
        };

        var history = new List<ChatMessage>(messages);
        var resumed = await ResumeDecidedAsync(turn, history, cancellationToken);
        while (true)
        {
            var updates = new List<ChatResponseUpdate>();
            await foreach (var update in invoking.GetStreamingResponseAsync(history, chat, cancellationToken))
            {
                updates.Add(update);

                // After a pause the library repeats the calls the person decided on before it runs them; the caller has them.
                if (!(resumed && update.Role != ChatRole.Tool && update.Contents.Count > 0 && update.Contents.All(c => c is FunctionCallContent fc && turn.Prepared.ContainsKey(fc.CallId))))
                {
                    yield return update;
                }
            }

            var asked = updates.SelectMany(u => u.Contents).OfType<ToolApprovalRequestContent>().ToList();
            if (asked.Count == 0)
            {
                break;
            }

            Settle(history);
            history.AddRange(updates.ToChatResponse().Messages);
            history.Add(new ChatMessage(ChatRole.User, await DecideAsync(turn, asked, cancellationToken)));
            resumed = true;
        }

        if (turn.LeftUnrun > 0)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, $"\n\n(Stopped: the step limit of {turn.MaxSteps} model calls was reached with {turn.LeftUnrun} tool call(s) left unrun.)");
        }
    }

    /// <summary>
    /// Kept (with <see cref="DecideAsync"/>): a decision that outlived its process. The stored call and the person's
    /// decision go into the history as the library's approval request and response, so the library runs the call (or
    /// our invoker answers the denial) exactly as if the turn had waited for it, and the model goes on from the result.
    /// </summary>
    private async Task<bool> ResumeDecidedAsync(Turn turn, List<ChatMessage> history, CancellationToken cancellationToken)
    {
        var request = turn.Request;
        if (request.DecidedApprovalId is not { } id
            || await approvals.FindAsync(request.TenantId, id, cancellationToken) is not { } decided
            || decided.Status is ToolApprovalStatus.Pending or ToolApprovalStatus.Cancelled)
        {
            return false;
        }

        var call = new FunctionCallContent(decided.CallId, decided.ToolName, JsonSerializer.Deserialize<Dictionary<string, object?>>(decided.ArgumentsJson));
        var approval = new ToolApprovalRequestContent(decided.Id.ToString("N"), call);
        history.Add(new ChatMessage(ChatRole.Assistant, [approval]));
        history.Add(new ChatMessage(ChatRole.User, [approval.CreateResponse(true)]));
        var tool = request.Tools.Find(decided.ToolName);
        var refusal = tool is null ? $"There is no tool named '{decided.ToolName}'."
            : ToolApprovalPolicy.Decide(tool.Spec, request.Mode, approvedForSession: true) is { Verdict: ApprovalVerdict.Refuse } refused ? refused.Reason
            : null;
        if (!turn.Offered.Contains(decided.ToolName))
        {
            turn.AddStandIn(decided.ToolName);
        }

        var record = new ToolCallRecord(decided.CallId, decided.ToolName, decided.ArgumentsJson, ApprovalVerdict.Run, "approved by the person after a restart", ApprovalRequestId: decided.Id);
        record = !decided.IsApproved ? record with { Verdict = ApprovalVerdict.Ask, ApprovedBy = "denied by the person", ResultJson = ErrorJson($"The person denied this call: {decided.DenyReason}"), IsError = true, Outcome = ToolCallOutcomes.Denied }
            : refusal is not null ? record with { Verdict = ApprovalVerdict.Refuse, ResultJson = ErrorJson(refusal), IsError = true, Outcome = ToolCallOutcomes.Refused }
            : record;
        turn.Prepared[decided.CallId] = new PreparedCall(record, Stopwatch.GetTimestamp());
        return true;
    }

    /// <summary>
    /// Drops the approval requests and answers of a pause the library has already settled: its answer to them (the
    /// calls and their results) follows in the history, and a second pause in the same turn must not hand them back.
    /// </summary>
    private static void Settle(List<ChatMessage> history)
    {
        for (var i = history.Count - 1; i >= 0; i--)
        {
            var kept = history[i].Contents.Where(c => c is not ToolApprovalRequestContent and not ToolApprovalResponseContent).ToList();
            if (kept.Count == history[i].Contents.Count)
            {
                continue;
            }

            if (kept.Count == 0)
            {
                history.RemoveAt(i);
            }
            else
            {
                var message = history[i].Clone();
                message.Contents = kept;
                history[i] = message;
            }
        }
    }

    /// <summary>
    /// Kept: per-tenant tool sets. The library invokes whatever tools it is handed; which tools this tenant and session
    /// have, enabled and with which approval, is the registry's (<see cref="AgentLoopRequest.Tools"/>), handed over per
    /// turn. The ones whose verdict is Ask are wrapped so the library asks before running them.
    /// </summary>
    private async Task<List<AITool>> OfferAsync(AgentLoopRequest request, CancellationToken cancellationToken)
    {
        var offered = new List<AITool>();
        foreach (var function in request.Tools.ForModel().OfType<AIFunction>())
        {
            var ask = request.Tools.Find(function.Name) is { } tool
                && ToolApprovalPolicy.Decide(tool.Spec, request.Mode, approvedForSession: false).Verdict == ApprovalVerdict.Ask
                && !await approvals.IsApprovedForSessionAsync(request.TenantId, request.SessionId, tool.Spec.Name, cancellationToken);
            offered.Add(ask ? new ApprovalRequiredAIFunction(function) : function);
        }

        return offered;
    }

    /// <summary>
    /// Kept: approvals that survive a restart. The library only hands the approval requests back to its caller; the
    /// pending request must be stored (ToolApprovalService) so it is listed, decided in the chat and still there after
    /// a restart. When one call of a batch needs approval the library asks about every call of the batch
    /// (RequiresConfirmation false for the others): each call is decided again here, and only the ones whose verdict is
    /// still Ask go to the person; the others are refused or run at once, while the person decides. Every call is answered "approved" to the library:
    /// a denied one reaches <see cref="InvokeAsync"/>, which answers with the denial without running the tool, because
    /// the library's own rejection is its sentence ("Tool call invocation rejected."), not our error JSON, and skips
    /// the callbacks, trace and metric.
    /// </summary>
    private async Task<List<AIContent>> DecideAsync(Turn turn, List<ToolApprovalRequestContent> asked, CancellationToken cancellationToken)
    {
        var answers = await Task.WhenAll(asked.Select(async approval =>
        {
            var call = (FunctionCallContent)approval.ToolCall;
            var (record, started) = await RequestAsync(turn, call, cancellationToken);
            if (record is { Verdict: ApprovalVerdict.Ask, ResultJson: null })
            {
                (record, started) = await AskPersonAsync(turn, call, record, started, cancellationToken);
                turn.Prepared[call.CallId] = new PreparedCall(record, started);
            }
            else
            {
                // Needs nobody: refused or run now, as if alone in its batch, while the person decides on the others;
                // the library gets the result when it invokes the call.
                record = record.ResultJson is null
                    ? await RunCallAsync(turn, call, record, cancellationToken)
                    : await CompleteAsync(record, turn.Request, turn.Callbacks, turn.Steps, started);
                turn.Prepared[call.CallId] = new PreparedCall(record, started, Completed: true);
            }

            return (AIContent)approval.CreateResponse(true);
        }));
        return [.. answers];
    }

    /// <summary>The verdict on a call (policy and session grant), announced through ToolCallRequested.</summary>
    private async Task<(ToolCallRecord Record, long Started)> RequestAsync(Turn turn, FunctionCallContent call, CancellationToken cancellationToken)
    {
        var request = turn.Request;
        var argumentsJson = JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), Json);
        var tool = request.Tools.Find(call.Name);
        ApprovalDecision decision;
        if (tool is null)
        {
            decision = new ApprovalDecision(ApprovalVerdict.Refuse, $"There is no tool named '{call.Name}'.");
        }
        else
        {
            var granted = await approvals.IsApprovedForSessionAsync(request.TenantId, request.SessionId, tool.Spec.Name, cancellationToken);
            decision = ToolApprovalPolicy.Decide(tool.Spec, request.Mode, granted);
        }

        var record = new ToolCallRecord(call.CallId, call.Name, argumentsJson, decision.Verdict, decision.Reason);
        if (turn.Callbacks.ToolCallRequested is { } requested)
        {
            await requested(record, cancellationToken);
        }

        return decision.Verdict == ApprovalVerdict.Refuse
            ? (record with { ResultJson = ErrorJson(decision.Reason), IsError = true, Outcome = ToolCallOutcomes.Refused }, Stopwatch.GetTimestamp())
            : (record, Stopwatch.GetTimestamp());
    }

    /// <summary>Stores the pending request (it survives a restart and shows in the chat) and waits for the person.</summary>
    private async Task<(ToolCallRecord Record, long Started)> AskPersonAsync(Turn turn, FunctionCallContent call, ToolCallRecord record, long started, CancellationToken cancellationToken)
    {
        var request = turn.Request;
        var pending = new ToolApprovalRequest(Guid.NewGuid(), request.TenantId, request.SessionId, request.ExecutionId, call.CallId, call.Name, record.ArgumentsJson, record.ApprovedBy, time.GetUtcNow());
        var waiting = await approvals.SubmitAsync(pending, cancellationToken);
        if (turn.Callbacks.ApprovalRequested is { } asked)
        {
            await asked(pending, cancellationToken);
        }

        ToolApprovalRequest decided;
        using (turn.Callbacks.WaitingForPerson?.Invoke())
        {
            decided = await waiting;
        }

        record = record with { ApprovalRequestId = pending.Id };
        await RecordApprovalAsync(pending, decided, request, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (!decided.IsApproved)
        {
            return (record with { ApprovedBy = "denied by the person", ResultJson = ErrorJson($"The person denied this call: {decided.DenyReason}"), IsError = true, Outcome = ToolCallOutcomes.Denied }, started);
        }

        return (record with { Verdict = ApprovalVerdict.Run, ApprovedBy = decided.Status == ToolApprovalStatus.ApprovedForSession ? "approved by the person for the session" : "approved by the person" }, started);
    }

    /// <summary>The library's FunctionInvoker: every call of the turn, run or answered with its refusal or denial.</summary>
    private async ValueTask<object?> InvokeAsync(Turn turn, FunctionInvocationContext context, CancellationToken cancellationToken)
    {
        var call = context.CallContent;
        if (turn.Prepared.TryGetValue(call.CallId, out var prepared) && prepared.Completed)
        {
            return new FunctionResultContent(call.CallId, JsonSerializer.Deserialize<JsonElement>(prepared.Record.ResultJson ?? "null"));
        }

        var (record, started) = prepared is not null ? (prepared.Record, prepared.Started) : await RequestAsync(turn, call, cancellationToken);
        if (record is { Verdict: ApprovalVerdict.Ask, ResultJson: null })
        {
            // Offered without approval at the start of the turn but Ask now: asked here rather than run unasked.
            (record, started) = await AskPersonAsync(turn, call, record, started, cancellationToken);
        }

        record = record.ResultJson is null
            ? await RunCallAsync(turn, call, record, cancellationToken)
            : await CompleteAsync(record, turn.Request, turn.Callbacks, turn.Steps, started);
        return new FunctionResultContent(call.CallId, JsonSerializer.Deserialize<JsonElement>(record.ResultJson ?? "null"));
    }

    private async Task<ToolCallRecord> RunCallAsync(Turn turn, FunctionCallContent call, ToolCallRecord record, CancellationToken cancellationToken)
    {
        var request = turn.Request;
        var tool = request.Tools.Find(call.Name)!;
        var step = turn.Steps;
        var started = Stopwatch.GetTimestamp();
        using var activity = instrumentation?.Source.StartActivity($"execute_tool {call.Name}", System.Diagnostics.ActivityKind.Internal);
        activity?.SetTag("gen_ai.operation.name", "execute_tool");
        activity?.SetTag("gen_ai.tool.name", call.Name);
        activity?.SetTag("gen_ai.tool.call.id", call.CallId);
        activity?.SetTag("agent.execution.id", request.ExecutionId?.ToString());
        if (options.Value.Telemetry.OtelIncludeSensitiveData)
        {
            activity?.SetTag("gen_ai.tool.call.arguments", record.ArgumentsJson);
        }

        var timeout = tool.Function is AgentTool { CallTimeout: { } own } ? own : TimeSpan.FromSeconds(Math.Max(1, options.Value.Tools.CallTimeoutSeconds));
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            var arguments = new AIFunctionArguments(call.Arguments) { Context = new Dictionary<object, object?> { [CallIdContextKey] = call.CallId } };
            var result = await tool.Function.InvokeAsync(arguments, limit.Token);
            var json = await ArchiveIfLargeAsync(ToJson(result), call, request, cancellationToken);
            return await CompleteAsync(record with { ResultJson = json }, request, turn.Callbacks, step, started);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "timeout");
            return await CompleteAsync(record with { ResultJson = ErrorJson($"The tool '{call.Name}' timed out after {timeout.TotalSeconds:0} s."), IsError = true, Outcome = ToolCallOutcomes.Timeout }, request, turn.Callbacks, step, started);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The result goes to the model and the chat: the failure's words, never its exception type (that is on the span).
            var message = ex is ToolException ? ex.Message : $"The tool '{call.Name}' failed: {ex.Message}";
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.GetType().Name);
            activity?.SetTag("error.type", ex.GetType().Name);
            return await CompleteAsync(record with { ResultJson = ErrorJson(message), IsError = true, Outcome = ToolCallOutcomes.Error }, request, turn.Callbacks, step, started);
        }
    }

    private async Task<ToolCallRecord> CompleteAsync(ToolCallRecord record, AgentLoopRequest request, AgentLoopCallbacks callbacks, int step, long started)
    {
        record = record with { DurationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds };
        System.Diagnostics.Activity.Current?.SetTag("agent.tool.outcome", record.Outcome);
        var tags = new TagList { { "gen_ai.tool.name", record.ToolName }, { "agent.tool.outcome", record.Outcome } };
        instrumentation?.ToolCalls.Add(1, tags);
        instrumentation?.ToolCallDuration.Record(record.DurationMs / 1000, tags);
        var data = JsonSerializer.Serialize(
            new
            {
                record.CallId,
                tool = record.ToolName,
                outcome = record.Outcome,
                arguments = JsonSerializer.Deserialize<JsonElement>(record.ArgumentsJson),
                result = JsonSerializer.Deserialize<JsonElement>(record.ResultJson ?? "null"),
                record.IsError,
                verdict = record.Verdict.ToString(),
                record.ApprovedBy,
                record.ApprovalRequestId,
                step,
            },
            Json);
        if (options.Value.Telemetry.RecordToolCalls)
        {
            await traces.AddAsync(
            new TraceEvent(Guid.NewGuid(), request.TenantId, request.SessionId, request.ExecutionId, TraceKind, record.ToolName, data, record.DurationMs, record.CallId, time.GetUtcNow()),
            CancellationToken.None);
        }

        if (callbacks.ToolCallCompleted is { } completed)
        {
            await completed(record, CancellationToken.None);
        }

        return record;
    }

    /// <summary>The wait for the person's decision, as its own event on the run's timeline.</summary>
    private async Task RecordApprovalAsync(ToolApprovalRequest pending, ToolApprovalRequest decided, AgentLoopRequest request, double waitedMs)
    {
        if (!options.Value.Telemetry.RecordToolCalls)
        {
            return;
        }

        var data = JsonSerializer.Serialize(new { pending.CallId, tool = pending.ToolName, decision = decided.Status.ToString(), reason = decided.DenyReason }, Json);
        await traces.AddAsync(
            new TraceEvent(Guid.NewGuid(), request.TenantId, request.SessionId, request.ExecutionId, TraceKinds.Approval, pending.ToolName, data, waitedMs, pending.CallId, time.GetUtcNow()),
            CancellationToken.None);
    }

    /// <summary>A result over the size limit goes to a file artifact of the execution; the model gets a preview and the artifact id.</summary>
    private async Task<string> ArchiveIfLargeAsync(string json, FunctionCallContent call, AgentLoopRequest request, CancellationToken cancellationToken)
    {
        var limit = Math.Max(1024, options.Value.Tools.LargeResultChars);
        if (json.Length <= limit || artifacts is null || app is null || request.ExecutionId is not { } executionId)
        {
            return json;
        }

        var id = Guid.NewGuid();
        var folder = Path.Combine(app.ContentRoot, "data", "artifacts", "tool-results");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{id:N}.json");
        await File.WriteAllTextAsync(path, json, cancellationToken);
        var now = time.GetUtcNow();
        await artifacts.AddAsync(
            new Artifact(id, ResultArtifactType, request.TenantId, "send_message", executionId, ArtifactLifecycle.Ready, $"{call.Name} result of call {call.CallId}", [], [new Materialization("file", path, "application/json", new FileInfo(path).Length)], now, now),
            cancellationToken);
        return JsonSerializer.Serialize(new { truncated = true, artifactId = id, totalChars = json.Length, preview = json[..Math.Min(json.Length, limit / 2)] }, Json);
    }

    internal static string ErrorJson(string message) => JsonSerializer.Serialize(new { error = message }, Json);

    internal static string ToJson(object? result) => result switch
    {
        null => "null",
        JsonElement e => e.GetRawText(),
        JsonDocument d => d.RootElement.GetRawText(),
        _ => JsonSerializer.Serialize(result, result.GetType(), Json),
    };

    /// <summary>What one turn's invocations share (the library calls <see cref="InvokeAsync"/> from parallel calls).</summary>
    private sealed class Turn(AgentLoopRequest request, AgentLoopCallbacks callbacks, int maxSteps)
    {
        private int steps;
        private int leftUnrun;

        public AgentLoopRequest Request => request;

        public AgentLoopCallbacks Callbacks => callbacks;

        public int MaxSteps => maxSteps;

        /// <summary>Model calls so far; while a batch runs, the step that asked for it.</summary>
        public int Steps => Volatile.Read(ref steps);

        public int LeftUnrun => Volatile.Read(ref leftUnrun);

        public HashSet<string> Offered { get; } = new(StringComparer.Ordinal);

        /// <summary>Calls the library asked about, decided before it runs them.</summary>
        public ConcurrentDictionary<string, PreparedCall> Prepared { get; } = new(StringComparer.Ordinal);

        /// <summary>The library's AdditionalTools: a stand-in per tool name the model used that was not offered.</summary>
        public List<AITool> StandIns { get; } = [];

        public int NextStep() => Interlocked.Increment(ref steps);

        public void LeaveUnrun() => Interlocked.Increment(ref leftUnrun);

        public void AddStandIn(string name)
        {
            if (!StandIns.Exists(t => t.Name == name))
            {
                StandIns.Add(new NotOffered(name));
            }
        }
    }

    /// <summary>A call decided before the library invokes it; <paramref name="Completed"/>: it already ran or was refused.</summary>
    private sealed record PreparedCall(ToolCallRecord Record, long Started, bool Completed = false);

    /// <summary>
    /// A name the model called that was not offered (unknown, disabled, set to never). Without it the library answers
    /// with its own "not found" text and never reaches <see cref="InvokeAsync"/>, which refuses the call as before.
    /// </summary>
    private sealed class NotOffered(string name) : AIFunction
    {
        public override string Name => name;

        protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"'{name}' is answered by the agent loop's invoker.");
    }

    /// <summary>
    /// Kept: the step limit over a whole turn, with its notice. The library counts iterations per request (a turn
    /// that paused for an approval re-enters it and would start again from zero), runs at least one batch of calls,
    /// and withdraws the tools on its last iteration instead of telling the person. Sits under the library and counts
    /// the model calls: the calls of the last allowed step are marked informational, so the library leaves them unrun.
    /// </summary>
    private sealed class StepLimit(IChatClient inner, Turn turn) : DelegatingChatClient(inner)
    {
        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var step = turn.NextStep();
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                foreach (var call in update.Contents.OfType<FunctionCallContent>().Where(c => !c.InformationalOnly))
                {
                    if (step >= turn.MaxSteps)
                    {
                        call.InformationalOnly = true;
                        turn.LeaveUnrun();
                    }
                    else if (!turn.Offered.Contains(call.Name))
                    {
                        turn.AddStandIn(call.Name);
                    }
                }

                yield return update;
            }
        }

        // Our execute_tool span (with the execution id and outcome) is the one; the library's would wrap it twice.
        public override object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(ActivitySource) ? null : base.GetService(serviceType, serviceKey);

        protected override void Dispose(bool disposing)
        {
            // The caller's client: it owns it.
        }
    }
}
