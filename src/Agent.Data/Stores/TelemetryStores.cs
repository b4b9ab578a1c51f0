using System.Globalization;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Microsoft.Data.Sqlite;
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

    public async Task AddRangeAsync(IReadOnlyCollection<TraceEvent> traceEvents, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.TraceEvents.AddRange(traceEvents);
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

/// <summary>Token and cost aggregates by one SQL GROUP BY over the messages table (nothing is loaded per message).</summary>
public sealed class TokenReportStore(IDbContextFactory<AgentDbContext> contexts) : ITokenReportStore
{
    public async Task<TokenReport> AggregateAsync(TokenQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);

        // Only these fixed expressions ever reach the SQL text; every value is a parameter.
        var key = query.GroupBy switch
        {
            TokenGrouping.Model => "COALESCE(usage_model, '')",
            TokenGrouping.Provider => "COALESCE(usage_provider, '')",
            TokenGrouping.Session => "SessionId",
            TokenGrouping.Day => $"CAST(CreatedAt / {TimeSpan.TicksPerDay} AS TEXT)",
            _ => throw new ArgumentOutOfRangeException(nameof(query), query.GroupBy, "Unknown grouping."),
        };
        var sql = $"""
            SELECT {key} AS "Key",
                   COALESCE(SUM(usage_input), 0) AS "InputTokens",
                   COALESCE(SUM(usage_output), 0) AS "OutputTokens",
                   COALESCE(SUM(usage_cached), 0) AS "CachedInputTokens",
                   COALESCE(SUM(usage_reasoning), 0) AS "ReasoningTokens",
                   COALESCE(SUM(cost_nanos), 0) AS "CostNanos",
                   COUNT(*) AS "Messages",
                   COUNT(*) - COUNT(cost_nanos) AS "UnpricedMessages",
                   COALESCE(SUM(usage_estimated), 0) AS "EstimatedMessages"
            FROM messages
            WHERE TenantId = $tenant AND Role = 'Assistant' AND usage_input IS NOT NULL
              AND CreatedAt >= $from AND CreatedAt < $to
              AND ($session IS NULL OR SessionId = $session)
            GROUP BY {key}
            ORDER BY {key}
            """;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Database.SqlQueryRaw<TokenGroupRow>(
                sql,
                new SqliteParameter("$tenant", query.TenantId),
                new SqliteParameter("$from", query.From.UtcTicks),
                new SqliteParameter("$to", query.To.UtcTicks),
                // EF stores a Guid as upper-case TEXT; a bare Guid parameter would bind as a BLOB and match nothing.
                new SqliteParameter("$session", (object?)query.SessionId?.ToString().ToUpperInvariant() ?? DBNull.Value))
            .ToListAsync(cancellationToken);

        var groups = rows.Select(r => r.ToAggregate(KeyOf(query.GroupBy, r.Key))).ToList();
        var total = new TokenAggregate(
            "total",
            rows.Sum(r => r.InputTokens),
            rows.Sum(r => r.OutputTokens),
            rows.Sum(r => r.CachedInputTokens),
            rows.Sum(r => r.ReasoningTokens),
            rows.Sum(r => r.CostNanos) / AgentDbContext.NanosPerUnit,
            rows.Sum(r => r.Messages),
            rows.Sum(r => r.UnpricedMessages),
            rows.Sum(r => r.EstimatedMessages));
        return new TokenReport(groups, total);
    }

    private static string KeyOf(TokenGrouping grouping, string key) => grouping switch
    {
        TokenGrouping.Day => new DateTime(long.Parse(key, CultureInfo.InvariantCulture) * TimeSpan.TicksPerDay, DateTimeKind.Utc).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TokenGrouping.Session => Guid.TryParse(key, out var id) ? id.ToString() : key,
        _ => key,
    };

    internal sealed class TokenGroupRow
    {
        public string Key { get; set; } = "";

        public long InputTokens { get; set; }

        public long OutputTokens { get; set; }

        public long CachedInputTokens { get; set; }

        public long ReasoningTokens { get; set; }

        public long CostNanos { get; set; }

        public int Messages { get; set; }

        public int UnpricedMessages { get; set; }

        public int EstimatedMessages { get; set; }

        public TokenAggregate ToAggregate(string key) =>
            new(key, InputTokens, OutputTokens, CachedInputTokens, ReasoningTokens, CostNanos / AgentDbContext.NanosPerUnit, Messages, UnpricedMessages, EstimatedMessages);
    }
}
