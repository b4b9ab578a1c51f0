using Agent.Domain.Configuration;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Web.Runtime;
using Microsoft.Extensions.Options;

namespace Agent.Web.Memories;

/// <summary>
/// Submits summarize_day for yesterday (UTC) at start and every day at 00:10 UTC, when yesterday had messages. The
/// idempotency key (one per day) makes a second submission for the same day name the first execution. Only the local
/// tenant exists until sign-in lands; then this loops over the tenants.
/// </summary>
public sealed class EpisodeScheduler(ExecutionRuntime runtime, IMemoryStore memory, IOptions<AgentOptions> options, TimeProvider time, ILogger<EpisodeScheduler> logger) : BackgroundService
{
    private static readonly TimeSpan RunAt = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Memory.EpisodeJob)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            await SubmitYesterdayAsync(Tenant.LocalId, stoppingToken);
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

    /// <summary>Submits yesterday's summarize_day for a tenant when it had messages; returns the execution id, if submitted.</summary>
    public async Task<Guid?> SubmitYesterdayAsync(string tenantId, CancellationToken cancellationToken)
    {
        try
        {
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            var day = today.AddDays(-1);
            var from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            if ((await memory.RawHistoryAsync(tenantId, from, from.AddDays(1), cancellationToken)).Count == 0)
            {
                return null;
            }

            var outcome = await runtime.SubmitAsync(
                new ExecutionRequest(SummarizeDayIntent.Name, tenantId, null, null, new Dictionary<string, string> { [SummarizeDayIntent.DayKey] = SummarizeDayIntent.Format(day) }, SummarizeDayIntent.IdempotencyKey(day)),
                cancellationToken);
            return outcome.Execution.Id;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "The daily episode job could not be submitted for tenant {TenantId}", tenantId);
            return null;
        }
    }
}
