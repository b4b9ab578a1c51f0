using System.Data.Common;
using Agent.Domain.Configuration;
using Agent.Domain.Memory;
using Agent.Domain.Sessions;
using Microsoft.EntityFrameworkCore;

namespace Agent.Data.Stores;

/// <summary>
/// Recall over the FTS5 index memory_fts: archival facts, daily episodes and attachment summaries (positive rowids,
/// those of memory_items) and the text of user and assistant messages (negative rowids, those of messages), ranked
/// by BM25. Pinned blocks are left out: they are always in context. Items under the relevance threshold
/// (<see cref="MemoryOptions.RecallMinScore"/>, and <see cref="MemoryOptions.RecallRelativeCut"/> of the best) are
/// dropped, so a question about something never discussed gets nothing.
/// </summary>
public sealed class MemoryRecall(IDbContextFactory<AgentDbContext> contexts, MemoryOptions options) : IMemoryRecall
{
    // Title matches count twice as much as body matches. Pinned blocks and raw-history rows of memory_items are skipped.
    private const string Sql = """
        SELECT f.rowid, -bm25(memory_fts, 2.0, 1.0) AS score, COALESCE(m.Id, msg.Id)
        FROM memory_fts f
        LEFT JOIN memory_items m ON f.rowid > 0 AND m.rowid = f.rowid
        LEFT JOIN messages msg ON f.rowid < 0 AND msg.rowid = -f.rowid
        WHERE memory_fts MATCH $match AND f.tenant_id = $tenant
          AND (msg.Id IS NOT NULL OR m.Tier IN ('ArchivalFact', 'DailyEpisode', 'AttachmentSummary'))
        ORDER BY score DESC
        LIMIT $limit
        """;

    public async Task<IReadOnlyList<RecalledMemory>> RecallAsync(string tenantId, string query, int take, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(take);
        if (FtsQuery.ForRecall(query) is not { } match)
        {
            return [];
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var hits = await RankAsync(db, tenantId, match, take + 1, cancellationToken);
        if (hits.Count == 0)
        {
            return [];
        }

        // The message that asks is stored before recall runs: it is the question, not something remembered.
        var asked = query.Trim();
        var found = (await MaterializeAsync(db, hits, cancellationToken))
            .Where(f => !(f.Item.Tier == MemoryTier.RawHistory && string.Equals(f.Item.Content.Trim(), asked, StringComparison.Ordinal)))
            .ToList();
        if (found.Count == 0)
        {
            return [];
        }

        // BM25's IDF is tiny in a small corpus (a term in half the documents scores ~0), so an item that holds
        // most of the question's subject words counts as relevant whatever its score; others need a score of their own
        // and a fair share of the best one.
        var coverage = await CoverageAsync(db, match, FtsQuery.Terms(query).Count, found.Select(f => f.Hit).ToList(), cancellationToken);
        var best = found.Max(f => f.Hit.Score);
        return found
            .Where(f => coverage[f.Hit.RowId] >= options.RecallMinCoverage
                || (f.Hit.Score >= options.RecallMinScore && f.Hit.Score >= best * options.RecallRelativeCut))
            .Take(take)
            .Select(f => new RecalledMemory(f.Item, f.Hit.Score))
            .ToList();
    }

    private static async Task<List<Hit>> RankAsync(AgentDbContext db, string tenantId, string match, int take, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = Sql;
        Add(command, "$match", match);
        Add(command, "$tenant", tenantId);
        Add(command, "$limit", take);
        var hits = new List<Hit>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            hits.Add(new Hit(reader.GetInt64(0), Guid.Parse(reader.GetString(2)), reader.GetDouble(1)));
        }

        return hits;
    }

    private static async Task<List<(Hit Hit, MemoryItem Item)>> MaterializeAsync(AgentDbContext db, List<Hit> hits, CancellationToken cancellationToken)
    {
        var itemIds = hits.Where(h => !h.IsMessage).Select(h => h.Id).ToList();
        var messageIds = hits.Where(h => h.IsMessage).Select(h => h.Id).ToList();
        var items = itemIds.Count == 0 ? [] : await db.MemoryItems.AsNoTracking().Where(m => itemIds.Contains(m.Id)).ToListAsync(cancellationToken);
        var messages = messageIds.Count == 0 ? [] : await db.Messages.AsNoTracking().Where(m => messageIds.Contains(m.Id)).ToListAsync(cancellationToken);
        var byId = items.ToDictionary(i => i.Id);
        foreach (var message in messages)
        {
            byId[message.Id] = AsMemory(message);
        }

        return hits.Where(h => byId.ContainsKey(h.Id)).Select(h => (h, byId[h.Id])).ToList();
    }

    /// <summary>A message seen as raw history; its id is the message's.</summary>
    public static MemoryItem AsMemory(SessionMessage message) =>
        new(message.Id, message.TenantId, message.SessionId, MemoryTier.RawHistory, message.Role == MessageRole.User ? "Person said" : "Agent replied", message.Text, message.CreatedAt, message.UpdatedAt)
        {
            Source = MemorySource.Message,
            SourceMessageId = message.Id,
        };

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>The share of the question's subject words each hit holds, read from FTS5's highlight markers.</summary>
    private static async Task<Dictionary<long, double>> CoverageAsync(AgentDbContext db, string match, int terms, List<Hit> hits, CancellationToken cancellationToken)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"SELECT rowid, highlight(memory_fts, 0, char(1), char(2)) || ' ' || highlight(memory_fts, 1, char(1), char(2)) FROM memory_fts WHERE memory_fts MATCH $match AND rowid IN ({string.Join(',', hits.Select(h => h.RowId))})";
        Add(command, "$match", match);
        var coverage = hits.ToDictionary(h => h.RowId, _ => 0.0);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var marked = reader.GetString(1).Split('\u0001').Skip(1).Select(s => s.Split('\u0002')[0].ToLowerInvariant()).Distinct(StringComparer.Ordinal).Count();
            coverage[reader.GetInt64(0)] = terms == 0 ? 0 : Math.Min(1.0, (double)marked / terms);
        }

        return coverage;
    }

    private sealed record Hit(long RowId, Guid Id, double Score)
    {
        public bool IsMessage => RowId < 0;
    }
}
