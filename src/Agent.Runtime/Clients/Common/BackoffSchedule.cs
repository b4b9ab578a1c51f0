using System.Globalization;
using System.Net.Http.Headers;

namespace Agent.Runtime.Clients.Common;

/// <summary>
/// The retry delays of a provider pipeline: exponential with "equal jitter" (half fixed, half random), capped,
/// unless the server said when to come back (Retry-After / retry-after-ms), which wins.
/// </summary>
public static class BackoffSchedule
{
    /// <summary>
    /// Delay before retry number <paramref name="attempt"/> (0 = the first retry):
    /// cap = min(max, base * 2^attempt); delay = cap/2 + jitter * cap/2, with jitter in [0, 1).
    /// </summary>
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, double jitter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        if (jitter is < 0 or >= 1 || double.IsNaN(jitter))
        {
            throw new ArgumentOutOfRangeException(nameof(jitter), jitter, "jitter must be in [0, 1).");
        }

        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        var cap = Math.Min(maxDelay.TotalMilliseconds, exponential);
        return TimeSpan.FromMilliseconds((cap / 2) + (jitter * cap / 2));
    }

    /// <summary>
    /// The server's requested wait: <c>retry-after-ms</c> (OpenAI) first, then <c>Retry-After</c> as seconds or
    /// an HTTP date. Null when absent or unparseable.
    /// </summary>
    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (headers.TryGetValues("retry-after-ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds)
            && milliseconds >= 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        if (headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
            {
                return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            }

            if (retryAfter.Date is { } date)
            {
                var wait = date - now;
                return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            }
        }

        return null;
    }
}
