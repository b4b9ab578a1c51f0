using System.Text;

namespace Agent.Web.Chat;

/// <summary>
/// A reply being streamed right now. Owned by <see cref="ChatCoordinator"/>, not by any browser circuit:
/// components only subscribe to <see cref="Updated"/>, so closing a tab never stops it.
/// </summary>
public sealed class LiveRun : IDisposable
{
    private readonly StringBuilder text = new();
    private readonly CancellationTokenSource cancellation = new();
    private readonly Lock gate = new();

    public LiveRun(Guid sessionId, Guid assistantMessageId, string initialText)
    {
        SessionId = sessionId;
        AssistantMessageId = assistantMessageId;
        text.Append(initialText);
    }

    public Guid SessionId { get; }

    public Guid AssistantMessageId { get; }

    /// <summary>Raised after every chunk, on the streaming thread; handlers must not block.</summary>
    public event Action? Updated;

    public CancellationToken Token => cancellation.Token;

    public bool StopRequested => cancellation.IsCancellationRequested;

    public string Text
    {
        get
        {
            lock (gate)
            {
                return text.ToString();
            }
        }
    }

    internal void Append(string chunk)
    {
        lock (gate)
        {
            text.Append(chunk);
        }

        Updated?.Invoke();
    }

    internal void Stop() => cancellation.Cancel();

    public void Dispose() => cancellation.Dispose();
}
