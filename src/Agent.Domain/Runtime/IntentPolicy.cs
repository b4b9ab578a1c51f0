namespace Agent.Domain.Runtime;

/// <summary>What start-up recovery does with an execution of this intent that the previous process left unfinished.</summary>
public enum RecoveryPolicy
{
    /// <summary>Queue it again as a resume: the handler sees its execution state and continues from its checkpoint.</summary>
    Resume,

    /// <summary>Queue it again from the start (execution state cleared), while attempts remain.</summary>
    Retry,

    /// <summary>
    /// Run it from the start if its handler never started (it was created or queued: nothing was spent), else leave it
    /// interrupted for a person: work that may have reached a provider is never silently run (and paid for) twice.
    /// </summary>
    RestartIfNeverStarted,

    /// <summary>Leave it interrupted; a person decides (Retry in the Runs panel or POST /api/execution/{id}/retry).</summary>
    Leave,
}

/// <summary>Capped exponential backoff: min(MaxDelay, BaseDelay * 2^(n-1)), then spread by +/- JitterRatio.</summary>
public sealed record BackoffOptions(TimeSpan BaseDelay, TimeSpan MaxDelay, double JitterRatio)
{
    public static BackoffOptions Default { get; } = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), 0.2);
}

/// <summary>Per-intent execution policy.</summary>
public sealed record IntentPolicy(TimeSpan Timeout, int MaxAttempts, RecoveryPolicy Recovery, BackoffOptions Backoff)
{
    public static IntentPolicy Default { get; } = new(TimeSpan.FromMinutes(10), 3, RecoveryPolicy.Leave, BackoffOptions.Default);

    /// <summary>Returns the reasons this policy is unusable, naming the field; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Timeout <= TimeSpan.Zero)
        {
            errors.Add("timeout must be greater than zero");
        }

        if (MaxAttempts < 1)
        {
            errors.Add("max_attempts must be at least 1");
        }

        if (Backoff.BaseDelay < TimeSpan.Zero || Backoff.MaxDelay < Backoff.BaseDelay)
        {
            errors.Add("backoff needs 0 <= base_delay <= max_delay");
        }

        if (Backoff.JitterRatio is < 0 or > 1)
        {
            errors.Add("backoff jitter_ratio must be within 0..1");
        }

        return errors;
    }
}
