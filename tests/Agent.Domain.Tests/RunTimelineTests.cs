using Agent.Domain.Telemetry;

namespace Agent.Domain.Tests;

public sealed class RunTimelineTests
{
    private static readonly Guid Run = Guid.NewGuid();
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static TraceEvent Event(string kind, string name, double durationMs, double endsAtMs, string data, Guid? run = null) =>
        new(Guid.NewGuid(), "local", null, run ?? Run, kind, name, data, durationMs, null, T0.AddMilliseconds(endsAtMs));

    [Fact]
    public void Steps_start_at_their_end_minus_their_duration_in_the_order_they_began_with_outcome_and_detail()
    {
        var timeline = RunTimeline.Build(Run,
        [
            Event(TraceKinds.ProviderCall, "openai/gpt", 300, 1300, """{"outcome":"ok","inputTokens":120,"outputTokens":30,"timeToFirstTokenMs":90.4,"retries":2}"""),
            Event(TraceKinds.ToolCall, "write_file", 50, 1000, """{"outcome":"denied","approvedBy":"denied by the person"}"""),
            Event(TraceKinds.Approval, "write_file", 600, 950, """{"decision":"Denied","reason":"not now"}"""),
            Event(TraceKinds.ProviderCall, "openai/gpt", 100, 350, """{"outcome":"ok","inputTokens":100,"outputTokens":8,"estimated":true}"""),
            Event(TraceKinds.Compaction, "context", 40, 1400, """{"summary":"12 turns summarized"}"""),
            Event(TraceKinds.ToolCall, "other run", 5, 10, "{}", Guid.NewGuid()),
        ]);

        Assert.Equal(
            [
                (TraceKinds.ProviderCall, 0d, 100d, "ok", "~100 in / ~8 out tokens (estimated)"),
                (TraceKinds.Approval, 100d, 600d, "denied", "reason: not now"),
                (TraceKinds.ToolCall, 700d, 50d, "denied", "denied by the person"),
                (TraceKinds.ProviderCall, 750d, 300d, "ok", "120 in / 30 out tokens · first token 90 ms · 2 retries"),
                (TraceKinds.Compaction, 1110d, 40d, null, "12 turns summarized"),
            ],
            timeline.Entries.Select(e => (e.Kind, e.StartMs, e.DurationMs, e.Outcome, e.Detail)).ToArray());
        Assert.Equal(1150, timeline.TotalMs);
    }

    [Fact]
    public void A_run_without_events_or_with_unreadable_data_still_builds()
    {
        Assert.Empty(RunTimeline.Build(Run, []).Entries);
        var entry = Assert.Single(RunTimeline.Build(Run, [Event(TraceKinds.ToolCall, "x", 1, 1, "not json")]).Entries);
        Assert.Equal((null, ""), (entry.Outcome, entry.Detail));
    }
}
