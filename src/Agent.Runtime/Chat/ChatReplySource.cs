using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Runtime.Runtime;

namespace Agent.Runtime.Chat;

/// <summary>
/// The reply a send_message execution streams (its messageId parameter, in the execution's session), for an execution's
/// subscribers: the live text while the turn streams (<see cref="LiveReply"/>), the stored message before and after;
/// tool parts from the copies the turn publishes as it adds them.
/// </summary>
public sealed class ChatReplySource(ChatTurnStreamer streamer, IMessageStore messages) : IExecutionReplySource
{
    public IExecutionReplyWatch? Watch(ExecutionRecord execution, Action changed)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(changed);
        if (execution.Intent != SendMessageIntent.Name || execution.SessionId is not { } sessionId)
        {
            return null;
        }

        return SendMessageIntent.ReplyIdOf(execution) is { } messageId
            ? new ReplyWatch(streamer, messages, execution.TenantId, sessionId, messageId, changed)
            : null;
    }

    private sealed class ReplyWatch : IExecutionReplyWatch
    {
        private readonly ChatTurnStreamer streamer;
        private readonly IMessageStore messages;
        private readonly string tenantId;
        private readonly Guid sessionId;
        private readonly Action changed;
        private readonly Lock gate = new();
        private SessionMessage? latest;
        private LiveReply? run;
        private IDisposable? runSubscription;
        private bool disposed;

        public ReplyWatch(ChatTurnStreamer streamer, IMessageStore messages, string tenantId, Guid sessionId, Guid messageId, Action changed)
        {
            this.streamer = streamer;
            this.messages = messages;
            this.tenantId = tenantId;
            this.sessionId = sessionId;
            this.changed = changed;
            MessageId = messageId;
            streamer.SessionChanged += OnSessionChanged;
            Attach();
        }

        public Guid MessageId { get; }

        public async Task<ExecutionReply> ReadAsync(CancellationToken cancellationToken)
        {
            if (Attach() is { IsCompleted: false } live)
            {
                // The text first, then the parts: the turn publishes a tool part before any text after it exists, so
                // parts read after the text include every one that text runs past.
                var text = live.Text;
                var parts = Latest() ?? await ReadStoredAsync(cancellationToken);
                return new ExecutionReply(MessageId, text, ExecutionReply.ToolPartsOf(parts?.Parts ?? []));
            }

            // Not streaming (yet, or any more): the stored message is the reply. Its final copy is written before the turn lets go of its live run.
            var stored = await ReadStoredAsync(cancellationToken);
            return new ExecutionReply(MessageId, stored?.Text ?? "", ExecutionReply.ToolPartsOf(stored?.Parts ?? []));
        }

        public void Dispose()
        {
            streamer.SessionChanged -= OnSessionChanged;
            lock (gate)
            {
                disposed = true;
                runSubscription?.Dispose();
                runSubscription = null;
            }
        }

        /// <summary>The turn's live run when it streams this reply, watched; the last one seen otherwise (completed), or null.</summary>
        private LiveReply? Attach()
        {
            var current = streamer.LiveReplyFor(sessionId);
            lock (gate)
            {
                if (disposed || current is null || current.AssistantMessageId != MessageId || ReferenceEquals(current, run))
                {
                    return run;
                }

                runSubscription?.Dispose();
                run = current;
                runSubscription = current.Subscribe(Changed, TimeSpan.Zero);
                return run;
            }
        }

        private Task Changed()
        {
            changed();
            return Task.CompletedTask;
        }

        private SessionMessage? Latest()
        {
            lock (gate)
            {
                return latest;
            }
        }

        private async Task<SessionMessage?> ReadStoredAsync(CancellationToken cancellationToken)
        {
            var stored = await messages.FindAsync(tenantId, MessageId, cancellationToken);
            if (stored is null || stored.SessionId != sessionId)
            {
                return null;
            }

            Keep(stored);
            return stored;
        }

        private void OnSessionChanged(SessionChange change)
        {
            if (change.SessionId != sessionId || change.Upserted.FirstOrDefault(m => m.Id == MessageId) is not { } message)
            {
                return;
            }

            Keep(message);
            changed();
        }

        private void Keep(SessionMessage message)
        {
            lock (gate)
            {
                if (SessionChange.Supersedes(message, latest))
                {
                    latest = message;
                }
            }
        }
    }
}
