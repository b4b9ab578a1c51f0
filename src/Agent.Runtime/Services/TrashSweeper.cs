namespace Agent.Runtime.Services;

/// <summary>
/// Removes for good the sessions that have been in the trash longer than it keeps them: at start, then every hour.
/// The trash listing purges its own tenant's expired sessions too, so one never shows between two sweeps.
/// </summary>
public sealed class TrashSweeper(SessionService sessions, TimeProvider time, ILogger<TrashSweeper> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var purged = await sessions.PurgeTrashAsync(stoppingToken);
                if (purged > 0)
                {
                    logger.LogInformation("Removed {Count} sessions that had been in the trash for more than {Days} days", purged, Agent.Domain.Sessions.SessionShelves.TrashDays);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "The trash sweep failed; it runs again in an hour");
            }

            try
            {
                await Task.Delay(Every, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
