using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using Agent.Runtime.Runtime;
using Agent.Runtime.Telemetry;
using ExecutionContext = Agent.Domain.Runtime.ExecutionContext;

namespace Agent.Runtime.Chat.Context;

/// <summary>
/// Builds a turn's request; when it would pass the configured share of the window, a compact_session execution
/// (a child of the turn, in its slot) summarizes the oldest turns first and the request is built again. A compaction
/// that fails or is refused leaves the turn going on without the oldest messages, with a notice on the reply.
/// </summary>
public sealed class TurnCompaction(ChatContextService contexts, IServiceProvider services)
{
    public async Task<(BuiltContext Built, string? Notice)> BuildAsync(ChatSession session, Guid? anchorId, string? instruction, ChatSettings settings, ExecutionContext turn, CancellationToken cancellationToken, TurnStages? stages = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(turn);
        var built = await contexts.BuildAsync(session, anchorId, instruction, settings, stages, cancellationToken);
        var source = built.Source;
        if (!built.Plan.NeedsCompaction || source.Turns.Count == 0)
        {
            return (built, null);
        }

        // Resolved on use: the runtime holds the intent registry, whose handlers (this turn's among them) are built before it.
        var runtime = services.GetRequiredService<ExecutionRuntime>();
        SubmitOutcome child;
        try
        {
            child = await runtime.SubmitAsync(
                new ExecutionRequest(CompactSessionIntent.Name, session.TenantId, session.Id, null,
                    new Dictionary<string, string> { [ExecutionRuntime.ParentExecutionKey] = turn.ExecutionId.ToString() }, null)
                {
                    Parameters = new Dictionary<string, string> { [CompactSessionIntent.LeafKey] = source.Turns[^1].Id.ToString() },
                },
                cancellationToken);
        }
        catch (Exception ex) when (ex is CapsExceededException or SubmissionRejectedException)
        {
            return (built, Notice(ex.Message, built.Plan.DroppedTurns));
        }

        // Stopping the turn while its session is compacted stops the compaction too (the wait cancels what it waits for).
        var ended = await runtime.WhenEndedAsync(session.TenantId, child.Execution.Id, cancellationToken)
            .WaitAsync(CompactSessionIntent.Metadata.Policy.Timeout + TimeSpan.FromMinutes(1), cancellationToken);

        // Read again: the compaction just written is on the branch now.
        var rebuilt = await contexts.BuildAsync(session, await contexts.ReadTurnsAsync(session, anchorId, cancellationToken), instruction, settings, cancellationToken);
        return (rebuilt, ended.Status == ExecutionStatus.Completed ? null : Notice(ended.Error ?? "it did not complete", rebuilt.Plan.DroppedTurns));
    }

    private static string Notice(string reason, int droppedTurns) =>
        $"Compacting the session failed ({reason}). This reply was sent without the {droppedTurns} oldest messages that did not fit; the session stays usable.";
}
