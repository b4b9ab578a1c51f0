using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Numerics;
using Agent.Domain.Configuration;
using Agent.Domain.Memory;
using Agent.Domain.Sessions;
using Microsoft.EntityFrameworkCore;

namespace Agent.Data.Stores;

/// <summary>
/// Recall over the FTS5 index memory_fts: archival facts, daily episodes and attachment summaries (positive rowids,
/// those of memory_items) and the text of user and assistant messages (negative rowids, those of messages), ranked
/// by BM25. Pinned blocks are left out: they are always in context. An item is recalled only when it holds enough of
/// the question's subject words weighed by their rarity (<see cref="MemoryOptions.RecallMinCoverage"/>), so a question
/// about something never discussed gets nothing, and one that shares only common words with an item does not get it.
/// </summary>
public sealed class MemoryRecall(IDbContextFactory<AgentDbContext> contexts, MemoryOptions options, TimeProvider time) : IMemoryRecall
{
    /// <summary>How many matching items (summed over the question's words) FTS5 may rank for one question.</summary>
    public const long PostingsBudget = 8_000;

    /// <summary>A word in more items than this is common: its count is kept for <see cref="CommonWordTtl"/> instead of being counted per question.</summary>
    public const long CommonWordItems = PostingsBudget / 4;

    /// <summary>
    /// How long a common word's count is reused. Counting a word reads its whole posting list (~1.5 ms per question at
    /// 100,000 items, most of it for the few words in almost every item); such counts move slowly, and they only choose
    /// which words are searched and how little a common word weighs.
    /// </summary>
    public static readonly TimeSpan CommonWordTtl = TimeSpan.FromMinutes(10);

    private const int MaxCommonWords = 4_096;

    // Memory-mapped reads of the posting lists (no read() call per page), set on the pooled connection each time recall
    // opens it (cheap: no IO).
    private const string ConnectionPragmas = "PRAGMA mmap_size = 268435456;";

    private readonly ConcurrentDictionary<string, CommonWord> commonWords = new(StringComparer.Ordinal);


    // {0} the rows that hold enough of the question (see Gate), {1} the scope filter. Scored by the table's rank function
    // (bm25, titles weighing twice, see MemoryFtsSql) on those rows only. "+rowid" keeps these sets out of FTS5's plan: it
    // walks the MATCH once and tests each row, instead of one FTS5 query per rowid of the set.
    private const string RankSql = """
        SELECT rowid, -bm25(memory_fts, 2.0, 1.0) AS score FROM memory_fts
        WHERE memory_fts MATCH $match {0} {1}
        ORDER BY score DESC, rowid
        LIMIT $window
        """;

    // Tenant and kind are read from the FTS table's content, one lookup per row: done on the ranked window only.
    // Pinned blocks are always in context, so never recalled.
    private const string TenantSql = """
        SELECT rowid, body FROM memory_fts
        WHERE rowid IN ({0}) AND tenant_id = $tenant AND kind IN ('ArchivalFact', 'DailyEpisode', 'AttachmentSummary', 'Message')
        """;

    // Questions with more words than this count the coverage per row in SQL (GROUP BY) rather than as a MATCH of the
    // smallest sets of words that pass, whose number grows with 2^words.
    private const int MaxGateWords = 8;

    // A scope keeps the rows of its chat session (items and messages) or of its agent profile; SQLite applies the LIMIT
    // after this filter, so the best rows within the scope come back however many others rank above them.
    private const string SessionFilter = "AND +rowid IN (SELECT rowid FROM memory_items WHERE TenantId = $tenant AND SessionId = $scope UNION ALL SELECT -rowid FROM messages WHERE TenantId = $tenant AND SessionId = $scope)";
    // A chat in the trash is not remembered (restoring it brings its messages and items back); the index keeps them.
    private const string NotInTrash = "(SessionId IS NULL OR SessionId NOT IN (SELECT Id FROM sessions WHERE DeletedAt IS NOT NULL))";

    private const string AgentFilter = "AND +rowid IN (SELECT rowid FROM memory_items WHERE TenantId = $tenant AND AgentId = $scope)";

    public Task<IReadOnlyList<RecalledMemory>> RecallAsync(string tenantId, string query, int take, CancellationToken cancellationToken) =>
        RecallAsync(tenantId, query, take, MemoryScope.Whole, cancellationToken);

    public async Task<IReadOnlyList<RecalledMemory>> RecallInScopeAsync(string tenantId, MemoryScope scope, string query, int take, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return scope.HasMemory ? await RecallAsync(tenantId, query, take, scope, cancellationToken) : [];
    }

