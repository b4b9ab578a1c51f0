using System.Globalization;
using System.Text.Json;
using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using ExecutionContext = Agent.Domain.Runtime.ExecutionContext;

namespace Agent.Runtime.Chat;

/// <summary>
/// The send_message intent: one chat turn. Its parameters say everything the turn needs (the stored reply, what it
/// answers or continues, the provider and model), so any process that holds the database can run it: a new turn,
/// one queued before a restart, a continue, a retry, or the rest of a turn after a tool decision all take this path.
/// </summary>
public static class SendMessageIntent
{
    public const string Name = "send_message";

    /// <summary>The assistant reply the turn streams into (stored, status streaming, before the execution is submitted).</summary>
    public const string MessageIdKey = "messageId";

    /// <summary>The message the prompt ends at: the user message answered, or the reply itself when it is continued.</summary>
    public const string AnchorKey = "anchorMessageId";

    public const string ProviderKey = "provider";
    public const string ModelKey = "model";

    /// <summary>"reply" (a new answer), "continue" (go on from a cut reply) or "tool_results" (go on after tool results were added).</summary>
    public const string ModeKey = "mode";

    /// <summary>With "tool_results": the stored tool approval, decided after a restart, whose call the turn runs first.</summary>
    public const string ApprovalKey = "approvalId";

    /// <summary>
    /// Recovery: a turn that never started runs after a restart; one that started is left interrupted (the reply keeps
    /// its text and offers Continue), so nothing the provider may have billed is spent again without the person.
    /// Provider failures are retried inside the provider pipeline before the first byte only, so one attempt.
    /// </summary>
    public static IntentMetadata Metadata { get; } = new(
        "A chat turn: streams the assistant's reply into the session and persists it in batches.",
        new IntentPolicy(TimeSpan.FromMinutes(30), 1, RecoveryPolicy.RestartIfNeverStarted, BackoffOptions.Default),
        IdKeys: [new(MessageIdKey, OwnedIdKind.Message), new(AnchorKey, OwnedIdKind.Message)],
        Scope: IntentScope.Session);

    /// <summary>The reply a send_message execution streams into: its parameter, or the metadata entry an earlier release wrote.</summary>
    public static Guid? ReplyIdOf(ExecutionRecord execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        foreach (var json in new[] { execution.ParametersJson, execution.MetadataJson })
        {
            if (JsonSerializer.Deserialize<Dictionary<string, string>>(json) is { } map && map.TryGetValue(MessageIdKey, out var raw) && Guid.TryParse(raw, out var id))
            {
                return id;
            }
        }

        return null;
    }

    public static Dictionary<string, string> Parameters(SessionMessage reply, Guid anchorId, TurnMode mode, Guid? approvalId = null)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [MessageIdKey] = reply.Id.ToString(),
            [AnchorKey] = anchorId.ToString(),
            [ProviderKey] = reply.ProviderName ?? "",
            [ModelKey] = reply.ModelId ?? "",
            [ModeKey] = mode switch
            {
                TurnMode.Continue => "continue",
                TurnMode.ToolResults => "tool_results",
                _ => "reply",
            },
        };
        if (approvalId is { } id)
        {
            parameters[ApprovalKey] = id.ToString();
        }

        return parameters;
    }
}

/// <summary>What kind of turn: a new answer, a continuation of a cut reply, or the model going on after tool results.</summary>
public enum TurnMode
{
    Reply,
    Continue,
    ToolResults,
}

/// <summary>A turn as its intent describes it.</summary>
public sealed record TurnRequest(string TenantId, Guid SessionId, Guid ReplyId, Guid? AnchorId, string? ProviderName, string? ModelId, TurnMode Mode, Guid? ApprovalId = null)
{
    /// <summary>The instruction added after the branch: the continue prompt, or none.</summary>
    public string? Instruction => Mode == TurnMode.Continue ? ChatPromptBuilder.ContinueInstruction : null;

    /// <summary>Reads the turn from an execution context; an execution written before parameters existed names only its reply.</summary>
    public static TurnRequest From(ExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.SessionId is not { } sessionId)
        {
            throw new PermanentIntentFailureException("A chat turn needs its session id.");
        }

        if (!Guid.TryParse(context.ParameterValue(SendMessageIntent.MessageIdKey), out var replyId))
        {
            throw new PermanentIntentFailureException($"parameter '{SendMessageIntent.MessageIdKey}' must be the id of the reply to stream.");
        }

        Guid? anchor = Guid.TryParse(context.ParameterValue(SendMessageIntent.AnchorKey), CultureInfo.InvariantCulture, out var a) ? a : null;
        var mode = context.ParameterValue(SendMessageIntent.ModeKey) switch
        {
            "continue" => TurnMode.Continue,
            "tool_results" => TurnMode.ToolResults,
            _ => TurnMode.Reply,
        };
        Guid? approval = Guid.TryParse(context.ParameterValue(SendMessageIntent.ApprovalKey), CultureInfo.InvariantCulture, out var d) ? d : null;
        return new TurnRequest(context.TenantId, sessionId, replyId, anchor, Blank(context.ParameterValue(SendMessageIntent.ProviderKey)), Blank(context.ParameterValue(SendMessageIntent.ModelKey)), mode, approval);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>Runs one turn through the streamer and reports the reply and its tool results as artifacts.</summary>
public sealed class SendMessageHandler(ChatTurnStreamer streamer) : IIntentHandler
{
    public const string ReplyArtifactType = "chat.reply";
    public const string ToolResultArtifactType = "chat.tool_result";

    public async Task<IntentResult> HandleAsync(ExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ended = await streamer.RunTurnAsync(TurnRequest.From(context), context, cancellationToken);
        var reply = ended.Reply;
        switch (reply.Status)
        {
            case MessageStatus.Cancelled:
                throw new OperationCanceledException("The reply was stopped.", cancellationToken);
            case MessageStatus.Failed:
                throw new PermanentIntentFailureException(reply.Error ?? "The provider failed; the error is shown on the message.");
        }

        var replyArtifact = new ArtifactDraft(
            ReplyArtifactType,
            $"The assistant's reply ({reply.Text.Length} characters, {reply.ProviderName}/{reply.ModelId}).",
            [],
            [new Materialization("message", reply.Id.ToString(), "text/markdown", reply.Text.Length)]);
        var toolResults = reply.Parts.OfType<ToolResultPart>()
            .Where(r => ended.NewToolCallIds.Contains(r.CallId))
            .Select(r => new ArtifactDraft(
                ToolResultArtifactType,
                $"Result of tool call {r.CallId}{(r.IsError ? " (an error)" : "")}.",
                [],
                [new Materialization("message_part", $"{reply.Id}#{r.CallId}", "application/json", r.ResultJson.Length)]));
        return new IntentResult(
            [replyArtifact, .. toolResults],
            [new DomainEvent("chat.reply_completed", $"{{\"messageId\":\"{reply.Id}\",\"characters\":{reply.Text.Length}}}")]);
    }
}
