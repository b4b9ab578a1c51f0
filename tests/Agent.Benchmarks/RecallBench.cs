using System.Diagnostics;
using System.Globalization;
using Agent.Data;
using Agent.Domain.Memory;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Benchmarks;

/// <summary>
/// Recall latency (IMemoryRecall on a real SQLite file, FTS5/BM25 plus the threshold and the reads of the found items)
/// at 10,000 and 100,000 stored items. Run: dotnet run -c Release -- recall.
/// </summary>
public static class RecallBench
{
    private const int Queries = 400;
    private const int Vocabulary = 20_000;

    public static async Task<int> RunAsync()
    {
        var lines = new List<string>
        {
            $"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, SQLite {SqliteVersion()}",
        };
        Console.WriteLine(lines[0]);
        foreach (var size in new[] { 10_000, 100_000 })
        {
            var before = LoadAverage();
            var line = await MeasureAsync(size) + $"; 1-min load average {before} before, {LoadAverage()} after";
            Console.WriteLine(line);
            lines.Add(line);
        }

        await File.WriteAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "RESULTS-recall.txt"), lines);
        return 0;
    }

    private static async Task<string> MeasureAsync(int items)
    {
        var folder = Path.Combine(Path.GetTempPath(), "agent-bench");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"recall-{Guid.NewGuid():N}.db");
        var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddAgentData(path).BuildServiceProvider();
        try
        {
            await using (services)
            {
                await services.GetRequiredService<AgentDatabase>().InitializeAsync(CancellationToken.None);
                var words = Words(new Random(7));
                var seeded = Stopwatch.StartNew();
                await SeedAsync(path, items, words, new Random(42));
                seeded.Stop();

                var recall = services.GetRequiredService<IMemoryRecall>();
                var random = new Random(99);
                var questions = Enumerable.Range(0, Queries).Select(_ => Question(words, random)).ToList();
                foreach (var q in questions.Take(20))
                {
                    await recall.RecallAsync("local", q, 5, CancellationToken.None); // warm-up: JIT, pool, page cache
                }

                var times = new List<double>();
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var found = 0;
                var empty = 0;
                foreach (var q in questions)
                {
                    var start = Stopwatch.GetTimestamp();
                    var result = await recall.RecallAsync("local", q, 5, CancellationToken.None);
                    times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    found += result.Count;
                    empty += result.Count == 0 ? 1 : 0;
                }

                var cpuPerQuestion = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / Queries;
                times.Sort();
                return string.Create(CultureInfo.InvariantCulture,
                    $"{items,7:N0} items (seeded in {seeded.Elapsed.TotalSeconds:0.0} s): recall take 5 over {Queries} questions: p50 {Percentile(times, 0.50):0.00} ms, p95 {Percentile(times, 0.95):0.00} ms, p99 {Percentile(times, 0.99):0.00} ms, max {times[^1]:0.00} ms, CPU {cpuPerQuestion:0.00} ms per question (all threads); {found / (double)Queries:0.0} items per question, {empty} with none");
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            // AGENT_BENCH_KEEP_DB=/tmp/x/recall keeps a copy (/tmp/x/recall100000.db) for the recall-profile bench.
            if (Environment.GetEnvironmentVariable("AGENT_BENCH_KEEP_DB") is { Length: > 0 } keep)
            {
                File.Copy(path, string.Create(CultureInfo.InvariantCulture, $"{keep}{items}.db"), overwrite: true);
            }

            File.Delete(path);
        }
    }

    /// <summary>Items of every recalled tier with 12 to 40 words drawn from a Zipf-like vocabulary, in one transaction (the FTS triggers index them).</summary>
    private static async Task SeedAsync(string path, int items, string[] words, Random random)
    {
        await using var connection = new SqliteConnection(AgentDatabase.ConnectionStringFor(path));
        await connection.OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO memory_items (Id, TenantId, SessionId, Tier, Title, Content, CreatedAt, UpdatedAt, Source) VALUES ($id, 'local', NULL, $tier, '', $content, $at, $at, 'Agent')";
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var tier = insert.Parameters.Add("$tier", SqliteType.Text);
        var content = insert.Parameters.Add("$content", SqliteType.Text);
        var at = insert.Parameters.Add("$at", SqliteType.Integer);
        string[] tiers = [nameof(MemoryTier.ArchivalFact), nameof(MemoryTier.DailyEpisode), nameof(MemoryTier.AttachmentSummary)];
        for (var i = 0; i < items; i++)
        {
            id.Value = Guid.NewGuid().ToString().ToUpperInvariant();
            tier.Value = tiers[i % tiers.Length];
            content.Value = string.Join(' ', Enumerable.Range(0, random.Next(12, 41)).Select(_ => Pick(words, random)));
            at.Value = DateTimeOffset.UtcNow.UtcTicks;
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    /// <summary>A question of 3 to 7 words, like "what about w123 w9 w4021?".</summary>
    internal static string Question(string[] words, Random random) =>
        "What do you remember about " + string.Join(' ', Enumerable.Range(0, random.Next(3, 8)).Select(_ => Pick(words, random))) + "?";

    /// <summary>Zipf-like: rank r is drawn with probability about 1/r.</summary>
    private static string Pick(string[] words, Random random) => words[(int)Math.Pow(words.Length, random.NextDouble()) - 1];

    internal static string[] Words(Random random)
    {
        string[] syllables = ["ka", "lo", "mi", "ser", "tan", "vo", "ri", "pel", "du", "gor", "na", "fi", "bel", "tro", "su", "ven", "xa", "quo", "li", "dar"];
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (words.Count < Vocabulary)
        {
            words.Add(string.Concat(Enumerable.Range(0, random.Next(2, 5)).Select(_ => syllables[random.Next(syllables.Length)])));
        }

        return [.. words];
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>The 1-minute load average around a measurement: on a shared machine it explains most of the spread.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static string SqliteVersion()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version()";
        return (string)command.ExecuteScalar()!;
    }
}
