using System.Globalization;
using System.Text;
using System.Text.Json;
using Agent.Domain.Memory;
using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using ExecutionContext = Agent.Domain.Runtime.ExecutionContext;

namespace Agent.Runtime.Memories;

/// <summary>The summarize_day intent: one daily episode per session that had messages on a UTC day.</summary>
public static class SummarizeDayIntent
{
    public const string Name = "summarize_day";
    public const string DayKey = "day";

    /// <summary>Idempotent (each episode is written or replaced), so a restart runs it again from the start.</summary>
    public static IntentMetadata Metadata { get; } = new(
        "Writes a daily episode (a summary per session) for a UTC day (metadata day=yyyy-MM-dd) with each session's chat client.",
        new IntentPolicy(TimeSpan.FromMinutes(30), 3, RecoveryPolicy.Retry, BackoffOptions.Default),
        Scope: IntentScope.Tenant);

    public static string IdempotencyKey(DateOnly day) => $"{Name}:{Format(day)}";

    public static string Format(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>
/// Reads the day's raw history, summarizes each session's part with that session's client, and writes (or replaces)
/// its episode. A session whose summary fails keeps its messages and gets no episode; the WAL says why, and the
/// execution fails only when every session failed.
/// </summary>
public sealed class SummarizeDayHandler(IMemoryStore memory, ISessionStore sessions, MemorySummarizer summarizer, TimeProvider time) : IIntentHandler
{
    public async Task<IntentResult> HandleAsync(ExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var raw = context.ParameterValue(SummarizeDayIntent.DayKey);
        if (!DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            throw new PermanentIntentFailureException($"metadata '{SummarizeDayIntent.DayKey}' must be a date as yyyy-MM-dd; got '{raw}'.");
        }

        var from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var history = await memory.RawHistoryAsync(context.TenantId, from, from.AddDays(1), cancellationToken);
        var bySession = history.Where(m => m.Text.Length > 0).GroupBy(m => m.SessionId).ToList();
        var events = new List<DomainEvent>();
        var written = 0;
        var failures = new List<string>();
        for (var i = 0; i < bySession.Count; i++)
        {
            var group = bySession[i];
            var session = await sessions.FindAsync(context.TenantId, group.Key, cancellationToken);
            if (session is null)
            {
                continue;
            }

            var outcome = await summarizer.SummarizeAsync(session, SummaryRequest.EpisodeInstruction, Transcript(group), cancellationToken);
            if (outcome.Text is { } summary)
            {
                await UpsertAsync(context.TenantId, session, day, summary, cancellationToken);
                written++;
                events.Add(new DomainEvent("memory.episode_written", JsonSerializer.Serialize(new { sessionId = session.Id, day = SummarizeDayIntent.Format(day), messages = group.Count(), provider = outcome.Provider, mode = outcome.Mode, truncated = outcome.Truncated })));
            }
            else
            {
                failures.Add($"{session.Title}: {outcome.Error}");
                // Logged now, not with the result: it must be in the WAL even when the whole day fails.
                await context.Wal.AppendAsync("memory.episode_failed", JsonSerializer.Serialize(new { sessionId = session.Id, day = SummarizeDayIntent.Format(day), error = outcome.Error }), cancellationToken);
            }

            await context.Progress.ReportAsync((double)(i + 1) / bySession.Count, $"Episode {i + 1} of {bySession.Count} for {SummarizeDayIntent.Format(day)}", cancellationToken);
        }

        if (written == 0 && failures.Count > 0)
        {
            throw new PermanentIntentFailureException($"No episode could be written for {SummarizeDayIntent.Format(day)}; the messages are kept. {string.Join(" · ", failures)}");
        }

        events.Add(new DomainEvent("memory.day_summarized", JsonSerializer.Serialize(new { day = SummarizeDayIntent.Format(day), sessions = bySession.Count, written, failed = failures.Count })));
        return new IntentResult([], events);
    }

    private async Task UpsertAsync(string tenantId, ChatSession session, DateOnly day, string summary, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var title = $"{SummarizeDayIntent.Format(day)} · {session.Title}";
        if (await memory.FindEpisodeAsync(tenantId, session.Id, day, cancellationToken) is { } existing)
        {
            await memory.UpdateAsync(existing with { Title = title, Content = summary, UpdatedAt = now }, cancellationToken);
            return;
        }

        await memory.AddAsync(new MemoryItem(Guid.NewGuid(), tenantId, session.Id, MemoryTier.DailyEpisode, title, summary, now, now)
        {
            Source = MemorySource.Session,
            Day = day,
        }, cancellationToken);
    }

    private static string Transcript(IEnumerable<SessionMessage> messages)
    {
        var text = new StringBuilder();
        foreach (var message in messages)
        {
            text.Append(message.Role == MessageRole.User ? "Person: " : "Agent: ").AppendLine(message.Text.Trim());
        }

        return text.ToString();
    }
}
