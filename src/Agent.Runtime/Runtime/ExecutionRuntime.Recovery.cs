using Agent.Domain.Runtime;

namespace Agent.Runtime.Runtime;

/// <summary>Start-up recovery: what the previous process left unfinished.</summary>
public sealed partial class ExecutionRuntime
{
    /// <summary>Turns executions left created, queued or running into interrupted, then resumes, retries or leaves each per its intent's policy.</summary>
    public async Task<RecoveryReport> RecoverAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var found = await executions.ListByStatusAsync(ExecutionLifecycle.InFlight, cancellationToken);
        var now = time.GetUtcNow();
        var plans = new List<(ExecutionRecord Record, RecoveryPolicy Policy, IntentRegistration? Registration)>();
        var changes = new List<(ExecutionRecord Record, WalEntry Entry)>();
        foreach (var record in found)
        {
            var registration = registry.TryResolve(record.Intent, out var reg) ? reg : null;
            var policy = registration?.Metadata.Policy.Recovery ?? RecoveryPolicy.Leave;
            if (policy == RecoveryPolicy.RestartIfNeverStarted)
            {
                policy = record.StartedAt is null && record.Status is ExecutionStatus.Created or ExecutionStatus.Queued ? RecoveryPolicy.Retry : RecoveryPolicy.Leave;
            }
            if (policy == RecoveryPolicy.Retry && record.Attempts >= registration!.Metadata.Policy.MaxAttempts)
            {
                policy = RecoveryPolicy.Leave;
            }

            var previous = record.Status;
            var message = policy switch
            {
                _ when registration is null => $"Interrupted: the server stopped while this was {previous.ToString().ToLowerInvariant()}; intent '{record.Intent}' is not registered in this build, so it is left for you.",
                RecoveryPolicy.Leave => $"Interrupted: the server stopped while this was {previous.ToString().ToLowerInvariant()}. Press Retry to run it again.",
                RecoveryPolicy.Resume => "Interrupted by a restart; resuming from its last checkpoint.",
                _ when previous is not ExecutionStatus.Running => "Interrupted by a restart before it started; running it now.",
                _ => "Interrupted by a restart; retrying from the start.",
            };
            ExecutionLifecycle.EnsureCanTransition(record.Id, previous, ExecutionStatus.Interrupted);
            var interrupted = record with { Status = ExecutionStatus.Interrupted, ProgressMessage = message };
            changes.Add((interrupted, Entry(interrupted, WalEntryKind.LifecycleTransition, "execution.interrupted",
                new { from = previous.ToString(), to = nameof(ExecutionStatus.Interrupted), reason = "the previous process ended with this execution unfinished", recovery = policy.ToString() }, now)));
            plans.Add((interrupted, policy, registration));
        }

        var entries = await journal.UpdateManyAsync(changes, cancellationToken);
        for (var i = 0; i < changes.Count; i++)
        {
            feed.Publish(new ExecutionChange(changes[i].Record, entries[i]));
        }

        // Requeue what the policy resumes or retries: one transaction for all, then start each.
        var requeue = plans.Where(p => p.Registration is not null && p.Policy != RecoveryPolicy.Leave).ToList();
        var queuedChanges = new List<(ExecutionRecord Record, WalEntry Entry)>(requeue.Count);
        foreach (var (record, policy, _) in requeue)
        {
            if (policy == RecoveryPolicy.Retry)
            {
                await stateStore.ClearScopeAsync(StateScopes.Execution(record.TenantId, record.Id), cancellationToken);
            }

            ExecutionLifecycle.EnsureCanTransition(record.Id, record.Status, ExecutionStatus.Queued);
            var queued = record with { Status = ExecutionStatus.Queued, ProgressMessage = policy == RecoveryPolicy.Resume ? "Queued: resuming after a restart." : "Queued: retrying after a restart.", EndedAt = null };
            queuedChanges.Add((queued, Entry(queued, WalEntryKind.LifecycleTransition, policy == RecoveryPolicy.Resume ? "execution.resumed" : "execution.retry_scheduled",
                new { from = nameof(ExecutionStatus.Interrupted), to = nameof(ExecutionStatus.Queued), detail = new { reason = "recovery", policy = policy.ToString() } }, now)));
        }

        var queuedEntries = await journal.UpdateManyAsync(queuedChanges, cancellationToken);
        for (var i = 0; i < requeue.Count; i++)
        {
            var (queued, _) = queuedChanges[i];
            feed.Publish(new ExecutionChange(queued, queuedEntries[i]));
            var a = active.GetOrAdd(queued.Id, _ => new ActiveExecution(queued, stopping.Token));
            Start(a, requeue[i].Registration!, isResume: requeue[i].Policy == RecoveryPolicy.Resume);
        }

        var requeued = requeue.Count;
        var report = new RecoveryReport(found.Count, requeued, found.Count - requeued, time.GetElapsedTime(started));
        if (found.Count > 0)
        {
            logger.LogInformation("Recovery: {Found} executions were unfinished; {Requeued} resumed or retried, {Left} left interrupted ({Elapsed} ms)",
                report.Found, report.Requeued, report.LeftInterrupted, report.Elapsed.TotalMilliseconds);
        }

        return report;
    }
}
