using Agent.Domain.Context;
using Agent.Domain.Sessions;

namespace Agent.Domain.Storage;

public interface ISessionStore
{
    Task AddAsync(ChatSession session, CancellationToken cancellationToken);

    Task<ChatSession?> FindAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken);

    /// <summary>Sessions of a tenant, most recently active first.</summary>
    Task<IReadOnlyList<ChatSession>> ListAsync(string tenantId, int skip, int take, CancellationToken cancellationToken);

    Task UpdateAsync(ChatSession session, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken);

    Task<int> CountAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Sessions whose title or any message contains <paramref name="text"/> (case-insensitive), most recent first.</summary>
    Task<IReadOnlyList<ChatSession>> SearchAsync(string tenantId, string text, int take, CancellationToken cancellationToken);
}

public interface IMessageStore
{
    Task AddAsync(SessionMessage message, CancellationToken cancellationToken);

    Task UpdateAsync(SessionMessage message, CancellationToken cancellationToken);

    Task<SessionMessage?> FindAsync(string tenantId, Guid messageId, CancellationToken cancellationToken);

    /// <summary>Every message of a session (all branches) in creation order.</summary>
    Task<IReadOnlyList<SessionMessage>> ListBySessionAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken);

    /// <summary>
    /// The shown branch ending at <paramref name="leafId"/> (null: the newest leaf by CreatedAt then Id, as
    /// <see cref="MessageTree.PathTo"/>), newest <paramref name="take"/> messages; with <paramref name="olderThan"/>
    /// (a message on that path), the <paramref name="take"/> ancestors above it.
    /// </summary>
    Task<TranscriptWindow> ReadPathAsync(string tenantId, Guid sessionId, Guid? leafId, Guid? olderThan, int take, CancellationToken cancellationToken);

    /// <summary>
    /// The ids of the ancestors of <paramref name="messageId"/> on its branch, its parent first, up to the root: the older
    /// part of a branch when only its length and where a compaction sits matter (no message is materialized).
    /// </summary>
    Task<IReadOnlyList<Guid>> AncestorIdsAsync(string tenantId, Guid sessionId, Guid messageId, CancellationToken cancellationToken);

    /// <summary>
    /// The newest leaf under <paramref name="messageId"/> (where a branch switch lands), as
    /// <see cref="MessageTree.LatestLeafUnder"/>; null when the message is not in the session.
    /// </summary>
    Task<Guid?> LatestLeafUnderAsync(string tenantId, Guid sessionId, Guid messageId, CancellationToken cancellationToken);

    /// <summary>Messages left in <see cref="MessageStatus.Streaming"/>: on start-up these were cut by a crash.</summary>
    Task<IReadOnlyList<SessionMessage>> ListStreamingAsync(CancellationToken cancellationToken);

    Task<int> CountAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>One page of a session's messages in creation order.</summary>
    Task<IReadOnlyList<SessionMessage>> PageBySessionAsync(string tenantId, Guid sessionId, int skip, int take, CancellationToken cancellationToken);
}

public interface ICheckpointStore
{
    Task AddAsync(Checkpoint checkpoint, CancellationToken cancellationToken);

    Task<IReadOnlyList<Checkpoint>> ListBySessionAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken);

    Task<Checkpoint?> FindAsync(string tenantId, Guid checkpointId, CancellationToken cancellationToken);

    Task<int> CountAsync(string tenantId, CancellationToken cancellationToken);
}

/// <summary>What each run's request carried, kept with the run (one per execution).</summary>
public interface IRunContextStore
{
    Task AddAsync(RunContext context, CancellationToken cancellationToken);

    Task<RunContext?> FindAsync(string tenantId, Guid executionId, CancellationToken cancellationToken);
}
