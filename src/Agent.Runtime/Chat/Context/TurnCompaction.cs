using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using Agent.Runtime.Runtime;
using ExecutionContext = Agent.Domain.Runtime.ExecutionContext;

namespace Agent.Runtime.Chat.Context;

/// <summary>
/// Builds a turn's request; when it would pass the configured share of the window, a compact_session execution
/// (a child of the turn, in its slot) summarizes the oldest turns first and the request is built again. A compaction
/// that fails or is refused leaves the turn going on without the oldest messages, with a notice on the reply.
/// </summary>
public sealed class TurnCompaction(ChatContextService contexts, ExecutionFeed feed, IServiceProvider services)
{
    public async Task<(BuiltContext Built, string? Notice)> BuildAsync(ChatSession session, Guid? anchorId, string? instruction, ExecutionContext turn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(turn);
        var source = await contexts.ReadTurnsAsync(session, anchorId, cancellationToken);
        var built = await contexts.BuildAsync(session, source, instruction, cancellationToken);
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

        ExecutionRecord ended;
        try
        {
            ended = await WhenEndedAsync(runtime, session.TenantId, child.Execution.Id, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The turn was stopped while its session was being compacted: the compaction stops too.
            try
            {
                await runtime.CancelAsync(session.TenantId, child.Execution.Id, CancellationToken.None);
            }
            catch (ExecutionStateConflictException)
            {
                // It ended in the meantime.
            }

            throw;
        }

        // Read again: the compaction just written is on the branch now.
        var rebuilt = await contexts.BuildAsync(session, await contexts.ReadTurnsAsync(session, anchorId, cancellationToken), instruction, cancellationToken);
        return (rebuilt, ended.Status == ExecutionStatus.Completed ? null : Notice(ended.Error ?? "it did not complete", rebuilt.Plan.DroppedTurns));
    }

    private static string Notice(string reason, int droppedTurns) =>
        $"Compacting the session failed ({reason}). This reply was sent without the {droppedTurns} oldest messages that did not fit; the session stays usable.";

    private async Task<ExecutionRecord> WhenEndedAsync(ExecutionRuntime runtime, string tenantId, Guid executionId, CancellationToken cancellationToken)
    {
        var ended = new TaskCompletionSource<ExecutionRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = feed.Subscribe(change =>
        {
            if (change.Execution.Id == executionId && ExecutionLifecycle.IsTerminal(change.Execution.Status))
            {
                ended.TrySetResult(change.Execution);
            }
        });
        if (await runtime.FindAsync(tenantId, executionId, cancellationToken) is { } now && ExecutionLifecycle.IsTerminal(now.Status))
        {
            ended.TrySetResult(now);
        }

        return await ended.Task.WaitAsync(CompactSessionIntent.Metadata.Policy.Timeout + TimeSpan.FromMinutes(1), cancellationToken);
    }
}
