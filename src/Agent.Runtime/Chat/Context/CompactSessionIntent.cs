using System.Text.Json;
using Agent.Domain.Runtime;
using ExecutionContext = Agent.Domain.Runtime.ExecutionContext;

namespace Agent.Runtime.Chat.Context;

/// <summary>The compact_session intent: summarizes a session's oldest turns into a compaction checkpoint.</summary>
public static class CompactSessionIntent
{
    public const string Name = "compact_session";

    /// <summary>The message the compacted branch ends at (the turn that needed the room).</summary>
    public const string LeafKey = "leafMessageId";

    /// <summary>
    /// One attempt: a failed summarizer must not hold the waiting turn back; it goes on without the summary. It runs in
    /// the slot of the turn that waits for it (a tenant cap of 1 would otherwise leave both waiting).
    /// </summary>
    public static IntentMetadata Metadata { get; } = new(
        "Summarizes the oldest turns of a session into a compaction checkpoint so the session fits the model's context window.",
        new IntentPolicy(TimeSpan.FromMinutes(10), 1, RecoveryPolicy.Leave, BackoffOptions.Default),
        RunsInParentSlot: true,
        IdKeys: [new(LeafKey, OwnedIdKind.Message)],
        Scope: IntentScope.Session);
}

public sealed class CompactSessionHandler(SessionCompactor compactor) : IIntentHandler
{
    public async Task<IntentResult> HandleAsync(ExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.SessionId is not { } sessionId)
        {
            throw new PermanentIntentFailureException("compact_session needs the session id.");
        }

        if (!Guid.TryParse(context.ParameterValue(CompactSessionIntent.LeafKey), out var leafId))
        {
            throw new PermanentIntentFailureException($"parameter '{CompactSessionIntent.LeafKey}' must be the id of the message the branch ends at.");
        }

        try
        {
            var checkpoint = await compactor.CompactAsync(context.TenantId, sessionId, leafId, context.ExecutionId, cancellationToken);
            var payload = checkpoint is null
                ? "{\"compacted\":false}"
                : JsonSerializer.Serialize(new { compacted = true, checkpointId = checkpoint.Id, leafMessageId = checkpoint.LeafMessageId, summaryCharacters = checkpoint.Summary?.Length ?? 0 });
            return new IntentResult([], [new DomainEvent("session.compacted", payload)]);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not PermanentIntentFailureException)
        {
            throw new PermanentIntentFailureException($"The summarizer failed: {ex.Message}");
        }
    }
}
