using System.Globalization;
using Agent.Domain.Runtime;
using MudBlazor;

namespace Agent.Web.Components.Pages;

/// <summary>How the Runs page and its detail dialog write a run for people: intent in words, status, times and durations.</summary>
public static class RunFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly Dictionary<string, string> IntentWords = new(StringComparer.Ordinal)
    {
        ["send_message"] = "Reply in chat",
        ["run_team_task"] = "Team task",
        ["compact_session"] = "Compaction",
        ["ingest_attachment"] = "Reading an attachment",
        ["summarize_day"] = "Day summary",
        ["demo_long_task"] = "Diagnostic task",
        ["diagnostic_sleep"] = "Diagnostic pause",
    };

    /// <summary>The intent in words; an unknown one with its separators as spaces, in sentence case.</summary>
    public static string Intent(string intent)
    {
        if (IntentWords.TryGetValue(intent, out var words))
        {
            return words;
        }

        var spaced = string.Join(' ', intent.Split(['_', '-', '.', ' '], StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
        return spaced.Length == 0 ? intent : char.ToUpperInvariant(spaced[0]) + spaced[1..];
    }

    /// <summary>The intent names whose words contain <paramref name="text"/> (case-insensitive), for the title filter.</summary>
    public static IReadOnlyCollection<string> IntentsMatching(string text) =>
        [.. IntentWords.Where(p => p.Value.Contains(text.Trim(), StringComparison.OrdinalIgnoreCase)).Select(p => p.Key)];

    /// <summary>The status as the grid's attributes and chips name it: lower case.</summary>
    public static string StatusName(ExecutionStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>The status for people, in sentence case.</summary>
    public static string StatusLabel(ExecutionStatus status) => status.ToString();

    public static Color StatusColor(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Completed => Color.Success,
        ExecutionStatus.Failed => Color.Error,
        ExecutionStatus.Running or ExecutionStatus.Queued or ExecutionStatus.Created => Color.Info,
        ExecutionStatus.Interrupted => Color.Warning,
        _ => Color.Default,
    };

    /// <summary>
    /// When, relative to now in the provider's local time zone: "just now", "2 min ago", "3 h ago" (same day),
    /// "yesterday 14:05", "Mon 14:05" (this week), "3 Dec 14:05" (this year), "3 Dec 2025".
    /// </summary>
    public static string Relative(DateTimeOffset at, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var ago = now - at;
        if (ago < TimeSpan.FromMinutes(1))
        {
            return "just now";
        }

        if (ago < TimeSpan.FromHours(1))
        {
            return $"{(int)ago.TotalMinutes} min ago";
        }

        var zone = time.LocalTimeZone;
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var today = TimeZoneInfo.ConvertTime(now, zone).Date;
        var days = (today - local.Date).Days;
        return days switch
        {
            0 => $"{(int)ago.TotalHours} h ago",
            1 => $"yesterday {local.ToString("HH:mm", Invariant)}",
            < 7 => local.ToString("ddd HH:mm", Invariant),
            _ when local.Year == today.Year => local.ToString("d MMM HH:mm", Invariant),
            _ => local.ToString("d MMM yyyy", Invariant),
        };
    }

    /// <summary>The full local timestamp, for a tooltip beside <see cref="Relative"/>.</summary>
    public static string Full(DateTimeOffset at, TimeProvider time) =>
        TimeZoneInfo.ConvertTime(at, time.LocalTimeZone).ToString("yyyy-MM-dd HH:mm:ss zzz", Invariant);

    /// <summary>"1.2 s", "3 min 4 s", "1 h 2 min"; "running for …" while it has not ended; "–" before it started.</summary>
    public static string Duration(ExecutionRecord run, TimeProvider time)
    {
        if (run.StartedAt is not { } started)
        {
            return "–";
        }

        var span = Span((run.EndedAt ?? time.GetUtcNow()) - started);
        return run.EndedAt is null ? $"running for {span}" : span;
    }

    /// <summary>A length of time in words: tenths of a second under a minute, then minutes and seconds, then hours and minutes.</summary>
    public static string Span(TimeSpan elapsed)
    {
        if (elapsed < TimeSpan.Zero)
        {
            elapsed = TimeSpan.Zero;
        }

        if (elapsed < TimeSpan.FromMinutes(1))
        {
            return string.Create(Invariant, $"{Math.Floor(elapsed.TotalSeconds * 10) / 10:0.0} s");
        }

        if (elapsed < TimeSpan.FromHours(1))
        {
            return elapsed.Seconds == 0 ? $"{elapsed.Minutes} min" : $"{elapsed.Minutes} min {elapsed.Seconds} s";
        }

        var hours = (int)elapsed.TotalHours;
        return elapsed.Minutes == 0 ? $"{hours} h" : $"{hours} h {elapsed.Minutes} min";
    }
}
