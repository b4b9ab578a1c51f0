namespace Agent.Runtime.Chat;

/// <summary>
/// The time a turn spent waiting for the person (tool approvals). Waits of one batch overlap and are counted once, so
/// the time to first token and the token rate describe the model and the tools, not how long the person took.
/// </summary>
public sealed class PersonWaitClock(TimeProvider time)
{
    private readonly Lock gate = new();
    private int open;
    private long openedAt;
    private TimeSpan closed;

    public IDisposable Begin()
    {
        lock (gate)
        {
            if (open++ == 0)
            {
                openedAt = time.GetTimestamp();
            }
        }

        return new Wait(this);
    }

    /// <summary>The waiting time so far, the wait under way included.</summary>
    public TimeSpan Elapsed
    {
        get
        {
            lock (gate)
            {
                return open > 0 ? closed + time.GetElapsedTime(openedAt) : closed;
            }
        }
    }

    private void End()
    {
        lock (gate)
        {
            if (--open == 0)
            {
                closed += time.GetElapsedTime(openedAt);
            }
        }
    }

    private sealed class Wait(PersonWaitClock clock) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                clock.End();
            }
        }
    }
}
