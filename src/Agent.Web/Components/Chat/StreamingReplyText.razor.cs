using Agent.Runtime.Chat;
using Agent.Runtime.Runtime;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace Agent.Web.Components.Chat;

/// <summary>
/// The text of a reply while it streams, read through its execution's subscription (the one the events API serves), so
/// the page shows what any other subscriber sees. Until the execution is known, the stored text is shown. The markdown is
/// rendered block by block (<see cref="MarkdownBlocks"/>): a render re-renders only the open block, and the settled
/// blocks keep the same strings, so Blazor's diff skips them.
/// </summary>
public sealed partial class StreamingReplyText : IDisposable
{
    private static readonly TimeSpan RenderInterval = TimeSpan.FromMilliseconds(50);
    private readonly Lock gate = new();
    private readonly List<ReplyTextChunk> pending = [];
    private MarkdownBlocks? blocks;
    private CancellationTokenSource? following;
    private Guid? followed;
    private string storedHtml = "";
    private bool received;
    private bool renderScheduled;
    private long lastRender;

    [Parameter, EditorRequired]
    public required string TenantId { get; set; }

    /// <summary>The send_message execution streaming the reply; null until the runtime accepted it.</summary>
    [Parameter]
    public Guid? ExecutionId { get; set; }

    /// <summary>The reply's stored text, shown until the subscription sends the text.</summary>
    [Parameter]
    public string StoredText { get; set; } = "";

    [Inject]
    public required IExecutionEventSource Events { get; init; }

    [Inject]
    public required MarkdownRenderer Markdown { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required ILogger<StreamingReplyText> Logger { get; init; }

    [Inject]
    public required IOptions<ExecutionRuntimeOptions> RuntimeOptions { get; init; }

    protected override void OnParametersSet()
    {
        lock (gate)
        {
            if (!received)
            {
                storedHtml = Markdown.ToHtml(StoredText);
            }
        }

        if (ExecutionId is { } id && id != followed)
        {
            following?.Cancel();
            following?.Dispose();
            following = new CancellationTokenSource();
            followed = id;
            _ = FollowAsync(id, following.Token);
        }
    }

    private async Task FollowAsync(Guid executionId, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await Events.SubscribeAsync(TenantId, executionId, ExecutionCursor.Start, RuntimeOptions.Value.SseHeartbeat, cancellationToken);
            if (stream is null)
            {
                return;
            }

            await foreach (var item in stream.WithCancellation(cancellationToken))
            {
                if (item is ExecutionTextEvent { Text: var chunk })
                {
                    lock (gate)
                    {
                        pending.Add(chunk);
                    }

                    RequestRender(cancellationToken);
                }
                else if (item is ExecutionEndEvent)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The reply ended and this component left the page, or another execution took its place.
        }
        catch (Exception ex)
        {
            // The stored text stays on screen, and the reply's final copy replaces this component when the turn ends.
            Logger.LogWarning(ex, "Following the reply of execution {ExecutionId} failed", executionId);
        }
    }

    /// <summary>Renders at once when the last render is older than the interval, else once when it has passed.</summary>
    private void RequestRender(CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (gate)
        {
            if (renderScheduled)
            {
                return;
            }

            renderScheduled = true;
            wait = RenderInterval - Time.GetElapsedTime(lastRender);
        }

        _ = RenderAfterAsync(wait, cancellationToken);
    }

    private async Task RenderAfterAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        try
        {
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, Time, cancellationToken);
            }

            await InvokeAsync(() =>
            {
                lock (gate)
                {
                    renderScheduled = false;
                    lastRender = Time.GetTimestamp();
                    blocks ??= new MarkdownBlocks(Markdown);
                    foreach (var chunk in pending)
                    {
                        // Offsets count from the start of the reply: a chunk never overlaps what came before it.
                        blocks.Truncate(chunk.Offset);
                        blocks.Append(chunk.Text);
                    }

                    received |= pending.Count > 0;
                    pending.Clear();
                    blocks.Refresh();
                }

                StateHasChanged();
            });
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // Left the page before the render was due.
        }
    }

    public void Dispose()
    {
        following?.Cancel();
        following?.Dispose();
    }
}
