using Agent.Domain.Storage;
using Agent.Domain.Telemetry;

namespace Agent.Runtime.Services;

/// <summary>Reads a run's trace events (provider calls, tool calls, approvals, compaction) as a timeline.</summary>
public sealed class ExecutionTraceService(ITraceStore traces)
{
    /// <summary>More than any turn records (each model call and tool call is one event; MaxSteps bounds them).</summary>
    private const int MaxEvents = 1000;

    public async Task<RunTimeline> TimelineAsync(string tenantId, Guid executionId, CancellationToken cancellationToken) =>
        RunTimeline.Build(executionId, await traces.ListAsync(tenantId, executionId, MaxEvents, cancellationToken));
}
