namespace Agent.Domain.Runtime;

/// <summary>
/// Computes retry delays: capped exponential growth with jitter. The random source and the clock are
/// injected, so a seeded <see cref="Random"/> and a fake <see cref="TimeProvider"/> give a reproducible schedule.
/// </summary>
public sealed class BackoffSchedule(BackoffOptions options, Random random, TimeProvider time)
{
    /// <summary>The delay to wait after failed attempt number <paramref name="failedAttempt"/> (1-based).</summary>
    public TimeSpan DelayAfter(int failedAttempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempt, 1);
        var exponent = Math.Min(failedAttempt - 1, 30);
        var raw = options.BaseDelay.TotalMilliseconds * Math.Pow(2, exponent);
        var capped = Math.Min(raw, options.MaxDelay.TotalMilliseconds);
        var spread = capped * options.JitterRatio;
        var jittered = capped - spread + (random.NextDouble() * 2 * spread);
        return TimeSpan.FromMilliseconds(Math.Clamp(jittered, 0, options.MaxDelay.TotalMilliseconds));
    }

    /// <summary>When the next attempt is due, on the injected clock.</summary>
    public DateTimeOffset NextAttemptAt(int failedAttempt) => time.GetUtcNow() + DelayAfter(failedAttempt);

    /// <summary>The delays after attempts 1..n-1 for an intent allowed <paramref name="maxAttempts"/> attempts.</summary>
    public IReadOnlyList<TimeSpan> Plan(int maxAttempts) =>
        Enumerable.Range(1, Math.Max(0, maxAttempts - 1)).Select(DelayAfter).ToList();
}
