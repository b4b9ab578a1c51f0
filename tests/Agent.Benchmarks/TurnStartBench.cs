using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Agent.Domain.Runtime;
using Agent.ProviderEmulator;
using Agent.Runtime.Chat;
using Agent.Runtime.Hosting;
using Agent.Runtime.Runtime;
using Agent.Runtime.Services;
using Agent.Tests.Shared;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Benchmarks;

/// <summary>
/// From Enter to the provider request: the store calls (every call on the Agent.Domain.Storage interfaces, by
/// decorating the registered stores), the SKILL.md files read, and the elapsed time between a send and the moment the
/// provider emulator (OpenAI-compatible, real HTTP on 127.0.0.1) has read the request. The real app composition
/// (Program through WebApplicationFactory) on a real SQLite file, with a skills folder of <see cref="Skills"/> skills.
/// Run: dotnet run -c Release --project tests/Agent.Benchmarks -- turn-start [--runs N] [--label NAME] [--note TEXT]
/// (--render-only: measure nothing, set the labelled row's note and rewrite the markdown).
/// Each run is recorded under its label in RESULTS-turn-start.json (a run with the same label replaces it) and
/// RESULTS-turn-start.md is rewritten from all recorded runs, so earlier figures stay beside the new ones.
/// </summary>
public static class TurnStartBench
{
    private const int Skills = 5;
    private const int Warmup = 2;

