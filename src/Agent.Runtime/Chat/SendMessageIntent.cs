using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using ExecutionContext = Agent.Domain.Runtime.ExecutionContext;

namespace Agent.Runtime.Chat;

/// <summary>The send_message intent: one chat turn streamed inside an execution of the runtime.</summary>
public static class SendMessageIntent
{
    public const string Name = "send_message";
    public const string MessageIdKey = "messageId";

    /// <summary>
    /// One attempt: a provider failure is retried inside the provider pipeline before the first byte only, so
    /// text is never duplicated. After a restart the turn is left interrupted; the chat offers Continue and Retry.
    /// </summary>
    public static IntentMetadata Metadata { get; } = new(
        "A chat turn: streams the assistant's reply into the session and persists it in batches.",
        new IntentPolicy(TimeSpan.FromMinutes(30), 1, RecoveryPolicy.Leave, BackoffOptions.Default),
        IdKeys: [new(MessageIdKey, OwnedIdKind.Message)]);
}

/// <summary>Runs the turn the coordinator prepared, through the streamer (which does not depend on the runtime).</summary>
public sealed class SendMessageHandler : IIntentHandler
{
    private readonly ChatTurnStreamer streamer;

    public SendMessageHandler(ChatTurnStreamer streamer)
    {
        ArgumentNullException.ThrowIfNull(streamer);
        this.streamer = streamer;
    }

    public async Task<IntentResult> HandleAsync(ExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var coordinator = streamer;
        if (!Guid.TryParse(context.MetadataValue(SendMessageIntent.MessageIdKey), out var messageId))
        {
            throw new PermanentIntentFailureException($"metadata '{SendMessageIntent.MessageIdKey}' must be the id of the reply to stream.");
        }

        // The runtime refused another tenant's message id at submit; the turn itself is checked too, and another
        // tenant's turn reads exactly like a missing one.
        var turn = coordinator.TurnFor(messageId);
        if (turn is null || turn.Reply.TenantId != context.TenantId || (context.SessionId is { } sessionId && turn.Reply.SessionId != sessionId))
        {
            throw new PermanentIntentFailureException("This reply was being streamed by a previous server process; use Continue or Retry on the message.");
        }

        var status = await coordinator.StreamAsync(turn, context.ExecutionId, cancellationToken);
        return status switch
        {
            MessageStatus.Cancelled => throw new OperationCanceledException("The reply was stopped.", cancellationToken),
            MessageStatus.Failed => throw new PermanentIntentFailureException("The provider failed; the error is shown on the message."),
            _ => new IntentResult([], [new DomainEvent("chat.reply_completed", $"{{\"messageId\":\"{messageId}\",\"characters\":{turn.Run.Text.Length}}}")]),
        };
    }
}
