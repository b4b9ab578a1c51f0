using System.Diagnostics;
using Agent.Domain.Telemetry;

namespace Agent.Runtime.Telemetry;

/// <summary>One timed stage of a turn: when it began after the turn's clock started, and how long it took.</summary>
public sealed record TurnStage(string Name, TimeSpan Start, TimeSpan Duration);

/// <summary>
/// Times the stages of one turn up to its model call (admission, the reply and settings reads, each context read, the
/// tools), so the run's trace shows where the time before the first token went. Stages that run in parallel overlap.
/// Each stage is also an Activity of <see cref="AgentInstrumentation.SourceName"/> for an EventPipe or OpenTelemetry listener.
/// </summary>
public sealed class TurnStages(TimeProvider time, ActivitySource? activities = null)
{
    private readonly long origin = time.GetTimestamp();
    private readonly DateTimeOffset originAt = time.GetUtcNow();
    private readonly List<TurnStage> stages = [];

    public IReadOnlyList<TurnStage> Stages
    {
        get
        {
            lock (stages)
            {
                return [.. stages];
            }
        }
    }

    /// <summary>A stage that ended before the clock started (the wait in the runtime's queue), from its wall-clock start.</summary>
    public void AddBefore(string name, DateTimeOffset startedAt)
    {
        var duration = originAt - startedAt;
        if (duration > TimeSpan.Zero)
        {
            Add(new TurnStage(name, -duration, duration));
        }
    }

    public async Task<T> TimeAsync<T>(string name, Func<Task<T>> stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        var start = time.GetTimestamp();
        using var activity = activities?.StartActivity($"turn {name}");
        try
        {
            return await stage();
        }
        finally
        {
            Add(new TurnStage(name, time.GetElapsedTime(origin, start), time.GetElapsedTime(start)));
        }
    }

    public async Task TimeAsync(string name, Func<Task> stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        await TimeAsync(name, async () =>
        {
            await stage();
            return true;
        });
    }

    /// <summary>The stages as trace events of the run, each ending when its stage ended.</summary>
    public IReadOnlyList<TraceEvent> ToTraceEvents(string tenantId, Guid? sessionId, Guid executionId) =>
        Stages.Select(s => new TraceEvent(
            Guid.NewGuid(), tenantId, sessionId, executionId, TraceKinds.TurnStage, s.Name,
            "{}", s.Duration.TotalMilliseconds, null, originAt + s.Start + s.Duration)).ToList();

    private void Add(TurnStage stage)
    {
        lock (stages)
        {
            stages.Add(stage);
        }
    }
}
