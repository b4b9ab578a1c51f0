using System.Diagnostics;
using System.Globalization;
using Agent.Data;
using Agent.Domain.Configuration;
using Agent.Domain.Runtime;
using Agent.Runtime.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ExecutionContext = Agent.Domain.Runtime.ExecutionContext;

// Console benches: "transcript" = opening a 10,000-message session, first window (TranscriptBench.cs); "context" = building a turn's context for a 10,000-message session (ContextBench.cs); "providers" = adapter overhead per chunk and added time to first token vs raw SSE
// (ProvidersBench.cs); "turn-start" = store calls, SKILL.md reads and time from a send to the provider request (TurnStartBench.cs); "recall" = memory recall p50/p95 at 10,000 and 100,000 items (RecallBench.cs); "markdown" = render cost per chunk of a streamed 4,000-token reply, start vs end (MarkdownBench.cs); otherwise the runtime bench below ("recovery" runs only its recovery part, "http" only the HTTP and recovery parts, "no-http" skips the HTTP part).
if (args is ["transcript", ..])
{
    Environment.ExitCode = await Agent.Benchmarks.TranscriptBench.RunAsync();
    return;
}

if (args is ["context", ..])
{
    Environment.ExitCode = await Agent.Benchmarks.ContextBench.RunAsync();
    return;
}

if (args is ["recall", ..])
{
    Environment.ExitCode = await Agent.Benchmarks.RecallBench.RunAsync();
    return;
}

if (args is ["recall-profile", var database, ..])
{
    Environment.ExitCode = await Agent.Benchmarks.RecallProfile.RunAsync(database);
    return;
}

if (args is ["turn-start", ..])
{
    Environment.ExitCode = await Agent.Benchmarks.TurnStartBench.RunAsync(args);
    return;
}

if (args is ["markdown", ..])
{
    Environment.ExitCode = await Agent.Benchmarks.MarkdownBench.RunAsync();
    return;
}

if (args is ["providers", ..])
{
    Environment.ExitCode = await Agent.Benchmarks.ProvidersBench.RunAsync();
    return;
}

// Execution runtime bench: executions per second with the WAL on (real SQLite file, WAL journal, one transaction
// per lifecycle transition), and start-up recovery time with 10,000 executions in the log.
var folder = Path.Combine(Path.GetTempPath(), "agent-bench");
Directory.CreateDirectory(folder);
var lines = new List<string>();
void Report(string line)
{
    Console.WriteLine(line);
    lines.Add(line);
}

