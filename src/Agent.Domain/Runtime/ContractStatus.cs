namespace Agent.Domain.Runtime;

/// <summary>
/// An execution's status in the runtime contract's words: <see cref="Status"/> is one of the contract's lower-case
/// lifecycle names (created, running, completed, failed, cancelled) and <see cref="SubStatus"/> adds ours, or is null:
/// queued (with created: waiting for a slot), awaiting_approval (with running: a tool call waits for a person) and
/// interrupted (with failed: the process died while it ran; Continue or Retry starts it again).
/// </summary>
public sealed record ContractStatus(string Status, string? SubStatus)
{
    public const string Created = "created";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public const string Queued = "queued";
    public const string AwaitingApproval = "awaiting_approval";
    public const string Interrupted = "interrupted";

    /// <summary>
    /// The one mapping from the stored lifecycle to the contract's. <paramref name="awaitingApproval"/> (a pending tool
    /// approval of this execution) only matters while it runs; the lifecycle itself does not record it.
    /// </summary>
    public static ContractStatus Of(ExecutionStatus status, bool awaitingApproval = false) => status switch
    {
        ExecutionStatus.Created => new(Created, null),
        ExecutionStatus.Queued => new(Created, Queued),
        ExecutionStatus.Running => new(Running, awaitingApproval ? AwaitingApproval : null),
        ExecutionStatus.Completed => new(Completed, null),
        ExecutionStatus.Failed => new(Failed, null),
        ExecutionStatus.Cancelled => new(Cancelled, null),
        ExecutionStatus.Interrupted => new(Failed, Interrupted),
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Not an execution status."),
    };

    /// <summary>
    /// Nothing more happens to an execution in this state unless someone asks (retry, continue) or a restart recovers
    /// it: completed, failed (interrupted included) and cancelled.
    /// </summary>
    public bool HasEnded => Status is Completed or Failed or Cancelled;
}
