using Agent.Domain.Memory;
using Agent.Domain.Sessions;
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

    public async Task<MemoryItem?> FindAsync(string tenantId, Guid itemId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.MemoryItems.AsNoTracking().FirstOrDefaultAsync(m => m.Id == itemId && m.TenantId == tenantId, cancellationToken);
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

    public async Task<MemoryPage> SearchAsync(string tenantId, MemoryTier? tier, string? query, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var items = db.MemoryItems.AsNoTracking().Where(m => m.TenantId == tenantId);
        if (tier is { } t)
        {
            items = items.Where(m => m.Tier == t);
        }

        if (FtsQuery.ForSearch(query) is { } match)
        {
            // The items whose title or content match, found through the FTS5 index (rowid = memory_items.rowid).
            var ids = await db.Database.SqlQueryRaw<string>(
                "SELECT m.Id AS Value FROM memory_fts f JOIN memory_items m ON m.rowid = f.rowid WHERE memory_fts MATCH {0} AND f.rowid > 0 AND f.tenant_id = {1}",
                match,
                tenantId).ToListAsync(cancellationToken);
            var guids = ids.Select(Guid.Parse).ToList();
            items = items.Where(m => guids.Contains(m.Id));
        }

        var total = await items.CountAsync(cancellationToken);
        var page = await items.OrderByDescending(m => m.UpdatedAt).Skip(skip).Take(take).ToListAsync(cancellationToken);
        return new MemoryPage(page, total);
    }

    public async Task<MemoryItem?> FindEpisodeAsync(string tenantId, Guid sessionId, DateOnly day, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.MemoryItems.AsNoTracking()
            .FirstOrDefaultAsync(m => m.TenantId == tenantId && m.SessionId == sessionId && m.Day == day && m.Tier == MemoryTier.DailyEpisode, cancellationToken);
    }

    public async Task<IReadOnlyList<MemoryItem>> EpisodesOfSessionAsync(string tenantId, Guid sessionId, DateOnly? fromDay, DateOnly? toDay, int take, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(take);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // Served by the (TenantId, SessionId, Day) index.
        var query = db.MemoryItems.AsNoTracking().Where(m => m.TenantId == tenantId && m.SessionId == sessionId && m.Tier == MemoryTier.DailyEpisode);
        if (fromDay is { } from)
        {
            query = query.Where(m => m.Day >= from);
        }

        if (toDay is { } to)
        {
            query = query.Where(m => m.Day <= to);
        }

        var newest = await query.OrderByDescending(m => m.Day).ThenByDescending(m => m.CreatedAt).Take(take).ToListAsync(cancellationToken);
        newest.Reverse();
        return newest;
    }

    public async Task<IReadOnlyList<string>> TenantsWithHistoryAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Messages.AsNoTracking()
            .Where(m => m.CreatedAt >= from && m.CreatedAt < to && (m.Role == MessageRole.User || m.Role == MessageRole.Assistant))
            .Select(m => m.TenantId)
            .Distinct()
            .OrderBy(t => t)
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<SessionMessage>> RawHistoryAsync(string tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Messages.AsNoTracking()
            .Where(m => m.TenantId == tenantId && m.CreatedAt >= from && m.CreatedAt < to && (m.Role == MessageRole.User || m.Role == MessageRole.Assistant))
            .OrderBy(m => m.SessionId).ThenBy(m => m.CreatedAt)
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyDictionary<MemoryTier, int>> CountByTierAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var counts = await db.MemoryItems.Where(m => m.TenantId == tenantId)
            .GroupBy(m => m.Tier)
            .Select(g => new { Tier = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var messages = await db.Messages.CountAsync(m => m.TenantId == tenantId, cancellationToken);
        return Enum.GetValues<MemoryTier>().ToDictionary(
            t => t,
            t => t == MemoryTier.RawHistory ? messages + (counts.FirstOrDefault(c => c.Tier == t)?.Count ?? 0) : counts.FirstOrDefault(c => c.Tier == t)?.Count ?? 0);
    }
}