    /// <summary>A store call this long waited for SQLite's write lock (Microsoft.Data.Sqlite retries a busy database every 150 ms).</summary>
    private const double SlowCallMs = 100;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = 10;
        var label = "run";
        string? note = null;
        for (var i = 1; i < args.Length - 1; i++)
        {
            if (args[i] == "--runs")
            {
                runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--label")
            {
                label = args[i + 1];
            }
            else if (args[i] == "--note")
            {
                note = args[i + 1];
            }
        }

        var directory = Path.Combine(ProvidersBench.FindRepoRoot(), "tests", "Agent.Benchmarks");
        var history = Path.Combine(directory, "RESULTS-turn-start.json");
        var markdown = Path.Combine(directory, "RESULTS-turn-start.md");
        var rows = File.Exists(history) ? JsonSerializer.Deserialize<List<BenchRow>>(await File.ReadAllTextAsync(history), Json) ?? [] : [];
        if (args.Contains("--render-only"))
        {
            // Measures nothing: sets the note of the row labelled --label (when --note is given) and rewrites the markdown.
            var index = rows.FindIndex(r => r.Label == label);
            if (note is not null && index >= 0)
            {
                rows[index] = rows[index] with { Note = note };
                await File.WriteAllTextAsync(history, JsonSerializer.Serialize(rows, Json) + "\n");
            }

            await File.WriteAllTextAsync(markdown, Render(rows));
            Console.WriteLine($"wrote {markdown}");
            return 0;
        }

        var folder = Path.Combine(Path.GetTempPath(), "agent-bench", $"turn-start-{Guid.NewGuid():N}");
        var skills = Path.Combine(folder, "skills");
        for (var i = 1; i <= Skills; i++)
        {
            Directory.CreateDirectory(Path.Combine(skills, $"skill-{i}"));
            await File.WriteAllTextAsync(
                Path.Combine(skills, $"skill-{i}", "SKILL.md"),
                $"---\nname: skill-{i}\ndescription: Bench skill number {i}, for the turn-start bench.\n---\n\n# Skill {i}\n\n{string.Join(' ', Enumerable.Repeat("Instructions.", 200))}\n");
        }

        var load = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg")).Split(' ')[0] : "?";
        var row = new BenchRow(
            label,
            DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            GitCommit(),
            $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, load average {load} at start",
            runs,
            note,
            []);

        await using (var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 0 }))
        {
            await using var host = new BenchHost(folder, skills, emulator);
            using var client = host.CreateClient();
            var services = host.Services;
            var counter = services.GetRequiredService<StoreCallCounter>();
            var catalog = services.GetRequiredService<SkillCatalog>();
            var chat = services.GetRequiredService<ChatCoordinator>();
            using var ended = new EndedExecutions(services.GetRequiredService<ExecutionFeed>());
            using var probe = new TurnStartProbe(counter, emulator.Requests, () => catalog.SkillFilesRead);

            async Task<Guid> NewSessionAsync()
            {
                using var created = await client.PostAsJsonAsync("/api/sessions", new { title = "bench" });
                created.EnsureSuccessStatusCode();
                return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            }

            async Task SettleAsync(Guid sessionId, Guid executionId)
            {
                await chat.WhenIdleAsync(sessionId).WaitAsync(Timeout);
                await ended.WaitAsync(executionId, Timeout);
            }

            // A session with one turn already in it: where "the next message" is sent.
            var session = await NewSessionAsync();
            var first = await chat.SendAsync("local", session, "hello, bench", null, CancellationToken.None);
            await SettleAsync(session, first.ExecutionId);

            var scenarios = new (string Name, Func<int, Task<(TurnStartSample, Guid Session, Guid Execution)>> Run)[]
            {
                ("next message, ChatCoordinator.SendAsync (what Enter calls)", async i =>
                {
                    var (sample, started) = await probe.MeasureAsync(() => chat.SendAsync("local", session, $"message {i} of the bench", null, CancellationToken.None), Timeout);
                    return (sample, session, started.ExecutionId);
                }),
                ("next message, POST /api/sessions/{id}/messages", async i =>
                {
                    var (sample, execution) = await probe.MeasureAsync(
                        async () =>
                        {
                            using var sent = await client.PostAsJsonAsync($"/api/sessions/{session}/messages", new { text = $"posted message {i} of the bench" });
                            sent.EnsureSuccessStatusCode();
                            return (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("executionId").GetGuid();
                        },
                        Timeout);
                    return (sample, session, execution);
                }),
                ("first message of a new session, ChatCoordinator.SendAsync", async i =>
                {
                    var fresh = await NewSessionAsync();
                    var (sample, started) = await probe.MeasureAsync(() => chat.SendAsync("local", fresh, $"first message {i}", null, CancellationToken.None), Timeout);
                    return (sample, fresh, started.ExecutionId);
                }),
            };

            foreach (var (name, run) in scenarios)
            {
                var samples = new List<TurnStartSample>();
                for (var i = 0; i < Warmup + runs; i++)
                {
                    var (sample, sessionId, executionId) = await run(i);
                    await SettleAsync(sessionId, executionId);
                    if (i >= Warmup)
                    {
                        samples.Add(sample);
                    }
                }

                var result = ScenarioResult.From(name, samples);
                row.Scenarios.Add(result);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: {result.StoreCalls} store calls (+{result.OtherCalls} other), {result.SkillFilesRead} SKILL.md reads, median {result.MedianMs:0.0} ms, p95 {result.P95Ms:0.0} ms ({result.StoreBusyMedianMs:0.0} ms with a store call in flight, {result.OutsideStoreMedianMs:0.0} ms without, {result.RunsWithSlowCall} runs with a store call of {SlowCallMs:0} ms or more) over {runs} runs{(result.SameInEveryRun ? "" : " (calls varied between runs: " + result.Spread + ")")}"));
                foreach (var line in result.Timeline)
                {
                    Console.WriteLine("  " + line);
                }
            }

            // The skill scan a turn makes twice (context build and tool list), alone: 5 warm-up calls, then 50.
            var scans = new List<double>();
            var readsBefore = catalog.SkillFilesRead;
            for (var i = 0; i < 55; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await catalog.ScanAsync("local", CancellationToken.None);
                if (i >= 5)
                {
                    scans.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }

            scans.Sort();
            row = row with { SkillScan = new SkillScanResult(ScenarioResult.Percentile(scans, 0.5), ScenarioResult.Percentile(scans, 0.95), (catalog.SkillFilesRead - readsBefore) / 55.0) };
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SkillCatalog.ScanAsync alone: median {row.SkillScan.MedianMs:0.000} ms, p95 {row.SkillScan.P95Ms:0.000} ms, {row.SkillScan.FilesReadPerScan:0.#} SKILL.md reads per scan"));
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }

        var at = rows.FindIndex(r => r.Label == label);
        if (at >= 0)
        {
            rows[at] = row with { Note = row.Note ?? rows[at].Note }; // a re-run keeps the row's note unless given a new one
        }
        else
        {
            rows.Add(row);
        }

        await File.WriteAllTextAsync(history, JsonSerializer.Serialize(rows, Json) + "\n");
        await File.WriteAllTextAsync(markdown, Render(rows));
        Console.WriteLine($"wrote {history} and {markdown}");
        return 0;
    }

    private static string Render(List<BenchRow> rows)
    {
        var md = new StringBuilder();
        md.AppendLine("# From Enter to the provider request: store calls, SKILL.md reads, time");
        md.AppendLine();
        md.AppendLine("Generated by `dotnet run -c Release --project tests/Agent.Benchmarks -- turn-start [--runs N] [--label NAME] [--note TEXT]`");
        md.AppendLine("(TurnStartBench.cs) from RESULTS-turn-start.json, where each labelled run is kept (a run under the same label replaces");
        md.AppendLine("it and keeps its note unless given one); edit neither by hand. Default: 10 measured runs per scenario.");
        md.AppendLine();
        md.AppendLine("The real app (Program through WebApplicationFactory) on a real SQLite file, its provider the emulator");
        md.AppendLine("(OpenAI-compatible wire, real HTTP on 127.0.0.1, scenario `ok`, no chunk delay), a skills folder of " + Skills.ToString(CultureInfo.InvariantCulture) + " skills, the");
        md.AppendLine("daily episode job off. The span starts at the send (the call of `ChatCoordinator.SendAsync`, or the POST of the");
        md.AppendLine("messages route through the in-memory test server) and ends when the emulator has read the provider request (on its");
        md.AppendLine("own request thread). Store calls: every call on an Agent.Domain.Storage interface in that span, counted by a");
        md.AppendLine("DispatchProxy around each registered store (tests/Shared/StoreCallCounter.cs, the same one the budget test");
        md.AppendLine("`TurnStartBudgetTests` uses); \"other\" counts calls on the Domain interfaces outside Storage that Agent.Data");
        md.AppendLine("implements (approvals, tenant ownership, memory recall). SKILL.md reads: files read by `SkillCatalog` in that span.");
        md.AppendLine("Each turn runs to its end (execution terminal) before the next send. " + Warmup.ToString(CultureInfo.InvariantCulture) + " warm-up sends per scenario, then the measured runs.");
        md.AppendLine("\"ms with no store call in flight\" is the span less the time some store call was running (the work between");
        md.AppendLine("calls: skill scans, the context build, the request's serialization), the figure least moved by SQLite's waits.");
        md.AppendLine("\"Called from\" and the timeline name the nearest app method on the stack when the store was called (an async");
        md.AppendLine("method's own callers are not on the stack after its first await); capturing it costs some microseconds per call.");
        md.AppendLine("The calls listed are those of the run of median time. The machine is shared with other builds: compare times");
        md.AppendLine("within a row, and counts across rows.");
        md.AppendLine();
        md.AppendLine("## Runs");
        md.AppendLine();
        md.AppendLine("| label | when | commit | runs | machine |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var row in rows)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {row.Label} | {row.At} | {row.Commit} | {row.Runs} | {row.Machine} |");
        }

        md.AppendLine();
        foreach (var row in rows.Where(r => !string.IsNullOrWhiteSpace(r.Note)))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- **{row.Label}**: {row.Note}");
        }

        var scenarioNames = rows.SelectMany(r => r.Scenarios.Select(s => s.Name)).Distinct().ToList();
        var first = rows[0];
        md.AppendLine();
        md.AppendLine("## Figures");
        md.AppendLine();
        md.Append("| scenario | figure |");
        foreach (var row in rows)
        {
            md.Append(CultureInfo.InvariantCulture, $" {row.Label} |");
        }

        if (rows.Count > 1)
        {
            md.Append(CultureInfo.InvariantCulture, $" {rows[^1].Label} / {first.Label} |");
        }

        md.AppendLine();
        md.AppendLine("|---|---|" + string.Concat(Enumerable.Repeat("---|", rows.Count + (rows.Count > 1 ? 1 : 0))));
        foreach (var name in scenarioNames)
        {
            foreach (var (figure, value, format) in new (string, Func<ScenarioResult, double>, string)[]
            {
                ("store calls", s => s.StoreCalls, "0"),
                ("other Agent.Data calls", s => s.OtherCalls, "0"),
                ("SKILL.md reads", s => s.SkillFilesRead, "0"),
                ("median ms", s => s.MedianMs, "0.0"),
                ("p95 ms", s => s.P95Ms, "0.0"),
                ("min ms", s => s.MinMs, "0.0"),
                ("ms with a store call in flight (median)", s => s.StoreBusyMedianMs, "0.0"),
                ("ms with no store call in flight (median)", s => s.OutsideStoreMedianMs, "0.0"),
                ($"runs with a store call of {SlowCallMs:0} ms or more", s => s.RunsWithSlowCall, "0"),
            })
            {
                md.Append(CultureInfo.InvariantCulture, $"| {name} | {figure} |");
                foreach (var row in rows)
                {
                    var s = row.Scenarios.Find(x => x.Name == name);
                    md.Append(s is null ? " |" : " " + value(s).ToString(format, CultureInfo.InvariantCulture) + (figure == "store calls" && !s.SameInEveryRun ? "*" : "") + " |");
                }

                if (rows.Count > 1)
                {
                    var a = first.Scenarios.Find(x => x.Name == name);
                    var b = rows[^1].Scenarios.Find(x => x.Name == name);
                    md.Append(a is null || b is null || value(a) == 0 ? " |" : " " + (value(b) / value(a)).ToString("0.00", CultureInfo.InvariantCulture) + " |");
                }

                md.AppendLine();
            }
        }

        md.AppendLine();
        md.AppendLine("`SkillCatalog.ScanAsync` alone, as a turn calls it twice before the provider request (after the scenarios, in the same");
        md.AppendLine("host: 5 warm-up calls, then 50; it includes the read of the person's skill switches, one store call):");
        md.AppendLine();
        md.AppendLine("| figure |" + string.Concat(rows.Select(r => $" {r.Label} |")));
        md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", rows.Count)));
        foreach (var (figure, value) in new (string, Func<SkillScanResult, string>)[]
        {
            ("median ms", r => r.MedianMs.ToString("0.000", CultureInfo.InvariantCulture)),
            ("p95 ms", r => r.P95Ms.ToString("0.000", CultureInfo.InvariantCulture)),
            ("SKILL.md reads per scan", r => r.FilesReadPerScan.ToString("0.#", CultureInfo.InvariantCulture)),
        })
        {
            md.AppendLine($"| {figure} |" + string.Concat(rows.Select(r => r.SkillScan is { } scan ? $" {value(scan)} |" : " |")));
        }

        if (rows.Any(r => r.Scenarios.Any(s => !s.SameInEveryRun)))
        {
            md.AppendLine();
            md.AppendLine("\\* the calls were not the same in every run; the figure is the count of the run of median time.");
        }

        foreach (var name in scenarioNames)
        {
            md.AppendLine();
            md.AppendLine($"## Store calls per interface method: {name}");
            md.AppendLine();
            md.Append("| call |");
            foreach (var row in rows)
            {
                md.Append(CultureInfo.InvariantCulture, $" {row.Label} |");
            }

            md.AppendLine(" called from (latest run that made it) |");
            md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", rows.Count + 1)));
            var calls = rows.SelectMany(r => r.Scenarios.Where(s => s.Name == name).SelectMany(s => s.Calls))
                .GroupBy(c => c.Name)
                .Select(g => (Name: g.Key, Storage: g.First().IsStorage, Max: g.Max(c => c.Count)))
                .OrderBy(c => c.Storage ? 0 : 1)
                .ThenByDescending(c => c.Max)
                .ThenBy(c => c.Name, StringComparer.Ordinal);
            foreach (var call in calls)
            {
                md.Append(CultureInfo.InvariantCulture, $"| `{call.Name}`{(call.Storage ? "" : " (other)")} |");
                foreach (var row in rows)
                {
                    var count = row.Scenarios.Find(s => s.Name == name)?.Calls.Find(c => c.Name == call.Name)?.Count ?? 0;
                    md.Append(CultureInfo.InvariantCulture, $" {count} |");
                }

                var callers = rows.Select(r => r.Scenarios.Find(s => s.Name == name)?.Calls.Find(c => c.Name == call.Name)?.Callers).LastOrDefault(c => c is not null);
                md.AppendLine(CultureInfo.InvariantCulture, $" {callers} |");
            }

            md.AppendLine();
            md.AppendLine("In call order:");
            md.AppendLine();
            foreach (var row in rows)
            {
                if (row.Scenarios.Find(s => s.Name == name) is { } s)
                {
                    md.AppendLine(CultureInfo.InvariantCulture, $"- {row.Label}: {s.Sequence}");
                }
            }

            md.AppendLine();
            md.AppendLine("Timeline of the median run (start after the send, duration, call):");
            foreach (var row in rows)
            {
                if (row.Scenarios.Find(s => s.Name == name) is { Timeline.Count: > 0 } s)
                {
                    md.AppendLine();
                    md.AppendLine(CultureInfo.InvariantCulture, $"<details><summary>{row.Label}</summary>");
                    md.AppendLine();
                    md.AppendLine("```");
                    foreach (var line in s.Timeline)
                    {
                        md.AppendLine(line);
                    }

                    md.AppendLine("```");
                    md.AppendLine();
                    md.AppendLine("</details>");
                }
            }
        }

        return md.ToString();
    }

    /// <summary>HEAD, with "+changes" when files other than this bench's results differ from it.</summary>
    private static string GitCommit()
    {
        var commit = Git("rev-parse --short HEAD");
        var changes = Git("status --porcelain -- . \":(exclude)tests/Agent.Benchmarks/RESULTS-turn-start.*\"");
        return commit.Length == 0 ? "?" : changes.Length == 0 ? commit : commit + "+changes";
    }

    private static string Git(string arguments)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, WorkingDirectory = ProvidersBench.FindRepoRoot() });
            var output = git!.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "";
        }
    }

    /// <summary>One recorded run of the bench.</summary>
    public sealed record BenchRow(string Label, string At, string Commit, string Machine, int Runs, string? Note, List<ScenarioResult> Scenarios)
    {
        public SkillScanResult? SkillScan { get; init; }
    }

    /// <summary>One <c>SkillCatalog.ScanAsync</c> (a turn makes two before its provider request), including its read of the skill switches.</summary>
    public sealed record SkillScanResult(double MedianMs, double P95Ms, double FilesReadPerScan);

    public sealed record CallCount(string Name, int Count, bool IsStorage, string Callers);

    /// <summary>A scenario's figures: the calls of the run of median time, and the time's median and 95th percentile.</summary>
    public sealed record ScenarioResult(
        string Name, int StoreCalls, int OtherCalls, long SkillFilesRead, double MedianMs, double P95Ms, double MinMs, double StoreBusyMedianMs, double OutsideStoreMedianMs, int RunsWithSlowCall,
        bool SameInEveryRun, string Spread, List<CallCount> Calls, string Sequence, List<string> Timeline)
    {
        public static ScenarioResult From(string name, List<TurnStartSample> samples)
        {
            // The median run is the one of median time; its calls are the ones listed (the counts of the others are checked against them).
            var byTime = samples.OrderBy(s => s.Elapsed).ToList();
            var median = byTime[Math.Clamp((int)Math.Ceiling(0.5 * byTime.Count) - 1, 0, byTime.Count - 1)];
            var byCount = samples.OrderBy(s => s.StoreCalls.StorageCount).ToList();
            var times = byTime.Select(s => s.Elapsed.TotalMilliseconds).ToList();
            // The same calls in every run, in whatever order concurrent ones came (the run context and the runtime write at once).
            var callSets = samples.Select(s => string.Join(",", s.StoreCalls.Calls.Select(c => c.Name).Order(StringComparer.Ordinal))).Distinct().Count();
            var spread = $"store calls {byCount[0].StoreCalls.StorageCount}-{byCount[^1].StoreCalls.StorageCount}, SKILL.md reads {samples.Min(s => s.SkillFilesRead)}-{samples.Max(s => s.SkillFilesRead)}";
            return new ScenarioResult(
                name,
                median.StoreCalls.StorageCount,
                median.StoreCalls.OtherCount,
                median.SkillFilesRead,
                Percentile(times, 0.5),
                Percentile(times, 0.95),
                times[0],
                Percentile(samples.Select(s => s.StoreCalls.BusyMs).Order().ToList(), 0.5),
                Percentile(samples.Select(s => s.Elapsed.TotalMilliseconds - s.StoreCalls.BusyMs).Order().ToList(), 0.5),
                samples.Count(s => s.StoreCalls.Calls.Any(c => c.EndMs is { } end && end - c.StartMs >= SlowCallMs)),
                callSets == 1 && samples.All(s => s.SkillFilesRead == median.SkillFilesRead),
                spread,
                median.StoreCalls.ByMethod.Select(m => new CallCount(m.Name, m.Count, m.IsStorage, m.Callers)).ToList(),
                median.StoreCalls.Sequence(),
                [.. median.StoreCalls.Timeline(), string.Create(CultureInfo.InvariantCulture, $"{median.Elapsed.TotalMilliseconds,8:0.0} ms  provider request received")]);
        }

        /// <summary>Nearest rank: the smallest value with at least <paramref name="share"/> of the values at or below it.</summary>
        public static double Percentile(List<double> sorted, double share) => sorted[Math.Clamp((int)Math.Ceiling(share * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>
    /// The real app with the emulator as its default provider and the store calls counted. WebApplicationFactory takes the
    /// entry point's assembly from its type argument; the bench's own top-level Program hides Agent.Web's, so another
    /// type of Agent.Web names it.
    /// </summary>
    private sealed class BenchHost(string folder, string skills, EmulatorServer emulator) : WebApplicationFactory<Agent.Web.Components.App>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseContentRoot(ProvidersBench.FindRepoRoot());
            builder.UseEnvironment("Testing");
            foreach (var (key, value) in new Dictionary<string, string>
            {
                ["Agent:Storage:DatabasePath"] = Path.Combine(folder, "agent.db"),
                ["Agent:Tools:WorkspaceFolder"] = Path.Combine(folder, "workspace"),
                ["Agent:Skills:Folders:0"] = skills,
                ["Agent:Memory:EpisodeJob"] = "false",
                ["Agent:DefaultProvider"] = "emulator",
                ["Agent:Providers:3:Name"] = "emulator",
                ["Agent:Providers:3:Kind"] = "OpenAICompatible",
                ["Agent:Providers:3:Mode"] = "Sandbox",
                ["Agent:Providers:3:BaseUrl"] = emulator.OpenAIBaseUrl.ToString(),
                ["Agent:Providers:3:Models:0:Id"] = "emulator-model",
                ["Agent:Providers:3:Models:0:ContextWindow"] = "8192",
                ["Agent:Providers:3:Resilience:RequestsPerMinute"] = "1000000",
                ["Agent:Caps:MaxCallsPerMinuteTenant"] = "1000000",
                ["Serilog:MinimumLevel:Default"] = "Warning",
            })
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureServices(services =>
            {
                services.AddSingleton(new EnvironmentVariables(_ => null));
                StoreCallCounter.AddTo(services);
            });
        }
    }

    /// <summary>Executions seen reaching a terminal state on the runtime's feed, to wait on by id.</summary>
    private sealed class EndedExecutions : IDisposable
    {
        private readonly ConcurrentDictionary<Guid, TaskCompletionSource> ended = new();
        private readonly IDisposable subscription;

        public EndedExecutions(ExecutionFeed feed) =>
            subscription = feed.Subscribe(change =>
            {
                if (ExecutionLifecycle.IsTerminal(change.Execution.Status))
                {
                    For(change.Execution.Id).TrySetResult();
                }
            });

        public Task WaitAsync(Guid executionId, TimeSpan timeout) => For(executionId).Task.WaitAsync(timeout);

        public void Dispose() => subscription.Dispose();

        private TaskCompletionSource For(Guid id) => ended.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
