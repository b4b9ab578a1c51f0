using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Agent.Benchmarks;

/// <summary>
/// The runtime over HTTP: the real app as a process (the apphost from src/Agent.Web's build output, as the crash tests
/// start it), <c>count</c> POST /api/execution of the diagnostic no-op (diagnostic_sleep, ms 0) with bounded
/// concurrency, timed from the first POST until every execution reads terminal.
/// </summary>
internal static class RuntimeHttpBench
{
    public static async Task<string> RunAsync(string folder, int count, int concurrency, CancellationToken cancellationToken)
    {
        var database = Path.Combine(folder, $"http-{Guid.NewGuid():N}.db");
        var port = FreePort();
        var start = new ProcessStartInfo(AppHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList =
            {
                $"--urls=http://127.0.0.1:{port}",
                $"--contentRoot={RepositoryRoot()}",
                $"--Agent:Storage:DatabasePath={database}",
                "--Agent:Caps:MaxConcurrentCallsTenant=100000",
                "--Agent:Caps:MaxConcurrentCallsGlobal=100000",
                "--Agent:Caps:MaxCallsPerMinuteTenant=100000000",
                "--Agent:Runtime:MaxQueuedPerTenant=100000",
            },
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency };
        using var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(120) };
        try
        {
            await WaitForHealthAsync(client, process, cancellationToken);

            // Warm-up: JIT, connection pool, first queries.
            await WaitTerminalAsync(client, await SubmitAllAsync(client, 50, concurrency, cancellationToken), concurrency, cancellationToken);

            var clock = Stopwatch.StartNew();
            var ids = await SubmitAllAsync(client, count, concurrency, cancellationToken);
            var acknowledged = clock.Elapsed;
            await WaitTerminalAsync(client, ids, concurrency, cancellationToken);
            var elapsed = clock.Elapsed;
            return $"http: {count} POST /api/execution (diagnostic_sleep ms 0, {concurrency} concurrent) all 202 in {acknowledged.TotalMilliseconds:0} ms, all terminal in {elapsed.TotalMilliseconds:0} ms = {count / elapsed.TotalSeconds:0} executions/s";
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static async Task<List<Guid>> SubmitAllAsync(HttpClient client, int count, int concurrency, CancellationToken cancellationToken)
    {
        var ids = new Guid[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            using var response = await client.PostAsJsonAsync("/api/execution", new { intent = "diagnostic_sleep", parameters = new { ms = 0 } }, ct);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"POST /api/execution answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
            }

            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            ids[i] = body.RootElement.GetProperty("executionId").GetGuid();
        });
        return [.. ids];
    }

    /// <summary>Reads each execution's status once it is due; only one still running is read again.</summary>
    private static async Task WaitTerminalAsync(HttpClient client, IReadOnlyList<Guid> ids, int concurrency, CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                using var body = JsonDocument.Parse(await client.GetStringAsync($"/api/execution/{id}/status", ct));
                var status = body.RootElement.GetProperty("status").GetString();
                if (status is "completed" or "failed" or "cancelled")
                {
                    return;
                }

                if (deadline.Elapsed > TimeSpan.FromMinutes(5))
                {
                    throw new TimeoutException($"Execution {id} still {status} after 5 minutes.");
                }

                // The bench's client asks again; the app itself does not poll.
                await Task.Delay(10, ct);
            }
        });
    }

    private static async Task WaitForHealthAsync(HttpClient client, Process process, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with {process.ExitCode} at start.");
            }

            try
            {
                using var health = await client.GetAsync("/health", cancellationToken);
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException("The app did not answer /health within 90 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Agent.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Agent.sln not found above " + AppContext.BaseDirectory);
    }

    private static string AppHost()
    {
        // Same configuration as this bench's build: .../tests/Agent.Benchmarks/bin/<Configuration>/net10.0/
        var parts = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var configuration = parts[Array.LastIndexOf(parts, "bin") + 1];
        var host = Path.Combine(RepositoryRoot(), "src", "Agent.Web", "bin", configuration, "net10.0", "Agent.Web");
        return File.Exists(host) ? host : throw new InvalidOperationException($"No Agent.Web apphost at {host}; build src/Agent.Web first.");
    }
}
