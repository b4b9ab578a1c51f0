using System.Text.Json;
using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Tools;

namespace Agent.Runtime.Chat;

/// <summary>
/// On start, before the runtime recovers executions, every reply still marked streaming gets its state by the
/// recovery rules of send_message (docs/runtime.md, "Recovery"):
/// - its turn never started (the execution is still created or queued): it stays streaming; the runtime runs the turn;
/// - it waits for a person's decision on a tool call: it keeps its text and says so; approving or denying goes on;
/// - otherwise the stream was cut: it keeps its last flushed text and is marked interrupted, with Continue and Retry.
/// </summary>
public sealed class InterruptedReplyRecovery(
    IMessageStore messages,
    IExecutionStore executions,
    IToolApprovalStore approvals,
    TimeProvider time,
    ILogger<InterruptedReplyRecovery> logger) : IHostedService
{
    public const string Reason = "The server stopped while this reply was streaming; the text up to the last save is kept.";

    public const string AwaitingApprovalReason = "The server restarted while this reply waited for your decision on a tool call; approve or deny it to go on.";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var cut = await messages.ListStreamingAsync(cancellationToken);
        if (cut.Count == 0)
        {
            return;
        }

        var willRun = await RepliesOfUnstartedTurnsAsync(cancellationToken);
        var pendingCalls = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        int interrupted = 0, awaiting = 0;
        foreach (var message in cut.Where(m => !willRun.Contains(m.Id)))
        {
            if (!pendingCalls.TryGetValue(message.TenantId, out var pending))
            {
                pending = (await approvals.ListPendingAsync(message.TenantId, cancellationToken)).Select(a => a.CallId).ToHashSet(StringComparer.Ordinal);
                pendingCalls[message.TenantId] = pending;
            }

            var waits = message.Parts.OfType<ToolCallPart>().Any(c => pending.Contains(c.CallId) && !message.Parts.OfType<ToolResultPart>().Any(r => r.CallId == c.CallId));
            await messages.UpdateAsync(message with { Status = MessageStatus.Interrupted, Error = waits ? AwaitingApprovalReason : Reason, UpdatedAt = time.GetUtcNow() }, cancellationToken);
            if (waits)
            {
                awaiting++;
            }
            else
            {
                interrupted++;
            }
        }

        logger.LogWarning("After an unclean stop: {Interrupted} replies marked interrupted, {Awaiting} waiting for a tool decision, {Queued} turns that never started will run",
            interrupted, awaiting, cut.Count - interrupted - awaiting);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The replies of send_message executions that never started: the runtime's recovery runs them (RestartIfNeverStarted).</summary>
    private async Task<HashSet<Guid>> RepliesOfUnstartedTurnsAsync(CancellationToken cancellationToken)
    {
        var replies = new HashSet<Guid>();
        foreach (var execution in await executions.ListByStatusAsync([ExecutionStatus.Created, ExecutionStatus.Queued], cancellationToken))
        {
            if (execution.Intent != SendMessageIntent.Name || execution.StartedAt is not null)
            {
                continue;
            }

            // A turn submitted by an earlier release named its reply in the metadata.
            var parameters = JsonSerializer.Deserialize<Dictionary<string, string>>(execution.ParametersJson, Json) ?? [];
            var metadata = JsonSerializer.Deserialize<Dictionary<string, string>>(execution.MetadataJson, Json) ?? [];
            if ((parameters.TryGetValue(SendMessageIntent.MessageIdKey, out var raw) || metadata.TryGetValue(SendMessageIntent.MessageIdKey, out raw)) && Guid.TryParse(raw, out var replyId))
            {
                replies.Add(replyId);
            }
        }

        return replies;
    }
}
