namespace Agent.Runtime.Runtime;

/// <summary>The "Agent:Runtime" section: knobs of the execution runtime beyond the control plane's caps (Agent:Caps).</summary>
public sealed class ExecutionRuntimeOptions
{
    public const string SectionName = "Agent:Runtime";

    /// <summary>Executions of one tenant that may wait for a slot; a submission beyond it is refused with 429.</summary>
    public int MaxQueuedPerTenant { get; set; } = 1000;

    /// <summary>Recover executions left unfinished by the previous process at start.</summary>
    public bool RecoverOnStart { get; set; } = true;

    /// <summary>How long a stopping host waits for handlers to observe cancellation.</summary>
    public int ShutdownDrainMilliseconds { get; set; } = 3000;

    /// <summary>The install's solution id (<c>Agent:SolutionId</c>): every execution's context carries it.</summary>
    public string SolutionId { get; set; } = DefaultSolutionId;

    public const string DefaultSolutionId = "personal-agent-chat";

    /// <summary>Seed of the backoff jitter; null seeds from the system.</summary>
    public int? JitterSeed { get; set; }

    /// <summary>
    /// Seconds without an event after which an execution's event stream (GET /api/execution/{id}/events as
    /// text/event-stream) writes a keep-alive comment, so proxies and browsers keep an idle stream open.
    /// </summary>
    public double SseHeartbeatSeconds { get; set; } = 15;

    public TimeSpan SseHeartbeat => TimeSpan.FromSeconds(SseHeartbeatSeconds);
}
