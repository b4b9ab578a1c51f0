using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Runtime.Clients;

namespace Agent.Runtime.Chat.Context;

/// <summary>
/// A session's checkpoints: list, save one at the shown message, rewind (the session continues from the
/// checkpoint; what came after stays as a branch) and fork (a new session holding the branch up to it).
/// </summary>
public sealed class CheckpointService(
    ISessionStore sessions,
    IMessageStore messages,
    ICheckpointStore checkpoints,
    IStateStore state,
    ChatCoordinator chat,
    TimeProvider time)
{
    /// <summary>What a fork takes over from its chat's state: how the chat was set up, not what it was doing.</summary>
    private static readonly string[] ForkedSettings = [SessionStateKeys.SystemPrompt, SessionStateKeys.Temperature, SessionStateKeys.ToolMode, SessionStateKeys.Team];

    /// <summary>Newest first.</summary>
    public async Task<IReadOnlyList<Checkpoint>> ListAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken)
    {
        await RequireSessionAsync(tenantId, sessionId, cancellationToken);
        return (await checkpoints.ListBySessionAsync(tenantId, sessionId, cancellationToken)).OrderByDescending(c => c.CreatedAt).ToList();
    }

    /// <summary>Saves a checkpoint at the last message of the shown branch.</summary>
    public async Task<Checkpoint> CreateAsync(string tenantId, Guid sessionId, string? label, CancellationToken cancellationToken)
    {
        var session = await RequireSessionAsync(tenantId, sessionId, cancellationToken);
        var leaf = (await messages.ReadPathAsync(tenantId, sessionId, session.ActiveLeafId, null, 1, cancellationToken)).Messages.LastOrDefault()
            ?? throw new ArgumentException("The session has no messages yet; there is nothing to save.");
        var now = time.GetUtcNow();
        var checkpoint = new Checkpoint(Guid.NewGuid(), sessionId, tenantId, CheckpointKind.Manual,
            string.IsNullOrWhiteSpace(label) ? $"Saved {now:yyyy-MM-dd HH:mm} UTC" : label.Trim(), leaf.Id, null, now);
        await checkpoints.AddAsync(checkpoint, cancellationToken);
        return checkpoint;
    }

    /// <summary>
    /// The session continues from the checkpoint: the shown branch ends at its message, and the next message
    /// starts a new branch there (the later messages stay, one ‹ › away). The branch left is saved as a checkpoint first.
    /// </summary>
    public async Task<ChatSession> RewindAsync(string tenantId, Guid sessionId, Guid checkpointId, CancellationToken cancellationToken)
    {
        var session = await RequireSessionAsync(tenantId, sessionId, cancellationToken);
        var checkpoint = await RequireCheckpointAsync(tenantId, sessionId, checkpointId, cancellationToken);
        if (chat.IsStreaming(sessionId))
        {
            throw new ChatRefusedException("A reply is streaming in this session; stop it before rewinding.");
        }

        var current = (await messages.ReadPathAsync(tenantId, sessionId, session.ActiveLeafId, null, 1, cancellationToken)).Messages.LastOrDefault();
        if (current is not null && current.Id != checkpoint.LeafMessageId)
        {
            await checkpoints.AddAsync(new Checkpoint(Guid.NewGuid(), sessionId, tenantId, CheckpointKind.BeforeRewind,
                $"Before rewinding to \"{checkpoint.Label}\"", current.Id, null, time.GetUtcNow()), cancellationToken);
        }

        return await chat.ShowLeafAsync(tenantId, sessionId, checkpoint.LeafMessageId!.Value, cancellationToken);
    }

    /// <summary>
    /// A new session with the same model, profile, instructions, temperature, tool mode and team, holding the branch up to
    /// the checkpoint (and the compaction summaries on it). Approvals given "for this session" stay with the original.
    /// </summary>
    public async Task<ChatSession> ForkAsync(string tenantId, Guid sessionId, Guid checkpointId, CancellationToken cancellationToken)
    {
        var session = await RequireSessionAsync(tenantId, sessionId, cancellationToken);
        var checkpoint = await RequireCheckpointAsync(tenantId, sessionId, checkpointId, cancellationToken);
        var path = (await messages.ReadPathAsync(tenantId, sessionId, checkpoint.LeafMessageId, null, int.MaxValue, cancellationToken)).Messages;
        var now = time.GetUtcNow();
        var ids = path.ToDictionary(m => m.Id, _ => Guid.NewGuid());
        var title = $"Fork of {session.Title}";
        var fork = new ChatSession(Guid.NewGuid(), tenantId, title.Length <= 120 ? title : title[..119] + "…", session.ProviderName, session.ModelId,
            session.AgentProfileId, path.Count == 0 ? null : ids[path[^1].Id], now, now);
        await sessions.AddAsync(fork, cancellationToken);
        foreach (var setting in (await state.ListAsync(StateScopes.Session(tenantId, sessionId), cancellationToken)).Where(e => ForkedSettings.Contains(e.Key)))
        {
            await state.SetAsync(setting with { Scope = StateScopes.Session(tenantId, fork.Id), UpdatedAt = now }, cancellationToken);
        }

        foreach (var message in path)
        {
            await messages.AddAsync(message with
            {
                Id = ids[message.Id],
                SessionId = fork.Id,
                ParentId = message.ParentId is { } parent ? ids[parent] : null,
                Status = message.Status == MessageStatus.Streaming ? MessageStatus.Interrupted : message.Status,
                ExecutionId = null,
            }, cancellationToken);
        }

        foreach (var summary in (await checkpoints.ListBySessionAsync(tenantId, sessionId, cancellationToken))
                     .Where(c => c.Kind == CheckpointKind.Compaction && c.LeafMessageId is { } leaf && ids.ContainsKey(leaf)))
        {
            await checkpoints.AddAsync(summary with { Id = Guid.NewGuid(), SessionId = fork.Id, LeafMessageId = ids[summary.LeafMessageId!.Value] }, cancellationToken);
        }

        await checkpoints.AddAsync(new Checkpoint(Guid.NewGuid(), fork.Id, tenantId, CheckpointKind.Manual,
            $"Forked from \"{session.Title}\" at \"{checkpoint.Label}\"", fork.ActiveLeafId, null, now)
        { Source = $"fork of session {session.Id}" }, cancellationToken);
        return fork;
    }

    private async Task<ChatSession> RequireSessionAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken) =>
        await sessions.FindAsync(tenantId, sessionId, cancellationToken) ?? throw new KeyNotFoundException($"Session {sessionId} does not exist.");

    private async Task<Checkpoint> RequireCheckpointAsync(string tenantId, Guid sessionId, Guid checkpointId, CancellationToken cancellationToken)
    {
        var checkpoint = await checkpoints.FindAsync(tenantId, checkpointId, cancellationToken);
        if (checkpoint is null || checkpoint.SessionId != sessionId)
        {
            throw new KeyNotFoundException($"Checkpoint {checkpointId} is not in session {sessionId}.");
        }

        if (checkpoint.LeafMessageId is null)
        {
            throw new ArgumentException($"Checkpoint {checkpointId} points at no message.");
        }

        return checkpoint;
    }
}