Report($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");

// ---------------------------------------------------------------- throughput (skip with the argument "recovery")
if (!args.Contains("recovery") && !args.Contains("http"))
{
    await using (var bench = await Bench.CreateAsync(Path.Combine(folder, $"throughput-{Guid.NewGuid():N}.db"), RecoveryPolicy.Leave))
    {
        await bench.Runtime.StartAsync(CancellationToken.None);
        await bench.RunBatchAsync(200); // warm-up
        foreach (var count in new[] { 2000, 5000 })
        {
            var elapsed = await bench.RunBatchAsync(count);
            Report($"throughput: {count} no-op executions submitted at once in-process, all completed in {elapsed.TotalMilliseconds:0} ms = {count / elapsed.TotalSeconds:0} executions/s (4 lifecycle WAL entries each)");
        }

        var latencies = new List<double>();
        for (var i = 0; i < 300; i++)
        {
            latencies.Add((await bench.RunBatchAsync(1)).TotalMilliseconds);
        }

        latencies.Sort();
        Report($"latency: one execution at a time, submit -> completed: p50 {latencies[latencies.Count / 2]:0.0} ms, p95 {latencies[(int)(latencies.Count * 0.95)]:0.0} ms, max {latencies[^1]:0.0} ms (300 runs)");
        await bench.Runtime.StopAsync(CancellationToken.None);
    }

}

if (!args.Contains("recovery") && !args.Contains("no-http"))
{
    Report(await Agent.Benchmarks.RuntimeHttpBench.RunAsync(folder, 2000, 32, CancellationToken.None));
}

// ---------------------------------------------------------------- recovery
foreach (var (inFlight, policy) in new[] { (1000, RecoveryPolicy.Leave), (10_000, RecoveryPolicy.Leave), (1000, RecoveryPolicy.Resume) })
{
    var path = Path.Combine(folder, $"recovery-{Guid.NewGuid():N}.db");
    await using (var seed = await Bench.CreateAsync(path, policy))
    {
        await seed.SeedAsync(10_000, inFlight);
    }

    await using var bench = await Bench.CreateAsync(path, policy);
    var clock = Stopwatch.StartNew();
    await bench.Runtime.StartAsync(CancellationToken.None);
    var started = clock.Elapsed;
    var report = bench.Runtime.LastRecovery!;
    var line = $"recovery: 10,000 executions in the log ({10_000 - inFlight} completed, {inFlight} left running), policy {policy}: start-up recovery {started.TotalMilliseconds:0} ms " +
        $"(found {report.Found}, requeued {report.Requeued}, left interrupted {report.LeftInterrupted})";
    if (policy == RecoveryPolicy.Resume)
    {
        await bench.WaitForCompletedAsync(inFlight, TimeSpan.FromMinutes(5));
        line += $"; all {inFlight} resumed executions completed {clock.Elapsed.TotalMilliseconds:0} ms after start";
    }

    Report(line);
    await bench.Runtime.StopAsync(CancellationToken.None);
}

var results = Path.Combine(AppContext.BaseDirectory, "RESULTS-runtime.generated.md");
await File.WriteAllLinesAsync(results, lines);
Console.WriteLine($"written {results}");

internal sealed class Bench : IAsyncDisposable
{
    public const string Intent = "bench_noop";
    private readonly ServiceProvider services;
    private readonly List<(int Target, TaskCompletionSource Waiter)> waiters = [];
    private int completed;

    private Bench(ServiceProvider services)
    {
        this.services = services;
        Runtime = services.GetRequiredService<ExecutionRuntime>();
        services.GetRequiredService<ExecutionFeed>().Subscribe(c =>
        {
            if (c.Execution.Status == ExecutionStatus.Completed && c.Entry?.EventType == "execution.completed")
            {
                Interlocked.Increment(ref completed);
                Release();
            }
        });
    }

    public ExecutionRuntime Runtime { get; }

    public static async Task<Bench> CreateAsync(string databasePath, RecoveryPolicy policy)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<AgentOptions>().Configure(o => o.Caps = new CapsOptions { MaxConcurrentCallsGlobal = 100_000, MaxConcurrentCallsTenant = 100_000, MaxCallsPerMinuteTenant = 10_000_000 });
        services.AddAgentData(databasePath);
        services.AddExecutionRuntime(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Agent:Runtime:MaxQueuedPerTenant"] = "100000" }).Build());
        services.AddIntent(Intent, "NoopHandler", _ => new NoopHandler(), new IntentMetadata("bench", new IntentPolicy(TimeSpan.FromMinutes(1), 1, policy, BackoffOptions.Default)));
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<AgentDatabase>().InitializeAsync(CancellationToken.None);
        return new Bench(provider);
    }

    public async Task<TimeSpan> RunBatchAsync(int count)
    {
        var reached = WhenCompleted(Volatile.Read(ref completed) + count);
        var clock = Stopwatch.StartNew();
        var submits = Enumerable.Range(0, count).Select(_ => Runtime.SubmitAsync(new ExecutionRequest(Intent, "local", null, null, new Dictionary<string, string>(), null), CancellationToken.None));
        await Task.WhenAll(submits);
        await reached;
        return clock.Elapsed;
    }

    public Task WaitForCompletedAsync(int count, TimeSpan timeout) => WhenCompleted(count).WaitAsync(timeout);

    /// <summary>Completes when the feed has counted <paramref name="target"/> completions (set by the feed's subscriber, not polled).</summary>
    private Task WhenCompleted(int target)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (waiters)
        {
            waiters.Add((target, waiter));
        }

        Release();
        return waiter.Task;
    }

    private void Release()
    {
        var now = Volatile.Read(ref completed);
        lock (waiters)
        {
            waiters.RemoveAll(w => w.Target <= now && w.Waiter.TrySetResult());
        }
    }

    /// <summary>Writes executions and their WAL rows straight into the file, as a previous process would have left them.</summary>
    public async Task SeedAsync(int total, int inFlight)
    {
        var contexts = services.GetRequiredService<IDbContextFactory<AgentDbContext>>();
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        for (var batch = 0; batch < total; batch += 1000)
        {
            await using var db = await contexts.CreateDbContextAsync();
            for (var i = batch; i < Math.Min(total, batch + 1000); i++)
            {
                var running = i >= total - inFlight;
                var at = start.AddMilliseconds(i);
                var id = Guid.NewGuid();
                db.Executions.Add(new ExecutionRecord(id, "local", Intent, "NoopHandler", null, null, running ? ExecutionStatus.Running : ExecutionStatus.Completed,
                    running ? 0.5 : 1, null, 1, null, null, "{}", at, at, running ? null : at));
                var path = running
                    ? new[] { ("execution.created", "Created"), ("execution.queued", "Queued"), ("execution.started", "Running") }
                    : new[] { ("execution.created", "Created"), ("execution.queued", "Queued"), ("execution.started", "Running"), ("execution.completed", "Completed") };
                var from = "";
                foreach (var (type, to) in path)
                {
                    db.Wal.Add(new WalEntry(0, "local", id, WalEntryKind.LifecycleTransition, type, $"{{\"from\":\"{from}\",\"to\":\"{to}\"}}", at));
                    from = to;
                }
            }

            await db.SaveChangesAsync();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded {total} executions ({inFlight} running)"));
    }

    public ValueTask DisposeAsync() => services.DisposeAsync();

    private sealed class NoopHandler : IIntentHandler
    {
        public Task<IntentResult> HandleAsync(ExecutionContext context, CancellationToken cancellationToken) => Task.FromResult(IntentResult.Empty);
    }
}
