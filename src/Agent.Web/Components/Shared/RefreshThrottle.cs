namespace Agent.Web.Components.Shared;

/// <summary>
/// Coalesces a burst of change notifications into at most one refresh per interval, so a page that listens to
/// a busy feed re-reads and re-renders a few times a second at most. Dispose it with the page.
/// </summary>
public sealed class RefreshThrottle(Func<Task> refresh, TimeSpan interval) : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private int pending;

    /// <summary>Asks for a refresh; calls during the wait are folded into the one already asked for.</summary>
    public void Request()
    {
        if (disposed.IsCancellationRequested || Interlocked.Exchange(ref pending, 1) == 1)
        {
            return;
        }

        _ = RunAsync(disposed.Token);
    }

    private async Task RunAsync(CancellationToken token)
    {
        try
        {
            await Task.Delay(interval, token);
            Volatile.Write(ref pending, 0);
            await refresh();
        }
        catch (OperationCanceledException)
        {
            // Disposed with its page.
        }
        catch (ObjectDisposedException)
        {
            // The circuit ended while the refresh was waiting.
        }
    }

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }
}
