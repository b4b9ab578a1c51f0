using Agent.Domain.Memory;
using Agent.Domain.Sessions;

namespace Agent.Domain.Storage;

public interface IMemoryStore
{
    Task AddAsync(MemoryItem item, CancellationToken cancellationToken);

    Task UpdateAsync(MemoryItem item, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string tenantId, Guid itemId, CancellationToken cancellationToken);

    Task<MemoryItem?> FindAsync(string tenantId, Guid itemId, CancellationToken cancellationToken);

    Task<IReadOnlyList<MemoryItem>> ListAsync(string tenantId, MemoryTier? tier, int skip, int take, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the tenant's stored items (every tier but raw history, which lives in the messages), newest first,
    /// optionally of one tier and matching a full-text query, with the total that matched.
    /// </summary>
    Task<MemoryPage> SearchAsync(string tenantId, MemoryTier? tier, string? query, int skip, int take, CancellationToken cancellationToken);

    /// <summary>The daily episode of a session for a day, if it was written.</summary>
    Task<MemoryItem?> FindEpisodeAsync(string tenantId, Guid sessionId, DateOnly day, CancellationToken cancellationToken);

    /// <summary>A session's daily episodes for days in [<paramref name="fromDay"/>, <paramref name="toDay"/>] (null: open), the newest <paramref name="take"/> days, oldest day first.</summary>
    Task<IReadOnlyList<MemoryItem>> EpisodesOfSessionAsync(string tenantId, Guid sessionId, DateOnly? fromDay, DateOnly? toDay, int take, CancellationToken cancellationToken);

    /// <summary>The tenants with user or assistant messages created in [from, to): whose day the episode job summarizes.</summary>
    Task<IReadOnlyList<string>> TenantsWithHistoryAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>The tenant's user and assistant messages created in [from, to), by session then time: a day's raw history.</summary>
    Task<IReadOnlyList<SessionMessage>> RawHistoryAsync(string tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Count per tier; every tier is present, zero when empty. Raw history counts the tenant's messages.</summary>
    Task<IReadOnlyDictionary<MemoryTier, int>> CountByTierAsync(string tenantId, CancellationToken cancellationToken);
}

public sealed record MemoryPage(IReadOnlyList<MemoryItem> Items, int Total);

public interface IAttachmentStore
{
    Task AddAsync(Attachment attachment, CancellationToken cancellationToken);

    Task UpdateAsync(Attachment attachment, CancellationToken cancellationToken);

    Task<Attachment?> FindAsync(string tenantId, Guid attachmentId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Attachment>> ListBySessionAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken);

    /// <summary>Links attachments uploaded before a message was sent to that message.</summary>
    Task AssignToMessageAsync(string tenantId, IReadOnlyCollection<Guid> attachmentIds, Guid messageId, CancellationToken cancellationToken);
}
