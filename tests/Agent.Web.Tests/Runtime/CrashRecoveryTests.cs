using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Agent.Domain.Runtime;
using Microsoft.Data.Sqlite;

namespace Agent.Web.Tests.Runtime;

/// <summary>
/// Starts the real app process, submits long executions over HTTP, kills it with SIGKILL mid-run, starts it again
/// on the same SQLite file and checks that every status is truthful, the WAL has no gaps and nothing acknowledged is lost.
/// </summary>
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task Kill_9_mid_run_then_restart_recovers_every_execution_truthfully()
    {
        var database = TestPaths.NewDatabasePath();
        var demos = new List<Guid>();
        var sleeps = new List<Guid>();
        Guid finished;
        var observed = new Dictionary<Guid, double>();

        await using (var first = await AppProcess.StartAsync(database))
        {
            var client = first.Client;
            finished = (await client.SubmitOkAsync("demo_long_task", new { steps = 1, stepMs = 0 }, key: "crash-finished")).Id;
            for (var i = 0; i < 4; i++)
            {
                demos.Add((await client.SubmitOkAsync("demo_long_task", new { steps = 60, stepMs = 250 }, key: $"crash-demo-{i}")).Id);
            }

            for (var i = 0; i < 2; i++)
            {
                sleeps.Add((await client.SubmitOkAsync("diagnostic_sleep", new { ms = 600000 }, key: $"crash-sleep-{i}")).Id);
            }

            await client.WaitForStatusAsync(finished, "completed");
            foreach (var id in demos)
            {
                observed[id] = (await client.WaitForAsync(id, r => r.Is("running") && r.Progress >= 0.1, "running with progress", 30000)).Progress;
            }

            foreach (var id in sleeps)
            {
                await client.WaitForStatusAsync(id, "running", timeoutMs: 30000);
            }

            first.Kill();
        }

        await using (var second = await AppProcess.StartAsync(database))
        {
            var client = second.Client;

            // Acknowledged and finished stays finished, untouched by recovery.
            var done = await client.StatusAsync(finished);
            Assert.True(done.Is("completed"), done.Shown);
            Assert.DoesNotContain(await client.EventsAsync(finished), e => e.EventType == "execution.interrupted");

            // Leave policy: truthfully interrupted, waiting for a person.
            foreach (var id in sleeps)
            {
                var record = await client.StatusAsync(id);
                Assert.True(record.Is("failed", "interrupted"), record.Shown);
                Assert.Contains("Press Retry", record.ProgressMessage, StringComparison.Ordinal);
                Assert.Equal("execution.interrupted", (await client.EventsAsync(id))[^1].EventType);
            }

            // Resume policy: interrupted, resumed from the last checkpoint (not before what was acknowledged), then completed.
            foreach (var id in demos)
            {
                var record = await client.WaitForStatusAsync(id, "completed", timeoutMs: 60000);
                Assert.Equal(1, record.Progress);
                var events = await client.EventsAsync(id);
                var types = events.Select(e => e.EventType).ToList();
                Assert.True(types.IndexOf("execution.interrupted") < types.IndexOf("execution.resumed"), string.Join(",", types.Where(t => t != "execution.progress")));
                var resumed = events.Single(e => e.EventType == "demo.resumed");
                var fromStep = JsonDocument.Parse(resumed.PayloadJson).RootElement.GetProperty("fromStep").GetInt32();
                Assert.True(fromStep / 60.0 >= observed[id] - 1e-9, $"resumed from step {fromStep} but progress {observed[id]} had been acknowledged");
                Assert.Single(await ArtifactsOf(client, id));
            }

            // Idempotency survives the crash: the same key names the same execution.
            using var again = await client.SubmitAsync("demo_long_task", new { steps = 60, stepMs = 250 }, key: "crash-demo-0");
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal(demos[0], (await again.Content.ReadFromJsonAsync<ExecutionBody>(Api.Json))!.Id);
        }

        AssertWalIsGapFreeAndLegal(database, demos.Concat(sleeps).Append(finished).ToList());
    }

    [Fact]
    public async Task Every_submission_answered_202_in_a_concurrent_burst_survives_kill_9()
    {
        var database = TestPaths.NewDatabasePath();
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        await using (var first = await AppProcess.StartAsync(database))
        {
            // Submissions arrive together, so their writes share batch commits; each 202 must still mean committed.
            await Parallel.ForAsync(0, 60, new ParallelOptions { MaxDegreeOfParallelism = 20 }, async (i, ct) =>
            {
                using var response = await first.Client.SubmitAsync("diagnostic_sleep", new { ms = 600000 });
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                acknowledged.Add((await response.Content.ReadFromJsonAsync<ExecutionBody>(Api.Json, ct))!.Id);
            });

            // Killed right after the last answer: no drain, no shutdown hooks.
            first.Kill();
        }

        Assert.Equal(60, acknowledged.Distinct().Count());
        await using (var second = await AppProcess.StartAsync(database))
        {
            foreach (var id in acknowledged)
            {
                var record = await second.Client.StatusAsync(id);
                Assert.True(record.Is("failed", "interrupted"), $"{id}: {record.Shown}");
                var events = await second.Client.EventsAsync(id);
                Assert.Equal("execution.created", events[0].EventType);
                Assert.Equal("execution.interrupted", events[^1].EventType);
            }
        }

        AssertWalIsGapFreeAndLegal(database, [.. acknowledged]);
    }

    private static async Task<List<JsonElement>> ArtifactsOf(HttpClient client, Guid executionId)
    {
        using var response = await client.PostAsJsonAsync("/api/artifact/list", new { executionId });
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private static void AssertWalIsGapFreeAndLegal(string database, IReadOnlyList<Guid> executions)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Sequence, ExecutionId, Kind, EventType, PayloadJson FROM wal ORDER BY Sequence";
        using var reader = command.ExecuteReader();
        var rows = new List<(long Sequence, Guid? Execution, string Kind, string Type, string Payload)>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), reader.IsDBNull(1) ? null : Guid.Parse(reader.GetString(1)), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
        }

        Assert.NotEmpty(rows);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(i + 1, rows[i].Sequence);
        }

        foreach (var id in executions)
        {
            ExecutionStatus? current = null;
            foreach (var row in rows.Where(r => r.Execution == id && r.Kind == nameof(WalEntryKind.LifecycleTransition)))
            {
                var payload = JsonDocument.Parse(row.Payload).RootElement;
                var to = Enum.Parse<ExecutionStatus>(payload.GetProperty("to").GetString()!);
                if (current is null)
                {
                    Assert.Equal(ExecutionStatus.Created, to);
                }
                else
                {
                    Assert.Equal(current.ToString(), payload.GetProperty("from").GetString());
                    Assert.True(ExecutionLifecycle.CanTransition(current.Value, to), $"{id}: illegal {current} -> {to} at {row.Sequence}");
                }

                current = to;
            }

            Assert.NotNull(current);
        }
    }

    /// <summary>The real app as a child process (the apphost from src/Agent.Web's build output).</summary>
    internal sealed class AppProcess : IAsyncDisposable
    {
        private readonly Process process;
        private readonly StringBuilder output;

        private AppProcess(Process process, StringBuilder output, HttpClient client)
        {
            this.process = process;
            this.output = output;
            Client = client;
        }

        public HttpClient Client { get; }

        /// <param name="settings">More command-line settings (<c>--Key=value</c>), after the defaults so they win.</param>
        public static async Task<AppProcess> StartAsync(string database, params string[] settings)
        {
            var port = FreePort();
            var start = new ProcessStartInfo(AppHost())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
            start.ArgumentList.Add($"--contentRoot={TestPaths.RepositoryRoot}");
            start.ArgumentList.Add($"--Agent:Storage:DatabasePath={database}");
            start.ArgumentList.Add("--Agent:Caps:MaxConcurrentCallsTenant=16");
            foreach (var setting in settings)
            {
                start.ArgumentList.Add(setting);
            }

            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            var output = new StringBuilder();
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            var app = new AppProcess(process, output, client);
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (DateTime.UtcNow < deadline)
            {
                if (process.HasExited)
                {
                    throw new Xunit.Sdk.XunitException($"The app exited with {process.ExitCode} at start:\n{app.Output}");
                }

                try
                {
                    using var health = await client.GetAsync("/health");
                    if (health.IsSuccessStatusCode)
                    {
                        return app;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(100);
            }

            await app.DisposeAsync();
            throw new Xunit.Sdk.XunitException($"The app did not answer /health within 120 s:\n{app.Output}");
        }

        public string Output
        {
            get
            {
                lock (output)
                {
                    return output.ToString();
                }
            }
        }

        /// <summary>SIGKILL: no shutdown hooks run.</summary>
        public void Kill()
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10000);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private static string AppHost()
        {
            // Same configuration as this test build: .../tests/Agent.Web.Tests/bin/<Configuration>/net10.0/
            var parts = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            var configuration = parts[Array.LastIndexOf(parts, "bin") + 1];
            var root = Path.Combine(TestPaths.RepositoryRoot, "src", "Agent.Web", "bin", configuration, "net10.0");
            var host = Directory.EnumerateFiles(root, "Agent.Web", SearchOption.AllDirectories).FirstOrDefault()
                ?? throw new InvalidOperationException($"No Agent.Web apphost under {root}; build src/Agent.Web first.");
            return host;
        }
    }
}
