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
public sealed record AgentLoopRequest(string TenantId, Guid? SessionId, Guid? ExecutionId, ToolSet Tools, SessionToolMode Mode, int? MaxSteps = null);

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
}

/// <summary>
/// The agent loop (ours; FunctionInvokingChatClient is not available): model -> tool calls (in parallel) -> results
/// -> model, until the model answers without tool calls or the step limit is reached. Every update of the model is
/// yielded as it streams; tool results are yielded as one update with role Tool.
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
        callbacks ??= new AgentLoopCallbacks();
        var history = new List<ChatMessage>(messages);
        var chat = chatOptions?.Clone() ?? new ChatOptions();
        var offered = request.Tools.ForModel();
        chat.Tools = offered.Count > 0 ? offered : null;
        var maxSteps = Math.Max(1, request.MaxSteps ?? options.Value.Tools.MaxSteps);

        for (var step = 1; ; step++)
        {
            var updates = new List<ChatResponseUpdate>();
            await foreach (var update in client.GetStreamingResponseAsync(history, chat, cancellationToken))
            {
                updates.Add(update);
                yield return update;
            }

            var response = updates.ToChatResponse();
            history.AddRange(response.Messages);
            var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            if (calls.Count == 0)
            {
                yield break;
            }

            if (step >= maxSteps)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, $"\n\n(Stopped: the step limit of {maxSteps} model calls was reached with {calls.Count} tool call(s) left unrun.)");
                yield break;
            }

            var results = await Task.WhenAll(calls.Select(call => RunCallAsync(call, request, callbacks, step, cancellationToken)));
            var contents = results.Select(r => (AIContent)new FunctionResultContent(r.CallId, JsonSerializer.Deserialize<JsonElement>(r.ResultJson ?? "null"))).ToList();
            history.Add(new ChatMessage(ChatRole.Tool, contents));
            yield return new ChatResponseUpdate(ChatRole.Tool, contents);
        }
    }

    private async Task<ToolCallRecord> RunCallAsync(FunctionCallContent call, AgentLoopRequest request, AgentLoopCallbacks callbacks, int step, CancellationToken cancellationToken)
    {
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
        if (callbacks.ToolCallRequested is { } requested)
        {
            await requested(record, cancellationToken);
        }

        var started = Stopwatch.GetTimestamp();
        if (decision.Verdict == ApprovalVerdict.Refuse)
        {
            return await CompleteAsync(record with { ResultJson = ErrorJson(decision.Reason), IsError = true, Outcome = ToolCallOutcomes.Refused }, request, callbacks, step, started);
        }

        if (decision.Verdict == ApprovalVerdict.Ask)
        {
            var pending = new ToolApprovalRequest(Guid.NewGuid(), request.TenantId, request.SessionId, request.ExecutionId, call.CallId, call.Name, argumentsJson, decision.Reason, time.GetUtcNow());
            var waiting = await approvals.SubmitAsync(pending, cancellationToken);
            if (callbacks.ApprovalRequested is { } asked)
            {
                await asked(pending, cancellationToken);
            }

            var decided = await waiting;
            record = record with { ApprovalRequestId = pending.Id };
            await RecordApprovalAsync(pending, decided, request, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (!decided.IsApproved)
            {
                return await CompleteAsync(record with { ApprovedBy = "denied by the person", ResultJson = ErrorJson($"The person denied this call: {decided.DenyReason}"), IsError = true, Outcome = ToolCallOutcomes.Denied }, request, callbacks, step, started);
            }

            record = record with { Verdict = ApprovalVerdict.Run, ApprovedBy = decided.Status == ToolApprovalStatus.ApprovedForSession ? "approved by the person for the session" : "approved by the person" };
        }

        started = Stopwatch.GetTimestamp();
        using var activity = instrumentation?.Source.StartActivity($"execute_tool {call.Name}", System.Diagnostics.ActivityKind.Internal);
        activity?.SetTag("gen_ai.operation.name", "execute_tool");
        activity?.SetTag("gen_ai.tool.name", call.Name);
        activity?.SetTag("gen_ai.tool.call.id", call.CallId);
        activity?.SetTag("agent.execution.id", request.ExecutionId?.ToString());
        if (options.Value.Telemetry.OtelIncludeSensitiveData)
        {
            activity?.SetTag("gen_ai.tool.call.arguments", argumentsJson);
        }

        var timeout = tool!.Function is AgentTool { CallTimeout: { } own } ? own : TimeSpan.FromSeconds(Math.Max(1, options.Value.Tools.CallTimeoutSeconds));
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            var arguments = new AIFunctionArguments(call.Arguments) { Context = new Dictionary<object, object?> { [CallIdContextKey] = call.CallId } };
            var result = await tool.Function.InvokeAsync(arguments, limit.Token);
            var json = await ArchiveIfLargeAsync(ToJson(result), call, request, cancellationToken);
            return await CompleteAsync(record with { ResultJson = json }, request, callbacks, step, started);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "timeout");
            return await CompleteAsync(record with { ResultJson = ErrorJson($"The tool '{call.Name}' timed out after {timeout.TotalSeconds:0} s."), IsError = true, Outcome = ToolCallOutcomes.Timeout }, request, callbacks, step, started);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The result goes to the model and the chat: the failure's words, never its exception type (that is on the span).
            var message = ex is ToolException ? ex.Message : $"The tool '{call.Name}' failed: {ex.Message}";
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.GetType().Name);
            activity?.SetTag("error.type", ex.GetType().Name);
            return await CompleteAsync(record with { ResultJson = ErrorJson(message), IsError = true, Outcome = ToolCallOutcomes.Error }, request, callbacks, step, started);
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
}
