using System.Text.Json;
using Agent.Data;
using Agent.Domain.Configuration;
using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Agent.Runtime.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ExecutionContext = Agent.Domain.Runtime.ExecutionContext;

namespace Agent.Web.Tests.Runtime;

/// <summary>Start-up recovery as one set-based pass over a log a killed process left: every unfinished execution, every policy.</summary>
public sealed class SetBasedRecoveryTests
{
    private const string Resume = "rec_resume";
    private const string Retry = "rec_retry";
    private const string Fresh = "rec_restart_if_never_started";
    private const string Leave = "rec_leave";
    private const string Unknown = "rec_not_registered";
    private const int PerKind = 25;

    [Fact]
    public async Task Every_unfinished_execution_is_interrupted_with_its_wal_row_and_requeued_per_policy()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var services = Services(TestPaths.NewDatabasePath(), release.Task);
        await services.GetRequiredService<AgentDatabase>().InitializeAsync(CancellationToken.None);

        // (intent, status, attempts, started) -> what recovery must do with it.
        var kinds = new (string Name, string Intent, ExecutionStatus Status, int Attempts, bool Started, string? RequeueEvent, string Message)[]
        {
            ("resume running", Resume, ExecutionStatus.Running, 1, true, "execution.resumed", "Queued: resuming after a restart."),
            ("retry running", Retry, ExecutionStatus.Running, 1, true, "execution.retry_scheduled", "Queued: retrying after a restart."),
            ("retry out of attempts", Retry, ExecutionStatus.Running, 2, true, null, "Press Retry"),
            ("fresh never started", Fresh, ExecutionStatus.Queued, 0, false, "execution.retry_scheduled", "Queued: retrying after a restart."),
            ("fresh created", Fresh, ExecutionStatus.Created, 0, false, "execution.retry_scheduled", "Queued: retrying after a restart."),
            ("fresh started", Fresh, ExecutionStatus.Running, 1, true, null, "Press Retry"),
            ("leave queued", Leave, ExecutionStatus.Queued, 0, false, null, "Press Retry"),
            ("not registered", Unknown, ExecutionStatus.Running, 1, true, null, "is not registered in this build"),
        };
        var seeded = new Dictionary<Guid, int>();
        var completed = new List<Guid>();
        var contexts = services.GetRequiredService<IDbContextFactory<AgentDbContext>>();
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        await using (var db = await contexts.CreateDbContextAsync())
        {
            for (var k = 0; k < kinds.Length; k++)
            {
                for (var i = 0; i < PerKind; i++)
                {
                    var id = Seed(db, kinds[k].Intent, kinds[k].Status, kinds[k].Attempts, kinds[k].Started, at.AddMilliseconds((k * PerKind) + i));
                    seeded[id] = k;
                    db.StateEntries.Add(new StateEntry(StateScopes.Execution("local", id), "checkpoint", "7", at));
                }
            }

            for (var i = 0; i < PerKind; i++)
            {
                completed.Add(Seed(db, Resume, ExecutionStatus.Completed, 1, true, at));
            }

            await db.SaveChangesAsync();
        }

        var runtime = services.GetRequiredService<ExecutionRuntime>();
        await runtime.StartAsync(CancellationToken.None);
        var report = runtime.LastRecovery!;
        var requeuedKinds = kinds.Count(k => k.RequeueEvent is not null);
        Assert.Equal(kinds.Length * PerKind, report.Found);
        Assert.Equal(requeuedKinds * PerKind, report.Requeued);
        Assert.Equal((kinds.Length - requeuedKinds) * PerKind, report.LeftInterrupted);

