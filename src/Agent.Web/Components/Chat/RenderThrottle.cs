namespace Agent.Web.Components.Chat;

/// <summary>
/// Coalesces render requests: at most one render per interval, and always one after the last request, so the
/// per-chunk cost of a streaming reply stays constant however long the reply grows.
/// </summary>
public sealed class RenderThrottle(TimeProvider time, TimeSpan interval, Func<Task> render) : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private int scheduled;
    private long lastRender;

    /// <summary>Safe to call from any thread, once per chunk.</summary>
    public void Request()
    {
        if (Interlocked.Exchange(ref scheduled, 1) == 1)
        {
            return;
        }

        _ = RenderSoonAsync();
    }

    private async Task RenderSoonAsync()
    {
        try
        {
            var wait = interval - time.GetElapsedTime(Interlocked.Read(ref lastRender));
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, disposed.Token);
            }

            Interlocked.Exchange(ref scheduled, 0);
            Interlocked.Exchange(ref lastRender, time.GetTimestamp());
            await render();
        }
        catch (OperationCanceledException)
        {
            // The component went away; nothing left to show.
        }
        catch (ObjectDisposedException)
        {
            // Same, raced with disposal.
        }
    }

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }
}
