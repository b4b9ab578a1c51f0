using System.Globalization;
using System.Text.Json;

namespace Agent.Domain.Telemetry;

/// <summary>One bar of a run's timeline: when it started (ms after the run's first event began), how long it took, how it ended.</summary>
public sealed record TimelineEntry(Guid Id, string Kind, string Name, double StartMs, double DurationMs, string? Outcome, string Detail, DateTimeOffset EndedAt);

/// <summary>Why a run took the path it took: its provider calls, tool calls, approvals (and compactions) in the order they began.</summary>
public sealed record RunTimeline(Guid ExecutionId, double TotalMs, IReadOnlyList<TimelineEntry> Entries)
{
    /// <summary>Trace events are written when a step ends, with its duration; the start is the end minus the duration.</summary>
    public static RunTimeline Build(Guid executionId, IEnumerable<TraceEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var steps = events
            .Where(e => e.ExecutionId == executionId)
            .Select(e => (Event: e, Start: e.OccurredAt.AddMilliseconds(-(e.DurationMs ?? 0))))
            .OrderBy(s => s.Start)
            .ThenBy(s => s.Event.OccurredAt)
            .ToList();
        if (steps.Count == 0)
        {
            return new RunTimeline(executionId, 0, []);
        }

        var origin = steps[0].Start;
        var entries = steps.Select(s =>
        {
            var (outcome, detail) = Describe(s.Event);
            return new TimelineEntry(s.Event.Id, s.Event.Kind, s.Event.Name, (s.Start - origin).TotalMilliseconds, s.Event.DurationMs ?? 0, outcome, detail, s.Event.OccurredAt);
        }).ToList();
        var total = entries.Max(e => e.StartMs + e.DurationMs);
        return new RunTimeline(executionId, total, entries);
    }

    private static (string? Outcome, string Detail) Describe(TraceEvent e)
    {
        JsonElement data;
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(e.DataJson) ? "{}" : e.DataJson);
            data = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return (null, "");
        }

        string? Text(string name) => data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        long? Number(string name) => data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;
        double? Real(string name) => data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        bool Flag(string name) => data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
        var culture = CultureInfo.InvariantCulture;
        switch (e.Kind)
        {
            case TraceKinds.ProviderCall:
                var parts = new List<string>();
                if (Number("inputTokens") is { } input && Number("outputTokens") is { } output)
                {
                    parts.Add(Flag("estimated")
                        ? string.Format(culture, "~{0} in / ~{1} out tokens (estimated)", input, output)
                        : string.Format(culture, "{0} in / {1} out tokens", input, output));
                }

                if (Real("timeToFirstTokenMs") is { } ttft)
                {
                    parts.Add(string.Format(culture, "first token {0:F0} ms", ttft));
                }

                if (Number("retries") is > 0 and var retries)
                {
                    parts.Add(retries == 1 ? "1 retry" : string.Format(culture, "{0} retries", retries));
                }

                if (Text("error") is { } error)
                {
                    parts.Add(error);
                }

                return (Text("outcome"), string.Join(" · ", parts));
            case TraceKinds.ToolCall:
                return (Text("outcome") ?? (Flag("isError") ? "error" : "ok"), Text("approvedBy") ?? "");
            case TraceKinds.Approval:
                return (Text("decision")?.ToLowerInvariant(), Text("reason") is { } reason ? $"reason: {reason}" : "");
            default:
                return (Text("outcome"), Text("summary") ?? "");
        }
    }
}
