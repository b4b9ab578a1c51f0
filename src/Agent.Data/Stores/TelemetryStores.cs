using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace Agent.Data.Stores;

public sealed class TraceStore(IDbContextFactory<AgentDbContext> contexts) : ITraceStore
{
    public async Task AddAsync(TraceEvent traceEvent, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.TraceEvents.Add(traceEvent);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<TraceEvent>> ListAsync(string tenantId, Guid? executionId, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.TraceEvents.AsNoTracking().Where(t => t.TenantId == tenantId);
        if (executionId is { } id)
        {
            query = query.Where(t => t.ExecutionId == id);
        }

        return await query.OrderByDescending(t => t.OccurredAt).Take(take).ToListAsync(cancellationToken);
    }
}

public sealed class TokenUsageStore(IDbContextFactory<AgentDbContext> contexts) : ITokenUsageStore
{
    public async Task<TokenTotals> TotalsAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var totals = await db.Messages.Where(m => m.TenantId == tenantId && m.Usage != null)
            .GroupBy(_ => 1)
            .Select(g => new TokenTotals(
                g.Sum(m => m.Usage!.InputTokens),
                g.Sum(m => m.Usage!.OutputTokens),
                g.Sum(m => m.Usage!.CachedInputTokens),
                g.Sum(m => m.Usage!.ReasoningTokens),
                g.Count()))
            .FirstOrDefaultAsync(cancellationToken);
        return totals ?? TokenTotals.Zero;
    }

    public async Task<IReadOnlyDictionary<string, TokenTotals>> TotalsByModelAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Messages.Where(m => m.TenantId == tenantId && m.Usage != null)
            .GroupBy(m => m.Usage!.Model)
            .Select(g => new
            {
                Model = g.Key,
                Totals = new TokenTotals(
                    g.Sum(m => m.Usage!.InputTokens),
                    g.Sum(m => m.Usage!.OutputTokens),
                    g.Sum(m => m.Usage!.CachedInputTokens),
                    g.Sum(m => m.Usage!.ReasoningTokens),
                    g.Count()),
            })
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Model, r => r.Totals);
    }
}

public sealed class ConfigOverrideStore(IDbContextFactory<AgentDbContext> contexts, TimeProvider time) : IConfigOverrideStore
{
    public async Task<IReadOnlyDictionary<string, bool>> EnabledOverridesAsync(string tenantId, string scope, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ConfigOverrides.AsNoTracking()
            .Where(o => o.TenantId == tenantId && o.Scope == scope)
            .ToDictionaryAsync(o => o.Name, o => o.Enabled, cancellationToken);
    }

    public async Task SetEnabledAsync(string tenantId, string scope, string name, bool enabled, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var existing = await db.ConfigOverrides.FindAsync([tenantId, scope, name], cancellationToken);
        if (existing is null)
        {
            db.ConfigOverrides.Add(new ConfigOverride { TenantId = tenantId, Scope = scope, Name = name, Enabled = enabled, UpdatedAt = time.GetUtcNow() });
        }
        else
        {
            existing.Enabled = enabled;
            existing.UpdatedAt = time.GetUtcNow();
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
