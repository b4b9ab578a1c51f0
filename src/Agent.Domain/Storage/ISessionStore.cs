using Agent.Domain.Context;
using Agent.Domain.Sessions;

namespace Agent.Domain.Storage;

public interface ISessionStore
{
    Task AddAsync(ChatSession session, CancellationToken cancellationToken);

    /// <summary>The session whatever its shelf (archived and trashed ones too: see <see cref="ChatSession.DeletedAt"/>).</summary>
    Task<ChatSession?> FindAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken);

    /// <summary>Active sessions of a tenant (not archived, not in the trash), pinned first, then most recently active first.</summary>
    Task<IReadOnlyList<ChatSession>> ListAsync(string tenantId, int skip, int take, CancellationToken cancellationToken);

    /// <summary>
    /// The sessions on one shelf: active and archived ones pinned first, then most recently active first; the trash
    /// most recently deleted first.
    /// </summary>
    Task<IReadOnlyList<ChatSession>> ListAsync(string tenantId, SessionShelf shelf, int skip, int take, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the session's title, model, profile, leaf and activity time. <see cref="ChatSession.Pinned"/>,
    /// <see cref="ChatSession.ArchivedAt"/> and <see cref="ChatSession.DeletedAt"/> are left as stored: a turn that ends
    /// with an older copy of the session never undoes a pin, an archive or a delete made meanwhile.
    /// </summary>
    Task UpdateAsync(ChatSession session, CancellationToken cancellationToken);

    /// <summary>Sets the fields given (null: unchanged); false when the tenant has no such session.</summary>
    Task<bool> SetShelfAsync(string tenantId, Guid sessionId, ShelfChange change, CancellationToken cancellationToken);

    /// <summary>Removes the session and everything that belongs to it, for good.</summary>
    Task<bool> DeleteAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken);

    /// <summary>Removes for good the sessions (of one tenant, or of all with null) put in the trash before <paramref name="before"/>.</summary>
    Task<int> PurgeTrashAsync(string? tenantId, DateTimeOffset before, CancellationToken cancellationToken);

    Task<int> CountAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>
    /// Active sessions whose title or any message contains <paramref name="text"/> (case-insensitive), pinned first, then
    /// most recent first.
    /// </summary>
    Task<IReadOnlyList<ChatSession>> SearchAsync(string tenantId, string text, int take, CancellationToken cancellationToken);

    /// <summary>The titles of those of the given sessions the tenant has (on any shelf), in one query.</summary>
    Task<IReadOnlyDictionary<Guid, string>> TitlesAsync(string tenantId, IReadOnlyCollection<Guid> sessionIds, CancellationToken cancellationToken);
}

/// <summary>
/// A change of a session's place in the list. <see cref="ArchivedAt"/> and <see cref="DeletedAt"/> are set when
/// <see cref="SetArchived"/> or <see cref="SetDeleted"/> is true (a null value clears them).
/// </summary>
public sealed record ShelfChange(bool? Pinned = null, bool SetArchived = false, DateTimeOffset? ArchivedAt = null, bool SetDeleted = false, DateTimeOffset? DeletedAt = null);

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
public interface ITurnContextStore
{
    Task AddAsync(TurnContext context, CancellationToken cancellationToken);

    Task<TurnContext?> FindAsync(string tenantId, Guid executionId, CancellationToken cancellationToken);
}
