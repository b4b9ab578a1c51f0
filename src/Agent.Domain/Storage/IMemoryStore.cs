using Agent.Domain.Memory;

namespace Agent.Domain.Storage;

public interface IMemoryStore
{
    Task AddAsync(MemoryItem item, CancellationToken cancellationToken);

    Task UpdateAsync(MemoryItem item, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string tenantId, Guid itemId, CancellationToken cancellationToken);

    Task<IReadOnlyList<MemoryItem>> ListAsync(string tenantId, MemoryTier? tier, int skip, int take, CancellationToken cancellationToken);

    /// <summary>Count per tier; every tier is present, zero when empty.</summary>
    Task<IReadOnlyDictionary<MemoryTier, int>> CountByTierAsync(string tenantId, CancellationToken cancellationToken);
}
