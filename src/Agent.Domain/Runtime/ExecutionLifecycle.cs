namespace Agent.Domain.Runtime;

/// <summary>
/// The execution state machine. Only the runtime moves an execution between states; every move is checked here.
/// created -> queued -> running -> completed | failed | cancelled; running -> interrupted (process ended);
/// interrupted -> queued (resume or retry); running -> queued (waiting out a retry backoff);
/// failed | cancelled -> queued (retry asked by a person); created | queued | interrupted -> cancelled.
/// </summary>
public static class ExecutionLifecycle
{
    private static readonly IReadOnlyDictionary<ExecutionStatus, ExecutionStatus[]> Allowed = new Dictionary<ExecutionStatus, ExecutionStatus[]>
    {
        [ExecutionStatus.Created] = [ExecutionStatus.Queued, ExecutionStatus.Cancelled, ExecutionStatus.Interrupted],
        [ExecutionStatus.Queued] = [ExecutionStatus.Running, ExecutionStatus.Cancelled, ExecutionStatus.Interrupted],
        [ExecutionStatus.Running] = [ExecutionStatus.Completed, ExecutionStatus.Failed, ExecutionStatus.Cancelled, ExecutionStatus.Interrupted, ExecutionStatus.Queued],
        [ExecutionStatus.Interrupted] = [ExecutionStatus.Queued, ExecutionStatus.Cancelled],
        [ExecutionStatus.Failed] = [ExecutionStatus.Queued],
        [ExecutionStatus.Cancelled] = [ExecutionStatus.Queued],
        [ExecutionStatus.Completed] = [],
    };

    public static bool CanTransition(ExecutionStatus from, ExecutionStatus to) =>
        Allowed.TryGetValue(from, out var targets) && targets.Contains(to);

    /// <summary>Throws <see cref="IllegalTransitionException"/> when the move is not allowed.</summary>
    public static void EnsureCanTransition(Guid executionId, ExecutionStatus from, ExecutionStatus to)
    {
        if (!CanTransition(from, to))
        {
            throw new IllegalTransitionException(executionId, from, to);
        }
    }

    /// <summary>States in which the handler is not running and will not run without a new request.</summary>
    public static bool IsTerminal(ExecutionStatus status) =>
        status is ExecutionStatus.Completed or ExecutionStatus.Failed or ExecutionStatus.Cancelled;

    /// <summary>States a process can die in with work outstanding; recovery turns them into <see cref="ExecutionStatus.Interrupted"/>.</summary>
    public static IReadOnlyList<ExecutionStatus> InFlight { get; } = [ExecutionStatus.Created, ExecutionStatus.Queued, ExecutionStatus.Running];

    public static bool CanCancel(ExecutionStatus status) => CanTransition(status, ExecutionStatus.Cancelled);

    /// <summary>A person may retry what failed, was cancelled or was interrupted.</summary>
    public static bool CanRetry(ExecutionStatus status) =>
        status is ExecutionStatus.Failed or ExecutionStatus.Cancelled or ExecutionStatus.Interrupted;
}

public sealed class IllegalTransitionException(Guid executionId, ExecutionStatus from, ExecutionStatus to)
    : InvalidOperationException($"Execution {executionId} cannot move from {from} to {to}.")
{
    public Guid ExecutionId { get; } = executionId;

    public ExecutionStatus From { get; } = from;

    public ExecutionStatus To { get; } = to;
}
