using Agent.Domain.Sessions;
using Agent.Domain.Storage;

namespace Agent.Runtime.Chat;

/// <summary>
/// On start, a reply still marked streaming was cut by a crash: it keeps its last flushed text and is
/// marked interrupted, so the chat offers Continue and Retry instead of showing a reply that never ends.
/// </summary>
public sealed class InterruptedReplyRecovery(IMessageStore messages, TimeProvider time, ILogger<InterruptedReplyRecovery> logger) : IHostedService
{
    public const string Reason = "The server stopped while this reply was streaming; the text up to the last save is kept.";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var cut = await messages.ListStreamingAsync(cancellationToken);
        foreach (var message in cut)
        {
            await messages.UpdateAsync(message with { Status = MessageStatus.Interrupted, Error = Reason, UpdatedAt = time.GetUtcNow() }, cancellationToken);
        }

        if (cut.Count > 0)
        {
            logger.LogWarning("Marked {Count} replies interrupted after an unclean stop", cut.Count);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
