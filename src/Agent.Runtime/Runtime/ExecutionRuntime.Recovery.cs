using System.Text.Json;
using Agent.Domain.Runtime;
using Agent.Domain.Storage;

namespace Agent.Runtime.Runtime;

/// <summary>Start-up recovery: what the previous process left unfinished.</summary>
public sealed partial class ExecutionRuntime
{
    /// <summary>
    /// Turns executions left created, queued or running into interrupted, then resumes, retries or leaves each per its
    /// intent's policy. Set-based: the unfinished are counted in groups that recover alike (intent, status, started or
    /// not, attempts), the policy is decided once per group, and the journal writes each group with a few statements in
    /// one transaction; only what is requeued is read back, to start it.
    /// </summary>
    public async Task<RecoveryReport> RecoverAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var groups = await journal.UnfinishedAsync(ExecutionLifecycle.InFlight, cancellationToken);
        var now = time.GetUtcNow();
        var steps = new List<RecoveryStep>(groups.Count);
        var resumes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var registration = registry.TryResolve(group.Intent, out var reg) ? reg : null;
            var policy = PolicyFor(group, registration);
            var previous = group.Status;
            var message = policy switch
            {
                _ when registration is null => $"Interrupted: the server stopped while this was {previous.ToString().ToLowerInvariant()}; intent '{group.Intent}' is not registered in this build, so it is left for you.",
                RecoveryPolicy.Leave => $"Interrupted: the server stopped while this was {previous.ToString().ToLowerInvariant()}. Press Retry to run it again.",
                RecoveryPolicy.Resume => "Interrupted by a restart; resuming from its last checkpoint.",
                _ when previous is not ExecutionStatus.Running => "Interrupted by a restart before it started; running it now.",
                _ => "Interrupted by a restart; retrying from the start.",
            };
            ExecutionLifecycle.EnsureCanTransition(Guid.Empty, previous, ExecutionStatus.Interrupted);
            var interruptedPayload = JsonSerializer.Serialize(
                new { from = previous.ToString(), to = nameof(ExecutionStatus.Interrupted), reason = "the previous process ended with this execution unfinished", recovery = policy.ToString() }, Json);
            RecoveryRequeue? requeue = null;
            if (registration is not null && policy != RecoveryPolicy.Leave)
            {
                ExecutionLifecycle.EnsureCanTransition(Guid.Empty, ExecutionStatus.Interrupted, ExecutionStatus.Queued);
                var resume = policy == RecoveryPolicy.Resume;
                if (resume)
                {
                    resumes.Add(group.Intent);
                }

                requeue = new RecoveryRequeue(
                    resume ? "Queued: resuming after a restart." : "Queued: retrying after a restart.",
                    resume ? "execution.resumed" : "execution.retry_scheduled",
                    JsonSerializer.Serialize(new { from = nameof(ExecutionStatus.Interrupted), to = nameof(ExecutionStatus.Queued), detail = new { reason = "recovery", policy = policy.ToString() } }, Json),
                    ClearState: !resume);
            }

            steps.Add(new RecoveryStep(group, message, interruptedPayload, requeue));
        }

        var written = steps.Count == 0 ? new RecoveryWrite(0, []) : await journal.RecoverAsync(steps, now, cancellationToken);

        // Nothing subscribes to the feed before the host has started, so only what starts now is published.
        foreach (var queued in written.Requeued)
        {
            feed.Publish(new ExecutionChange(queued, null));
            var a = active.GetOrAdd(queued.Id, _ => new ActiveExecution(queued, stopping.Token));
            Start(a, registry.Resolve(queued.Intent), isResume: resumes.Contains(queued.Intent));
        }

        var found = groups.Sum(g => g.Count);
        var requeued = written.Requeued.Count;
        var report = new RecoveryReport(found, requeued, found - requeued, time.GetElapsedTime(started));
        if (found > 0)
        {
            logger.LogInformation("Recovery: {Found} executions were unfinished; {Requeued} resumed or retried, {Left} left interrupted ({Elapsed} ms)",
                report.Found, report.Requeued, report.LeftInterrupted, report.Elapsed.TotalMilliseconds);
        }

        return report;
    }

    private static RecoveryPolicy PolicyFor(UnfinishedGroup group, IntentRegistration? registration)
    {
        var policy = registration?.Metadata.Policy.Recovery ?? RecoveryPolicy.Leave;
        if (policy == RecoveryPolicy.RestartIfNeverStarted)
        {
            policy = group.NeverStarted && group.Status is ExecutionStatus.Created or ExecutionStatus.Queued ? RecoveryPolicy.Retry : RecoveryPolicy.Leave;
        }

        if (policy == RecoveryPolicy.Retry && group.Attempts >= registration!.Metadata.Policy.MaxAttempts)
        {
            policy = RecoveryPolicy.Leave;
        }

        return policy;
    }
}
