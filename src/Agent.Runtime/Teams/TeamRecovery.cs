using System.Text.Json;
using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Teams;
using Agent.Runtime.Chat;
using Agent.Runtime.Runtime;

namespace Agent.Runtime.Teams;

/// <summary>What Resume did: the members started again and those left alone (deeper tasks their parent re-runs).</summary>
public sealed record TeamResumeOutcome(Guid RootExecutionId, IReadOnlyList<Guid> Restarted, IReadOnlyList<Guid> Cancelled);

/// <summary>
/// Resumes a team run a crash interrupted: every interrupted member the coordinator asked runs its task again (a new
/// attempt of the same execution); deeper interrupted tasks are cancelled because their parent's new attempt asks
/// again if it needs to. When the members have answered, their answers go to the coordinator's interrupted reply as
/// the results of its ask_agent calls and the coordinator goes on from there.
/// </summary>
public sealed class TeamRecovery(
    ExecutionRuntime runtime,
    ITeamTaskStore tasks,
    IMessageStore messages,
    ChatCoordinator chat,
    IHostApplicationLifetime lifetime,
    ILogger<TeamRecovery> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Whether the run has interrupted members (the Team panel offers Resume then).</summary>
    public async Task<bool> CanResumeAsync(string tenantId, Guid rootExecutionId, CancellationToken cancellationToken)
    {
        foreach (var task in await tasks.ListByRootAsync(tenantId, rootExecutionId, cancellationToken))
        {
            if (task.ExecutionId is { } id && (await runtime.FindAsync(tenantId, id, cancellationToken))?.Status == ExecutionStatus.Interrupted)
            {
                return true;
            }
        }

        return false;
    }

    public async Task<TeamResumeOutcome> ResumeAsync(string tenantId, Guid rootExecutionId, CancellationToken cancellationToken)
    {
        var root = await runtime.FindAsync(tenantId, rootExecutionId, cancellationToken)
            ?? throw new KeyNotFoundException($"Execution {rootExecutionId} does not exist.");
        var all = await tasks.ListByRootAsync(tenantId, root.Id, cancellationToken);
        if (all.Count == 0)
        {
            throw new ArgumentException($"Execution {rootExecutionId} is not the chat turn of a team run.", nameof(rootExecutionId));
        }

        var interrupted = new List<TeamTask>();
        foreach (var task in all.Where(t => t.ExecutionId is not null))
        {
            if ((await runtime.FindAsync(tenantId, task.ExecutionId!.Value, cancellationToken))?.Status == ExecutionStatus.Interrupted)
            {
                interrupted.Add(task);
            }
        }

        if (interrupted.Count == 0)
        {
            throw new ExecutionStateConflictException("No member of this run is interrupted; there is nothing to resume.");
        }

        var cancelled = new List<Guid>();
        foreach (var deeper in interrupted.Where(t => t.Depth > 1))
        {
            await runtime.CancelAsync(tenantId, deeper.ExecutionId!.Value, cancellationToken);
            cancelled.Add(deeper.ExecutionId!.Value);
        }

        var restarted = new List<Guid>();
        foreach (var member in interrupted.Where(t => t.Depth == 1))
        {
            await runtime.RetryAsync(tenantId, member.ExecutionId!.Value, cancellationToken);
            restarted.Add(member.ExecutionId!.Value);
        }

        // The coordinator's turn is gone with the old process; it goes on once the members answer (owned by the app, not the request).
        _ = Task.Run(() => ContinueCoordinatorAsync(tenantId, root.Id, all[0].SessionId, all[0].ReplyMessageId, restarted, lifetime.ApplicationStopping), CancellationToken.None);
        return new TeamResumeOutcome(root.Id, restarted, cancelled);
    }

    private async Task ContinueCoordinatorAsync(string tenantId, Guid rootId, Guid sessionId, Guid replyId, IReadOnlyList<Guid> restarted, CancellationToken stopping)
    {
        try
        {
            foreach (var id in restarted)
            {
                await runtime.WhenEndedAsync(tenantId, id, stopping);
            }

            var reply = await messages.FindAsync(tenantId, replyId, stopping);
            if (reply is null || reply.Status is MessageStatus.Streaming or MessageStatus.Complete)
            {
                return;
            }

            var answered = reply.Parts.OfType<ToolResultPart>().Select(r => r.CallId).ToHashSet(StringComparer.Ordinal);
            var results = new List<ToolResultPart>();
            foreach (var task in (await tasks.ListByRootAsync(tenantId, rootId, stopping)).Where(t => t.Depth == 1 && !answered.Contains(t.CallId)).GroupBy(t => t.CallId).Select(g => g.Last()))
            {
                var status = task.ExecutionId is { } id ? (await runtime.FindAsync(tenantId, id, stopping))?.Status : null;
                var ok = status == ExecutionStatus.Completed;
                var json = ok
                    ? JsonSerializer.Serialize(new { agent = task.AgentId, answer = task.Result ?? task.Text, tokens = task.Tokens, cost = task.Cost }, Json)
                    : JsonSerializer.Serialize(new { error = $"{task.AgentName} did not finish: {task.Result ?? status?.ToString() ?? "unknown"}" }, Json);
                results.Add(new ToolResultPart(task.CallId, json, !ok, "resumed after a restart"));
            }

            await chat.ContinueWithToolResultsAsync(tenantId, sessionId, replyId, results, stopping);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Resuming the coordinator of team run {RootExecutionId} failed; use Continue on the reply", rootId);
        }
        catch (OperationCanceledException)
        {
            // The app is stopping; the reply stays interrupted and can be continued later.
        }
    }
}
