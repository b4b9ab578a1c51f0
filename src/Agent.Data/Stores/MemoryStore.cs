using Agent.Domain.Memory;
using Agent.Domain.Storage;
using Microsoft.EntityFrameworkCore;

namespace Agent.Data.Stores;

public sealed class MemoryStore(IDbContextFactory<AgentDbContext> contexts) : IMemoryStore
{
    public async Task AddAsync(MemoryItem item, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.MemoryItems.Add(item);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task UpdateAsync(MemoryItem item, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.MemoryItems.Update(item);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(string tenantId, Guid itemId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.MemoryItems.Where(m => m.Id == itemId && m.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<MemoryItem>> ListAsync(string tenantId, MemoryTier? tier, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.MemoryItems.AsNoTracking().Where(m => m.TenantId == tenantId);
        if (tier is { } t)
        {
            query = query.Where(m => m.Tier == t);
        }

        return await query.OrderByDescending(m => m.UpdatedAt).Skip(skip).Take(take).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyDictionary<MemoryTier, int>> CountByTierAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var counts = await db.MemoryItems.Where(m => m.TenantId == tenantId)
            .GroupBy(m => m.Tier)
            .Select(g => new { Tier = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return Enum.GetValues<MemoryTier>().ToDictionary(t => t, t => counts.FirstOrDefault(c => c.Tier == t)?.Count ?? 0);
    }
}
