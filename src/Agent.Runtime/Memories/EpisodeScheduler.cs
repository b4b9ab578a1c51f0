using Agent.Domain.Configuration;
using Agent.Domain.Storage;
using Agent.Runtime.Runtime;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.Memories;

/// <summary>
/// Submits summarize_day at start and every day at 00:10 UTC for each of the last <see cref="CatchUpDays"/> UTC days
/// and each tenant that had messages that day, so days missed while the server was down are caught up. The
/// idempotency key (one per tenant and day) makes a second submission for the same tenant and day name the first
/// execution, so a day is never summarized twice by the job.
/// </summary>
public sealed class EpisodeScheduler(ExecutionRuntime runtime, IMemoryStore memory, IOptions<AgentOptions> options, TimeProvider time, ILogger<EpisodeScheduler> logger) : BackgroundService
{
    /// <summary>How many days before today each pass looks at (the bound of the catch-up after downtime).</summary>
    public const int CatchUpDays = 7;

    private static readonly TimeSpan RunAt = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Memory.EpisodeJob)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            await SubmitDueAsync(stoppingToken);
            var now = time.GetUtcNow();
            var next = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(1).Add(RunAt);
            try
            {
                await Task.Delay(next - now, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Submits summarize_day for every tenant and day among the last <see cref="CatchUpDays"/> days before today (UTC)
    /// that had messages; returns one execution per tenant and day (an earlier one when it was already submitted).
    /// </summary>
    public async Task<IReadOnlyList<ScheduledDay>> SubmitDueAsync(CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var submitted = new List<ScheduledDay>();
        for (var back = CatchUpDays; back >= 1; back--)
        {
            var day = today.AddDays(-back);
            var from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            IReadOnlyList<string> tenants;
            try
            {
                tenants = await memory.TenantsWithHistoryAsync(from, from.AddDays(1), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "The daily episode job could not read which tenants had messages on {Day}", SummarizeDayIntent.Format(day));
                continue;
            }

            foreach (var tenantId in tenants)
            {
                if (await SubmitAsync(tenantId, day, cancellationToken) is { } executionId)
                {
                    submitted.Add(new ScheduledDay(tenantId, day, executionId));
                }
            }
        }

        return submitted;
    }

    private async Task<Guid?> SubmitAsync(string tenantId, DateOnly day, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await runtime.SubmitAsync(
                new ExecutionRequest(SummarizeDayIntent.Name, tenantId, null, null, new Dictionary<string, string> { [SummarizeDayIntent.DayKey] = SummarizeDayIntent.Format(day) }, SummarizeDayIntent.IdempotencyKey(day)),
                cancellationToken);
            return outcome.Execution.Id;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "The daily episode job could not be submitted for tenant {TenantId} and {Day}", tenantId, SummarizeDayIntent.Format(day));
            return null;
        }
    }
}

/// <summary>The summarize_day execution of one tenant's day.</summary>
public sealed record ScheduledDay(string TenantId, DateOnly Day, Guid ExecutionId);