    private async Task<IReadOnlyList<RecalledMemory>> RecallAsync(string tenantId, string query, int take, MemoryScope scope, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(take);
        var asked = FtsQuery.SubjectTerms(query);
        if (asked.Count == 0)
        {
            return [];
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using (var pragmas = db.Database.GetDbConnection().CreateCommand())
        {
            pragmas.CommandText = ConnectionPragmas;
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
        }

        var counts = await CountAsync(db, asked, cancellationToken);
        var terms = Selective(asked, counts);
        if (FtsQuery.Or(terms) is not { } match)
        {
            return [];
        }

        // A row must hold a share of the question's subject words weighed by how rare each is in memory (IDF): a row that
        // shares only a word found all over memory ("time", "project", a first name) holds little of what was asked. BM25
        // alone does not say this: its score has no scale, and one shared word of middling rarity clears any fixed floor.
        var documents = await DocumentCountAsync(db, cancellationToken);
        var weights = terms.Select(t => Idf(documents, counts.GetValueOrDefault(t))).ToArray();

        // Ranked beyond take: the asking message and the score floors below may drop rows that BM25 puts first.
        var hits = await RankAsync(db, tenantId, scope, terms, weights, match, 2 * take + 1, cancellationToken);

        // The message that asks is stored before recall runs: it is the question, not something remembered.
        var question = query.Trim();
        hits = hits.Where(h => !(h.IsMessage && string.Equals(h.Body.Trim(), question, StringComparison.Ordinal))).ToList();
        if (hits.Count == 0)
        {
            return [];
        }

        var best = hits.Max(h => h.Score);
        hits = hits.Where(h => h.Score >= options.RecallMinScore && h.Score >= best * options.RecallRelativeCut)
            .Take(take)
            .ToList();
        return await MaterializeAsync(db, hits, cancellationToken);
    }

    /// <summary>BM25's inverse document frequency, kept positive (a word in most rows weighs almost nothing, never less).</summary>
    private static double Idf(long documents, long items) => Math.Log(1 + ((documents - items + 0.5) / (items + 0.5)));

    /// <summary>
    /// How many rows hold each of the question's words, counted by FTS5 itself (MATCH applies the index's stemming, so
    /// "watering" counts the rows with "water"). Counting reads a word's whole posting list, so a common word's count comes
    /// from <see cref="commonWords"/> while fresh.
    /// </summary>
    private async Task<Dictionary<string, long>> CountAsync(AgentDbContext db, IReadOnlyList<string> terms, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var toCount = new List<string>(terms.Count);
        foreach (var term in terms)
        {
            if (commonWords.TryGetValue(term, out var known) && now - known.CountedAt < CommonWordTtl)
            {
                counts[term] = known.Items;
            }
            else
            {
                toCount.Add(term);
            }
        }

        if (toCount.Count == 0)
        {
            return counts;
        }

        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = string.Join(" UNION ALL ", toCount.Select((_, i) => $"SELECT {i}, count(*) FROM memory_fts WHERE memory_fts MATCH $t{i}"));
        for (var i = 0; i < toCount.Count; i++)
        {
            Add(command, $"$t{i}", FtsQuery.Or([toCount[i]])!);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (term, items) = (toCount[reader.GetInt32(0)], reader.GetInt64(1));
            counts[term] = items;
            if (items > CommonWordItems)
            {
                if (commonWords.Count >= MaxCommonWords)
                {
                    commonWords.Clear();
                }

                commonWords[term] = new CommonWord(items, now);
            }
        }

        return counts;
    }

    /// <summary>
    /// The question's words worth searching: rarest first, words are kept while the items they match stay under
    /// <see cref="PostingsBudget"/> (at least one word is always kept). FTS5 ranks every item that matches, so this bounds
    /// the work per question; the words left out are the commonest, which weigh least in BM25.
    /// </summary>
    private static List<string> Selective(IReadOnlyList<string> terms, Dictionary<string, long> counts)
    {
        var kept = new List<string>();
        long postings = 0;
        foreach (var term in terms.OrderBy(t => counts.GetValueOrDefault(t)))
        {
            var d = counts.GetValueOrDefault(term);
            if (kept.Count > 0 && postings + d > PostingsBudget)
            {
                break;
            }

            kept.Add(term);
            postings += d;
        }

        return kept;
    }

    /// <summary>Rows in the index, every tenant's (as the words' counts are).</summary>
    private static async Task<long> DocumentCountAsync(AgentDbContext db, CancellationToken cancellationToken)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "SELECT count(*) FROM memory_fts_docsize";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// The rows of this tenant that hold enough of the question (<see cref="Holds"/>), best BM25 first, at most
    /// <paramref name="limit"/>. FTS5's own ORDER BY rank would score every row that matches any word (no top-k pruning;
    /// ~3 µs a row, up to <see cref="PostingsBudget"/> rows) and most of them then fail the share; here FTS5 finds the
    /// rows that pass first (<see cref="Gate"/>) and only those are scored. Tenant and kind are checked on a window of the
    /// ranked rows, widened while other tenants' rows crowd it.
    /// </summary>
    private async Task<List<Hit>> RankAsync(AgentDbContext db, string tenantId, MemoryScope scope, IReadOnlyList<string> terms, double[] weights,
        string match, int limit, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        var (filter, scopeValue) = scope.Kind switch
        {
            MemoryScopeKind.Session => (SessionFilter, (object?)scope.SessionId?.ToString().ToUpperInvariant()),
            MemoryScopeKind.Agent => (AgentFilter, scope.ProfileId),
            _ => ("", null),
        };
        var gate = Gate(terms, weights);
        for (var window = 4 * limit; ; window *= 8)
        {
            var ranked = new List<(long RowId, double Score)>();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = string.Format(CultureInfo.InvariantCulture, RankSql, gate.Filter, filter);
                Add(command, "$match", match);
                Add(command, "$window", window);
                Add(command, "$tenant", tenantId);
                if (filter.Length > 0)
                {
                    Add(command, "$scope", scopeValue ?? DBNull.Value);
                }

                foreach (var (name, value) in gate.Parameters)
                {
                    Add(command, name, value);
                }

                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    ranked.Add((reader.GetInt64(0), reader.GetDouble(1)));
                }
            }

            if (ranked.Count == 0)
            {
                return [];
            }

            var bodies = new Dictionary<long, string>();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = string.Format(CultureInfo.InvariantCulture, TenantSql, string.Join(',', ranked.Select(r => r.RowId.ToString(CultureInfo.InvariantCulture))));
                Add(command, "$tenant", tenantId);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    bodies[reader.GetInt64(0)] = reader.GetString(1);
                }
            }

            if (bodies.Count >= limit || ranked.Count < window)
            {
                return ranked.Where(r => bodies.ContainsKey(r.RowId)).Take(limit).Select(r => new Hit(r.RowId, r.Score, bodies[r.RowId])).ToList();
            }
        }
    }

    /// <summary>
    /// The SQL that keeps the rows holding enough of the question: a MATCH of the smallest sets of words that pass
    /// ("a AND b OR a AND c OR d"), which FTS5 answers by intersecting posting lists, so no row is scored or grouped to
    /// find out; none when any word alone passes (every matching row does). A question of many words counts each row's
    /// share in SQL instead.
    /// </summary>
    private (string Filter, List<(string Name, object Value)> Parameters) Gate(IReadOnlyList<string> terms, double[] weights)
    {
        if (terms.Count <= MaxGateWords)
        {
            var all = (1 << terms.Count) - 1;
            var smallest = Enumerable.Range(1, all)
                .Where(set => Holds(weights, set) && !Enumerable.Range(0, terms.Count).Any(i => (set & (1 << i)) != 0 && Holds(weights, set & ~(1 << i))))
                .ToList();
            if (smallest.Count == terms.Count && smallest.All(set => BitOperations.PopCount((uint)set) == 1))
            {
                return ("", []);
            }

            var expression = string.Join(" OR ", smallest.Select(set =>
                "(" + string.Join(" AND ", Enumerable.Range(0, terms.Count).Where(i => (set & (1 << i)) != 0).Select(i => FtsQuery.Or([terms[i]]))) + ")"));
            return ("AND +rowid IN (SELECT rowid FROM memory_fts WHERE memory_fts MATCH $gate)", [("$gate", expression)]);
        }

        var total = weights.Sum();
        var words = string.Join(" UNION ALL ", terms.Select((_, i) => $"SELECT rowid, $w{i} AS w FROM memory_fts WHERE memory_fts MATCH $t{i}"));
        var parameters = new List<(string Name, object Value)>
        {
            ("$full", options.RecallMinCoverage * total),
            ("$half", options.RecallMinCoverage / 2 * total),
        };
        for (var i = 0; i < terms.Count; i++)
        {
            parameters.Add(($"$t{i}", FtsQuery.Or([terms[i]])!));
            parameters.Add(($"$w{i}", weights[i]));
        }

        return ($"AND +rowid IN (SELECT rowid FROM ({words}) GROUP BY rowid HAVING sum(w) >= $full OR (count(*) >= 2 AND sum(w) >= $half))", parameters);
    }

    /// <summary>
    /// Whether a row holds enough of the question: <see cref="MemoryOptions.RecallMinCoverage"/> of its weighed words, or
    /// half that share in two words or more (a long question is rarely restated whole; one word of it rarely suffices).
    /// </summary>
    private bool Holds(double[] weights, int held)
    {
        var coverage = Coverage(weights, held);
        return coverage >= options.RecallMinCoverage || (BitOperations.PopCount((uint)held) >= 2 && coverage >= options.RecallMinCoverage / 2);
    }

    /// <summary>The weighed share of the question's words a row holds; <paramref name="held"/> has bit i set for word i.</summary>
    private static double Coverage(double[] weights, int held)
    {
        double total = 0, matched = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            total += weights[i];
            matched += (held & (1 << i)) != 0 ? weights[i] : 0;
        }

        return total == 0 ? 0 : matched / total;
    }

    /// <summary>The found rows as memory items, in rank order (plain reads by rowid: no model building per question).</summary>
    private static async Task<IReadOnlyList<RecalledMemory>> MaterializeAsync(AgentDbContext db, List<Hit> hits, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        var byRow = new Dictionary<long, MemoryItem>();
        var items = string.Join(',', hits.Where(h => !h.IsMessage).Select(h => h.RowId));
        if (items.Length > 0)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT rowid, Id, TenantId, SessionId, Tier, Title, Content, CreatedAt, UpdatedAt, Source, SourceMessageId, AttachmentId, Day, AgentId FROM memory_items WHERE rowid IN ({items}) AND {NotInTrash}";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                byRow[reader.GetInt64(0)] = new MemoryItem(
                    Guid.Parse(reader.GetString(1)), reader.GetString(2), OptionalGuid(reader, 3), Enum.Parse<MemoryTier>(reader.GetString(4)),
                    reader.GetString(5), reader.GetString(6), Ticks(reader, 7), Ticks(reader, 8))
                {
                    Source = Enum.TryParse<MemorySource>(reader.GetString(9), out var source) ? source : MemorySource.Person,
                    SourceMessageId = OptionalGuid(reader, 10),
                    AttachmentId = OptionalGuid(reader, 11),
                    Day = reader.IsDBNull(12) ? null : DateOnly.Parse(reader.GetString(12), CultureInfo.InvariantCulture),
                    AgentId = reader.IsDBNull(13) ? null : reader.GetString(13),
                };
            }
        }

        var messages = hits.Where(h => h.IsMessage).ToDictionary(h => -h.RowId);
        if (messages.Count > 0)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT rowid, Id, TenantId, SessionId, Role, CreatedAt, UpdatedAt FROM messages WHERE rowid IN ({string.Join(',', messages.Keys)}) AND {NotInTrash}";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = Guid.Parse(reader.GetString(1));
                byRow[-reader.GetInt64(0)] = new MemoryItem(
                    id, reader.GetString(2), Guid.Parse(reader.GetString(3)), MemoryTier.RawHistory,
                    reader.GetString(4) == nameof(MessageRole.User) ? "Person said" : "Agent replied", messages[reader.GetInt64(0)].Body, Ticks(reader, 5), Ticks(reader, 6))
                {
                    Source = MemorySource.Message,
                    SourceMessageId = id,
                };
            }
        }

        return hits.Where(h => byRow.ContainsKey(h.RowId)).Select(h => new RecalledMemory(byRow[h.RowId], h.Score)).ToList();
    }

    private static Guid? OptionalGuid(DbDataReader reader, int column) => reader.IsDBNull(column) ? null : Guid.Parse(reader.GetString(column));

    private static DateTimeOffset Ticks(DbDataReader reader, int column) => new(reader.GetInt64(column), TimeSpan.Zero);

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>How many items held a common word when it was counted.</summary>
    private sealed record CommonWord(long Items, DateTimeOffset CountedAt);

    /// <summary>A ranked row (BM25, higher is more relevant).</summary>
    private sealed record Hit(long RowId, double Score, string Body)
    {
        public bool IsMessage => RowId < 0;
    }
}