        var wal = services.GetRequiredService<IWalStore>();
        var executions = services.GetRequiredService<IExecutionStore>();
        var state = services.GetRequiredService<IStateStore>();
        foreach (var (id, k) in seeded)
        {
            var kind = kinds[k];
            var events = await wal.ReadByExecutionAsync(id, CancellationToken.None);
            var interrupted = Assert.Single(events, e => e.EventType == "execution.interrupted");
            var payload = JsonDocument.Parse(interrupted.PayloadJson).RootElement;
            Assert.Equal(kind.Status.ToString(), payload.GetProperty("from").GetString());
            Assert.Equal(nameof(ExecutionStatus.Interrupted), payload.GetProperty("to").GetString());
            Assert.Equal(WalEntryKind.LifecycleTransition, interrupted.Kind);
            Assert.Equal("local", interrupted.TenantId);
            var checkpoint = await state.GetAsync(StateScopes.Execution("local", id), "checkpoint", CancellationToken.None);
            if (kind.RequeueEvent is null)
            {
                var record = (await executions.FindAsync("local", id, CancellationToken.None))!;
                Assert.Equal(ExecutionStatus.Interrupted, record.Status);
                Assert.Contains(kind.Message, record.ProgressMessage, StringComparison.Ordinal);
                Assert.Equal(interrupted, events[^1]);
                Assert.Equal("7", checkpoint);
                continue;
            }

            var requeued = Assert.Single(events, e => e.EventType == kind.RequeueEvent && e.Kind == WalEntryKind.LifecycleTransition);
            Assert.True(requeued.Sequence > interrupted.Sequence, $"{kind.Name}: requeued before interrupted");
            var queuedPayload = JsonDocument.Parse(requeued.PayloadJson).RootElement;
            Assert.Equal(nameof(ExecutionStatus.Interrupted), queuedPayload.GetProperty("from").GetString());
            Assert.Equal(nameof(ExecutionStatus.Queued), queuedPayload.GetProperty("to").GetString());

            // A retry starts from nothing; a resume keeps its checkpoint.
            Assert.Equal(kind.RequeueEvent == "execution.resumed" ? "7" : null, checkpoint);
        }

        foreach (var id in completed)
        {
            Assert.Equal(ExecutionStatus.Completed, (await executions.FindAsync("local", id, CancellationToken.None))!.Status);
            Assert.DoesNotContain(await wal.ReadByExecutionAsync(id, CancellationToken.None), e => e.EventType == "execution.interrupted");
        }

        // The requeued run and complete; the sequence stays gap-free.
        release.SetResult();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        foreach (var (id, k) in seeded.Where(s => kinds[s.Value].RequeueEvent is not null))
        {
            var ended = await runtime.WhenEndedAsync("local", id, timeout.Token);
            Assert.True(ended.Status == ExecutionStatus.Completed, $"{kinds[k].Name}: {ended.Status} {ended.Error}");
        }

        var all = await wal.ReadAsync(0, 100_000, CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all.Select(e => e.Sequence));
        await runtime.StopAsync(CancellationToken.None);
    }

    private static Guid Seed(AgentDbContext db, string intent, ExecutionStatus status, int attempts, bool started, DateTimeOffset at)
    {
        var id = Guid.NewGuid();
        db.Executions.Add(new ExecutionRecord(id, "local", intent, "H", null, null, status, 0.5, "before the crash", attempts, null, null, "{}", at,
            started ? at : null, status == ExecutionStatus.Completed ? at : null));
        var path = new[] { ExecutionStatus.Created, ExecutionStatus.Queued, ExecutionStatus.Running, ExecutionStatus.Completed };
        string? from = null;
        foreach (var to in path.Take(Array.IndexOf(path, status) + 1))
        {
            db.Wal.Add(new WalEntry(0, "local", id, WalEntryKind.LifecycleTransition, "execution." + to.ToString().ToLowerInvariant(),
                from is null ? $"{{\"to\":\"{to}\"}}" : $"{{\"from\":\"{from}\",\"to\":\"{to}\"}}", at));
            from = to.ToString();
        }

        return id;
    }

    private static ServiceProvider Services(string database, Task release)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<AgentOptions>().Configure(o => o.Caps = new CapsOptions { MaxConcurrentCallsGlobal = 1000, MaxConcurrentCallsTenant = 1000, MaxCallsPerMinuteTenant = 1_000_000 });
        services.AddAgentData(database);
        services.AddExecutionRuntime(new ConfigurationBuilder().Build());
        var backoff = BackoffOptions.Default;
        foreach (var (intent, policy, attempts) in new[] { (Resume, RecoveryPolicy.Resume, 3), (Retry, RecoveryPolicy.Retry, 2), (Fresh, RecoveryPolicy.RestartIfNeverStarted, 3), (Leave, RecoveryPolicy.Leave, 3) })
        {
            services.AddIntent(intent, "GateHandler", _ => new GateHandler(release), new IntentMetadata("test: waits for the release", new IntentPolicy(TimeSpan.FromMinutes(1), attempts, policy, backoff)));
        }

        return services.BuildServiceProvider();
    }

    private sealed class GateHandler(Task release) : IIntentHandler
    {
        public async Task<IntentResult> HandleAsync(ExecutionContext context, CancellationToken cancellationToken)
        {
            await release.WaitAsync(cancellationToken);
            return IntentResult.Empty;
        }
    }
}
