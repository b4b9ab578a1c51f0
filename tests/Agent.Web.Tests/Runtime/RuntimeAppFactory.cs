using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Agent.Domain.Runtime;
using Agent.Runtime.Runtime;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using ExecutionContext = Agent.Domain.Runtime.ExecutionContext;

namespace Agent.Web.Tests.Runtime;

/// <summary>The real host on its own temp SQLite file, with the test-only intents registered.</summary>
public sealed class RuntimeAppFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string> settings;

    public RuntimeAppFactory(string? databasePath = null, IDictionary<string, string>? settings = null)
    {
        DatabasePath = databasePath ?? TestPaths.NewDatabasePath();
        this.settings = new Dictionary<string, string>(settings ?? new Dictionary<string, string>());
    }

    public string DatabasePath { get; }

    public TestIntentProbe Probe { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("contentRoot", TestPaths.RepositoryRoot);
        builder.UseSetting("Agent:Storage:DatabasePath", DatabasePath);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => TestIntents.AddTo(services, Probe));
    }

    public HttpClient ClientFor(string tenant)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Tenant-Id", tenant);
        return client;
    }
}

public static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string NewDatabasePath()
    {
        var folder = Path.Combine(Path.GetTempPath(), "agent-runtime-tests");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $"{Guid.NewGuid():N}.db");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Agent.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Agent.sln not found above the test output folder.");
    }
}

/// <summary>Lets tests see what the test handlers observed (for example that cancellation reached the token).</summary>
public sealed class TestIntentProbe
{
    private readonly Lock gate = new();
    private readonly List<Guid> started = [];
    private readonly List<Guid> tokenCancelled = [];

    public void Started(Guid id)
    {
        lock (gate)
        {
            started.Add(id);
        }
    }

    public void TokenCancelled(Guid id)
    {
        lock (gate)
        {
            tokenCancelled.Add(id);
        }
    }

    public bool HasStarted(Guid id)
    {
        lock (gate)
        {
            return started.Contains(id);
        }
    }

    public bool SawCancellation(Guid id)
    {
        lock (gate)
        {
            return tokenCancelled.Contains(id);
        }
    }
}

/// <summary>Test-only intents: transient and permanent failures, a blocking one, a slow one for timeouts.</summary>
public static class TestIntents
{
    public const string Transient = "test_transient";
    public const string Permanent = "test_permanent";
    public const string AlwaysFails = "test_always_fails";
    public const string Blocking = "test_blocking";
    public const string Slow = "test_slow";
    public const string BlockingRetry = "test_blocking_retry";
    public const string Producer = "test_producer";

    private static readonly BackoffOptions FastBackoff = new(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100), 0.2);

    public static void AddTo(IServiceCollection services, TestIntentProbe probe)
    {
        services.AddIntent(Transient, "TransientHandler", _ => new DelegateHandler(probe, async (c, ct) =>
        {
            var failTimes = int.Parse(c.MetadataValue("failTimes") ?? "2", System.Globalization.CultureInfo.InvariantCulture);
            if (c.Attempt <= failTimes)
            {
                throw new IOException($"transient failure on attempt {c.Attempt}");
            }

            await c.Progress.ReportAsync(1, "done", ct);
            return IntentResult.Empty;
        }), new IntentMetadata("test: fails failTimes times then succeeds", new IntentPolicy(TimeSpan.FromSeconds(30), 3, RecoveryPolicy.Leave, FastBackoff)));

        services.AddIntent(Permanent, "PermanentHandler", _ => new DelegateHandler(probe, (_, _) =>
            throw new PermanentIntentFailureException("the input can never work")), new IntentMetadata("test: permanent failure", new IntentPolicy(TimeSpan.FromSeconds(30), 3, RecoveryPolicy.Leave, FastBackoff)));

        services.AddIntent(AlwaysFails, "AlwaysFailsHandler", _ => new DelegateHandler(probe, (c, _) =>
            throw new InvalidOperationException($"boom {c.Attempt}")), new IntentMetadata("test: always fails", new IntentPolicy(TimeSpan.FromSeconds(30), 2, RecoveryPolicy.Leave, FastBackoff)));

        services.AddIntent(Blocking, "BlockingHandler", _ => new DelegateHandler(probe, BlockAsync),
            new IntentMetadata("test: runs until cancelled", new IntentPolicy(TimeSpan.FromMinutes(10), 1, RecoveryPolicy.Leave, FastBackoff)));

        services.AddIntent(BlockingRetry, "BlockingRetryHandler", _ => new DelegateHandler(probe, async (c, ct) =>
        {
            if (c.MetadataValue("block") == "true" && !c.IsResume && c.Attempt == 1)
            {
                return await BlockAsync(c, ct);
            }

            return IntentResult.Empty;
        }), new IntentMetadata("test: blocks on attempt 1, recovery retries", new IntentPolicy(TimeSpan.FromMinutes(10), 3, RecoveryPolicy.Retry, FastBackoff)));

        services.AddIntent(Slow, "SlowHandler", _ => new DelegateHandler(probe, BlockAsync),
            new IntentMetadata("test: slower than its timeout", new IntentPolicy(TimeSpan.FromMilliseconds(300), 1, RecoveryPolicy.Leave, FastBackoff)));

        services.AddIntent(Producer, "ProducerHandler", _ => new DelegateHandler(probe, async (c, ct) =>
        {
            if (c.State.Session is { } session)
            {
                var turns = int.Parse(await session.GetAsync("turns", ct) ?? "0", System.Globalization.CultureInfo.InvariantCulture);
                await session.SetAsync("turns", (turns + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
            }

            await c.State.Execution.SetAsync("note", "written by the handler", ct);
            await c.Wal.AppendAsync("test.produced", "{\"ok\":true}", ct);
            var parents = c.MetadataValue("parent") is { } parent ? new[] { Guid.Parse(parent) } : [];
            return new IntentResult(
                [new ArtifactDraft("test.summary", "a summary of the test input", parents, [new Materialization("db", "artifacts/test", "text/plain", 4)])],
                [new DomainEvent("test.done", "{}")]);
        }), new IntentMetadata("test: state, events and artifacts", new IntentPolicy(TimeSpan.FromSeconds(30), 1, RecoveryPolicy.Leave, FastBackoff)));

        async Task<IntentResult> BlockAsync(ExecutionContext c, CancellationToken ct)
        {
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            }
            catch (OperationCanceledException)
            {
                probe.TokenCancelled(c.ExecutionId);
                throw;
            }

            return IntentResult.Empty;
        }
    }

    private sealed class DelegateHandler(TestIntentProbe probe, Func<ExecutionContext, CancellationToken, Task<IntentResult>> body) : IIntentHandler
    {
        public Task<IntentResult> HandleAsync(ExecutionContext context, CancellationToken cancellationToken)
        {
            probe.Started(context.ExecutionId);
            return body(context, cancellationToken);
        }
    }
}

