using System.Diagnostics;
using System.Globalization;
using Agent.Data;
using Agent.Data.Stores;
using Microsoft.Data.Sqlite;

namespace Agent.Benchmarks;

/// <summary>
/// Where recall's time goes, phase by phase, on a database the recall bench seeded (the same 400 questions): the word
/// counts (fts5vocab), the FTS5 ranking in its shapes, and the connection PRAGMAs. CPU time of this thread per question.
/// Run: dotnet run -c Release --project tests/Agent.Benchmarks -- recall-profile PATH.db (seed one with AGENT_BENCH_KEEP_DB, see RecallBench).
/// </summary>
public static class RecallProfile
{
    private const string Kinds = "kind IN ('ArchivalFact', 'DailyEpisode', 'AttachmentSummary', 'Message')";
    private const string Highlight = "highlight(memory_fts, 0, char(1), char(2)) || ' ' || highlight(memory_fts, 1, char(1), char(2))";

    public static async Task<int> RunAsync(string path)
    {
        var words = RecallBench.Words(new Random(7));
        var random = new Random(99);
        var questions = Enumerable.Range(0, 400).Select(_ => FtsQuery.Terms(RecallBench.Question(words, random))).ToList();
        foreach (var pragmas in new[] { "", "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;" })
        {
            await using var connection = new SqliteConnection(AgentDatabase.ConnectionStringFor(path));
            await connection.OpenAsync();
            if (pragmas.Length > 0)
            {
                await ExecAsync(connection, pragmas);
            }

            Console.WriteLine($"connection: {(pragmas.Length == 0 ? "defaults" : pragmas)}");
            var selected = new List<string>();
            var common = new HashSet<string>(StringComparer.Ordinal);
            Measure("vocab counts (every word of the question)", questions, q =>
            {
                var (counts, _) = Counts(connection, q, common);
                selected.Add(FtsQuery.Or(Select(q, counts))!);
            });
            Measure("vocab counts of the words already seen rare (cache of common words)", questions, q => Counts(connection, q.Where(t => !common.Contains(t)).ToList(), common));
            Measure("rank: ORDER BY rank in FTS5 + tenant/kind filter + highlight (current)", selected, m => Rows(connection,
                $"SELECT rowid, -rank, body, {Highlight} FROM memory_fts WHERE memory_fts MATCH $m AND tenant_id = 'local' AND {Kinds} ORDER BY rank LIMIT 6", m));
            Measure("rank: ORDER BY rank, no filter, no highlight", selected, m => Rows(connection,
                "SELECT rowid, -rank FROM memory_fts WHERE memory_fts MATCH $m ORDER BY rank LIMIT 6", m));
            Measure("rank: ORDER BY bm25() (SQLite sorter) + filter, highlight of the 6 found only", selected, m => Rows(connection,
                $"SELECT rowid, s, body, {Highlight} FROM memory_fts JOIN (SELECT rowid AS r, bm25(memory_fts, 2.0, 1.0) AS s FROM memory_fts WHERE memory_fts MATCH $m AND tenant_id = 'local' AND {Kinds} ORDER BY s LIMIT 6) ON rowid = r WHERE memory_fts MATCH $m ORDER BY s", m));
            Measure("match only (count the matching rows)", selected, m => Rows(connection, "SELECT count(*) FROM memory_fts WHERE memory_fts MATCH $m", m));
        }

        return 0;
    }

    private static (Dictionary<string, long>, int) Counts(SqliteConnection connection, IReadOnlyList<string> terms, HashSet<string> common)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        if (terms.Count == 0)
        {
            return (counts, 0);
        }

        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT term, doc FROM memory_fts_vocab WHERE term IN ({string.Join(',', terms.Select((_, i) => $"$t{i}"))})";
        for (var i = 0; i < terms.Count; i++)
        {
            command.Parameters.AddWithValue($"$t{i}", terms[i]);
        }

        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
            if (reader.GetInt64(1) > MemoryRecall.CommonWordItems)
            {
                common.Add(reader.GetString(0));
            }
        }

        return (counts, counts.Count);
    }

    private static List<string> Select(IReadOnlyList<string> terms, Dictionary<string, long> counts)
    {
        var kept = new List<string>();
        long postings = 0;
        foreach (var term in terms.OrderBy(t => counts.GetValueOrDefault(t)))
        {
            var d = counts.GetValueOrDefault(term);
            if (kept.Count > 0 && postings + d > MemoryRecall.PostingsBudget)
            {
                break;
            }

            kept.Add(term);
            postings += d;
        }

        return kept;
    }

    private static int Rows(SqliteConnection connection, string sql, string match)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$m", match);
        using var reader = command.ExecuteReader();
        var rows = 0;
        while (reader.Read())
        {
            rows++;
        }

        return rows;
    }

    private static void Measure<T>(string what, IReadOnlyList<T> inputs, Action<T> run)
    {
        foreach (var input in inputs.Take(20))
        {
            run(input); // warm-up
        }

        var times = new List<double>();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        foreach (var input in inputs)
        {
            var start = Stopwatch.GetTimestamp();
            run(input);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        var cpuPer = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / inputs.Count;
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {what}: p50 {times[times.Count / 2]:0.00} ms, p95 {times[(int)(times.Count * 0.95)]:0.00} ms, CPU {cpuPer:0.00} ms per question; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
    }

    private static async Task ExecAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