/// <summary>
/// An execution as the runtime API shows it (the contract's shape, camelCase): the contract status and sub-status,
/// and the record's progress. Tests read these names, never the stored lifecycle's.
/// </summary>
public sealed record ExecutionBody(
    Guid ExecutionId,
    string Status,
    string? SubStatus,
    JsonElement Intent,
    string? Error,
    double Progress,
    string? ProgressMessage,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt)
{
    public Guid Id => ExecutionId;

    /// <summary>Status and sub-status both match (a null sub-status: none).</summary>
    public bool Is(string status, string? subStatus = null) => Status == status && SubStatus == subStatus;

    public string Shown => SubStatus is null ? Status : $"{Status}/{SubStatus}";
}

public static class Api
{
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static async Task<HttpResponseMessage> SubmitAsync(this HttpClient client, string intent, object? metadata = null, string? key = null, Guid? sessionId = null) =>
        await client.PostAsJsonAsync("/api/execution", new { intent, metadata, idempotencyKey = key, sessionId }, Json);

    public static async Task<ExecutionBody> SubmitOkAsync(this HttpClient client, string intent, object? metadata = null, string? key = null)
    {
        using var response = await client.SubmitAsync(intent, metadata, key);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<ExecutionBody>(Json))!;
    }

    public static async Task<ExecutionBody> StatusAsync(this HttpClient client, Guid id) =>
        (await client.GetFromJsonAsync<ExecutionBody>($"/api/execution/{id}/status", Json))!;

    public static async Task<IReadOnlyList<WalEntry>> EventsAsync(this HttpClient client, Guid id) =>
        (await client.GetFromJsonAsync<List<WalEntry>>($"/api/execution/{id}/events", Json))!;

    public static async Task<ExecutionBody> WaitForAsync(this HttpClient client, Guid id, Func<ExecutionBody, bool> condition, string what, int timeoutMs = 30000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        ExecutionBody last;
        do
        {
            last = await client.StatusAsync(id);
            if (condition(last))
            {
                return last;
            }

            await Task.Delay(40);
        }
        while (DateTime.UtcNow < deadline);
        throw new Xunit.Sdk.XunitException($"Execution {id} did not reach '{what}' in {timeoutMs} ms; last: {last.Shown} {last.Progress} '{last.ProgressMessage}' error '{last.Error}'");
    }

    /// <summary>Waits for the contract status (and sub-status: null waits for none).</summary>
    public static Task<ExecutionBody> WaitForStatusAsync(this HttpClient client, Guid id, string status, string? subStatus = null, int timeoutMs = 30000) =>
        client.WaitForAsync(id, r => r.Is(status, subStatus), subStatus is null ? status : $"{status}/{subStatus}", timeoutMs);

    public static async Task<string> ErrorOf(HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("error").GetString()!;
    }
}
