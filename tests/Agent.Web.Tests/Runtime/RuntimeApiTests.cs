using System.Net;
using System.Net.Http.Json;
using Agent.Runtime.Runtime;

namespace Agent.Web.Tests.Runtime;

public sealed class RuntimeApiTests : IDisposable
{
    private readonly List<RuntimeAppFactory> factories = [];

    private RuntimeAppFactory Start(IDictionary<string, string>? settings = null, string? databasePath = null)
    {
        var factory = new RuntimeAppFactory(databasePath, settings);
        factories.Add(factory);
        return factory;
    }

    public void Dispose()
    {
        foreach (var factory in factories)
        {
            factory.Dispose();
        }
    }

    [Fact]
    public async Task Submit_runs_the_diagnostic_task_with_progress_events_and_an_artifact()
    {
        var client = Start().CreateClient();
        using var response = await client.SubmitAsync("demo_long_task", new { steps = 3, stepMs = 30 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var submitted = (await response.Content.ReadFromJsonAsync<ExecutionBody>(Api.Json))!;
        Assert.Equal($"/api/execution/{submitted.Id}/status", response.Headers.Location?.ToString());
        Assert.True(submitted.Is("created", "queued"), submitted.Shown);

        var done = await client.WaitForStatusAsync(submitted.Id, "completed");
        Assert.Equal(1, done.Progress);
        Assert.Equal(1, done.Attempts);
        Assert.NotNull(done.StartedAt);
        Assert.NotNull(done.EndedAt);

        var events = await client.EventsAsync(submitted.Id);
        var types = events.Select(e => e.EventType).ToList();
        Assert.Equal(["execution.created", "execution.queued", "execution.started"], types.Take(3));
        Assert.Equal(3, types.Count(t => t == "execution.progress"));
        Assert.Contains("demo.finished", types);
        Assert.Equal("execution.completed", types[^1]);
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));

        using var list = await client.PostAsJsonAsync("/api/artifact/list", new { executionId = submitted.Id });
        var page = (await list.Content.ReadFromJsonAsync<ArtifactPage>(Api.Json))!;
        var artifact = Assert.Single(page.Items);
        Assert.Equal("diagnostic.report", artifact.Type);
        Assert.Equal("demo_long_task", artifact.ProducedBy.Intent);
        Assert.Equal(submitted.Id, artifact.ProducedBy.ExecutionId);
        Assert.Equal("READY", artifact.Lifecycle);
        Assert.Single(artifact.Materializations);

        using var resolve = await client.PostAsJsonAsync("/api/artifact/resolve", new { id = artifact.Id });
        Assert.Equal(HttpStatusCode.OK, resolve.StatusCode);
        Assert.Equal(artifact.Id, (await resolve.Content.ReadFromJsonAsync<ArtifactView>(Api.Json))!.Id);
    }

    [Fact]
    public async Task Progress_is_observable_while_running()
    {
        var client = Start().CreateClient();
        var run = await client.SubmitOkAsync("demo_long_task", new { steps = 50, stepMs = 60 });
        var mid = await client.WaitForAsync(run.Id, r => r.Is("running") && r.Progress > 0, "running with progress");
        Assert.InRange(mid.Progress, 0.01, 0.99);
        Assert.StartsWith("Diagnostic step", mid.ProgressMessage, StringComparison.Ordinal);
        using var cancel = await client.PostAsync($"/api/execution/{run.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var cancelled = await client.WaitForStatusAsync(run.Id, "cancelled");
        Assert.True(cancelled.Progress < 1);
    }

    [Fact]
    public async Task Cancel_reaches_the_handler_token()
    {
        var factory = Start();
        var client = factory.CreateClient();
        var run = await client.SubmitOkAsync(TestIntents.Blocking);
        await client.WaitForStatusAsync(run.Id, "running");
        using var cancel = await client.PostAsync($"/api/execution/{run.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var done = await client.WaitForStatusAsync(run.Id, "cancelled");
        Assert.True(factory.Probe.SawCancellation(run.Id));
        Assert.NotNull(done.EndedAt);
        var events = await client.EventsAsync(run.Id);
        Assert.Contains(events, e => e.EventType == "execution.cancel_requested");
        Assert.Equal("execution.cancelled", events[^1].EventType);

        using var again = await client.PostAsync($"/api/execution/{run.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("Cancelled", await Api.ErrorOf(again), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_the_tenant_cap_an_execution_is_queued_with_its_reason_and_cancelling_it_never_starts_it()
    {
        var factory = Start(new Dictionary<string, string> { ["Agent:Caps:MaxConcurrentCallsTenant"] = "1" });
        var client = factory.CreateClient();
        var first = await client.SubmitOkAsync(TestIntents.Blocking);
        await client.WaitForStatusAsync(first.Id, "running");
        var second = await client.SubmitOkAsync(TestIntents.Blocking);
        var waiting = await client.WaitForAsync(second.Id, r => r.ProgressMessage?.Contains("maxConcurrentCallsTenant", StringComparison.Ordinal) == true, "queued with the cap reason");
        Assert.True(waiting.Is("created", "queued"), waiting.Shown);

        using var cancel = await client.PostAsync($"/api/execution/{second.Id}/cancel", null);
        var cancelled = (await cancel.Content.ReadFromJsonAsync<ExecutionBody>(Api.Json))!;
        Assert.True(cancelled.Is("cancelled"), cancelled.Shown);

        // Free the slot: the cancelled execution must still never start.
        await client.PostAsync($"/api/execution/{first.Id}/cancel", null);
        await client.WaitForStatusAsync(first.Id, "cancelled");
        await Task.Delay(200);
        var after = await client.StatusAsync(second.Id);
        Assert.True(after.Is("cancelled"), after.Shown);
        Assert.Equal(0, after.Attempts);
        Assert.Null(after.StartedAt);
        Assert.False(factory.Probe.HasStarted(second.Id));
        Assert.DoesNotContain(await client.EventsAsync(second.Id), e => e.EventType == "execution.started");
    }

    [Fact]
    public async Task Over_the_queue_limit_submission_is_refused_with_429_and_a_reason()
    {
        var client = Start(new Dictionary<string, string>
        {
            ["Agent:Caps:MaxConcurrentCallsTenant"] = "1",
            ["Agent:Runtime:MaxQueuedPerTenant"] = "1",
        }).CreateClient();
        var first = await client.SubmitOkAsync(TestIntents.Blocking);
        await client.WaitForStatusAsync(first.Id, "running");
        var second = await client.SubmitOkAsync(TestIntents.Blocking);
        await client.WaitForAsync(second.Id, r => r.ProgressMessage?.StartsWith("Queued: tenant", StringComparison.Ordinal) == true, "waiting for a slot");
        using var third = await client.SubmitAsync(TestIntents.Blocking);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Contains("waiting for a slot", await Api.ErrorOf(third), StringComparison.Ordinal);
        await client.PostAsync($"/api/execution/{second.Id}/cancel", null);
        await client.PostAsync($"/api/execution/{first.Id}/cancel", null);
    }

    [Fact]
    public async Task Over_the_calls_per_minute_cap_an_execution_waits_with_that_reason()
    {
        var client = Start(new Dictionary<string, string> { ["Agent:Caps:MaxCallsPerMinuteTenant"] = "1" }).CreateClient();
        var first = await client.SubmitOkAsync("demo_long_task", new { steps = 1, stepMs = 0 });
        await client.WaitForStatusAsync(first.Id, "completed");
        var second = await client.SubmitOkAsync("demo_long_task", new { steps = 1, stepMs = 0 });
        var waiting = await client.WaitForAsync(second.Id, r => r.ProgressMessage?.Contains("per minute", StringComparison.Ordinal) == true, "queued by the per-minute cap");
        Assert.True(waiting.Is("created", "queued"), waiting.Shown);
        using var cancel = await client.PostAsync($"/api/execution/{second.Id}/cancel", null);
        Assert.Equal("cancelled", (await cancel.Content.ReadFromJsonAsync<ExecutionBody>(Api.Json))!.Status);
    }

    [Fact]
    public async Task Timeout_fails_the_execution_with_the_reason()
    {
        var factory = Start();
        var client = factory.CreateClient();
        var run = await client.SubmitOkAsync(TestIntents.Slow);
        var failed = await client.WaitForStatusAsync(run.Id, "failed");
        Assert.Contains("Timed out after 300 ms", failed.Error, StringComparison.Ordinal);
        Assert.Equal(1, failed.Attempts);
        Assert.True(factory.Probe.SawCancellation(run.Id));
    }

    [Fact]
    public async Task Transient_failures_are_retried_with_backoff_until_success()
    {
        var client = Start().CreateClient();
        var run = await client.SubmitOkAsync(TestIntents.Transient, new { failTimes = 2 });
        var done = await client.WaitForStatusAsync(run.Id, "completed");
        Assert.Equal(3, done.Attempts);
        Assert.Null(done.Error);
        var events = await client.EventsAsync(run.Id);
        Assert.Equal(2, events.Count(e => e.EventType == "execution.retry_scheduled"));
        Assert.Equal(3, events.Count(e => e.EventType == "execution.started"));
    }

    [Fact]
    public async Task Permanent_failure_is_not_retried()
    {
        var client = Start().CreateClient();
        var run = await client.SubmitOkAsync(TestIntents.Permanent);
        var failed = await client.WaitForStatusAsync(run.Id, "failed");
        Assert.Equal(1, failed.Attempts);
        Assert.Equal("the input can never work", failed.Error);
    }

    [Fact]
    public async Task Exhausted_attempts_fail_and_a_person_can_retry()
    {
        var client = Start().CreateClient();
        var run = await client.SubmitOkAsync(TestIntents.AlwaysFails);
        var failed = await client.WaitForStatusAsync(run.Id, "failed");
        Assert.Equal(2, failed.Attempts);
        Assert.Equal("boom 2", failed.Error);
        Assert.StartsWith("Failed after 2 attempts", failed.ProgressMessage, StringComparison.Ordinal);

        using var retry = await client.PostAsync($"/api/execution/{run.Id}/retry", null);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var again = await client.WaitForAsync(run.Id, r => r.Is("failed") && r.Attempts == 4, "failed again after a retry");
        Assert.Equal("boom 4", again.Error);
        Assert.Contains(await client.EventsAsync(run.Id), e => e.EventType == "execution.retry_requested");
    }

    [Fact]
    public async Task Idempotency_key_returns_the_same_execution_and_conflicts_on_a_different_request()
    {
        var client = Start().CreateClient();
        var first = await client.SubmitOkAsync("demo_long_task", new { steps = 1, stepMs = 0 }, key: "k-1");
        using var again = await client.SubmitAsync("demo_long_task", new { steps = 1, stepMs = 0 }, key: "k-1");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first.Id, (await again.Content.ReadFromJsonAsync<ExecutionBody>(Api.Json))!.Id);
        using var conflict = await client.SubmitAsync("diagnostic_sleep", null, key: "k-1");
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Contains("k-1", await Api.ErrorOf(conflict), StringComparison.Ordinal);

        var parallel = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.SubmitOkAsync("demo_long_task", new { steps = 1, stepMs = 0 }, key: "k-2")));
        Assert.Single(parallel.Select(r => r.Id).Distinct());
    }

    [Fact]
    public async Task Tenants_never_see_each_other()
    {
        var factory = Start();
        var alice = factory.ClientFor("alice");
        var bob = factory.ClientFor("bob");
        var run = await alice.SubmitOkAsync("demo_long_task", new { steps = 1, stepMs = 0 }, key: "shared-key");
        await alice.WaitForStatusAsync(run.Id, "completed");

        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/api/execution/{run.Id}/status")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/api/execution/{run.Id}/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PostAsync($"/api/execution/{run.Id}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PostAsync($"/api/execution/{run.Id}/retry", null)).StatusCode);
        Assert.Empty((await bob.GetFromJsonAsync<List<ExecutionBody>>("/api/execution", Api.Json))!);

        var aliceArtifacts = (await (await alice.PostAsJsonAsync("/api/artifact/list", new { })).Content.ReadFromJsonAsync<ArtifactPage>(Api.Json))!;
        var artifact = Assert.Single(aliceArtifacts.Items);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PostAsJsonAsync("/api/artifact/resolve", new { id = artifact.Id })).StatusCode);
        Assert.Empty((await (await bob.PostAsJsonAsync("/api/artifact/list", new { })).Content.ReadFromJsonAsync<ArtifactPage>(Api.Json))!.Items);

        // The same idempotency key in another tenant is another execution.
        var bobs = await bob.SubmitOkAsync("demo_long_task", new { steps = 1, stepMs = 0 }, key: "shared-key");
        Assert.NotEqual(run.Id, bobs.Id);
    }

    [Fact]
    public async Task Error_contracts_answer_with_a_json_reason()
    {
        var client = Start().CreateClient();
        var unknown = Guid.NewGuid();
        foreach (var response in new[]
        {
            await client.GetAsync($"/api/execution/{unknown}/status"),
            await client.PostAsync($"/api/execution/{unknown}/cancel", null),
            await client.PostAsync($"/api/execution/{unknown}/retry", null),
            await client.PostAsJsonAsync("/api/artifact/resolve", new { id = unknown }),
        })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains(unknown.ToString(), await Api.ErrorOf(response), StringComparison.Ordinal);
        }

        var notAnId = await client.GetAsync("/api/execution/not-a-guid/status");
        Assert.Equal(HttpStatusCode.BadRequest, notAnId.StatusCode);
        Assert.Contains("not an execution id", await Api.ErrorOf(notAnId), StringComparison.Ordinal);

        var badJson = await client.PostAsync("/api/execution", new StringContent("{ intent: ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        Assert.Contains("not valid JSON", await Api.ErrorOf(badJson), StringComparison.Ordinal);

        var empty = await client.PostAsync("/api/execution", new StringContent("", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);

        var noIntent = await client.PostAsJsonAsync("/api/execution", new { metadata = new { } });
        Assert.Equal(HttpStatusCode.BadRequest, noIntent.StatusCode);
        Assert.Contains("intent is required", await Api.ErrorOf(noIntent), StringComparison.Ordinal);

        // Only the app names an execution's parent (a child runs in its parent's admission slot, past the caps).
        var namedParent = await client.PostAsJsonAsync("/api/execution", new { intent = "demo_long_task", metadata = new { parentExecutionId = Guid.NewGuid().ToString() } });
        Assert.Equal(HttpStatusCode.BadRequest, namedParent.StatusCode);
        Assert.Contains("'parentExecutionId' is reserved", await Api.ErrorOf(namedParent), StringComparison.Ordinal);

        var unknownIntent = await client.SubmitAsync("no_such_intent");
        Assert.Equal(HttpStatusCode.BadRequest, unknownIntent.StatusCode);
        var reason = await Api.ErrorOf(unknownIntent);
        Assert.Contains("'no_such_intent' is not registered", reason, StringComparison.Ordinal);
        Assert.Contains("demo_long_task", reason, StringComparison.Ordinal);

        var emptySession = await client.SubmitAsync("demo_long_task", sessionId: Guid.Empty);
        Assert.Equal(HttpStatusCode.BadRequest, emptySession.StatusCode);
        Assert.Contains("sessionId", await Api.ErrorOf(emptySession), StringComparison.Ordinal);

        var badResolve = await client.PostAsJsonAsync("/api/artifact/resolve", new { });
        Assert.Equal(HttpStatusCode.BadRequest, badResolve.StatusCode);
        Assert.Contains("id is required", await Api.ErrorOf(badResolve), StringComparison.Ordinal);

        var badPage = await client.PostAsJsonAsync("/api/artifact/list", new { take = 1000 });
        Assert.Equal(HttpStatusCode.BadRequest, badPage.StatusCode);

        var badLifecycle = await client.PostAsync("/api/artifact/list", new StringContent("{\"lifecycle\":\"Shiny\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, badLifecycle.StatusCode);

        using var badTenant = new HttpRequestMessage(HttpMethod.Get, $"/api/execution/{unknown}/status");
        badTenant.Headers.Add("X-Tenant-Id", "no spaces allowed");
        var tenantResponse = await client.SendAsync(badTenant);
        Assert.Equal(HttpStatusCode.BadRequest, tenantResponse.StatusCode);
        Assert.Contains("X-Tenant-Id", await Api.ErrorOf(tenantResponse), StringComparison.Ordinal);

        var done = await client.SubmitOkAsync("demo_long_task", new { steps = 1, stepMs = 0 });
        await client.WaitForStatusAsync(done.Id, "completed");
        var retryCompleted = await client.PostAsync($"/api/execution/{done.Id}/retry", null);
        Assert.Equal(HttpStatusCode.Conflict, retryCompleted.StatusCode);
        Assert.Contains("Completed", await Api.ErrorOf(retryCompleted), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/execution/{done.Id}/cancel", null)).StatusCode);

        var badMetadata = await client.SubmitAsync("demo_long_task", new { steps = "many" });
        var accepted = (await badMetadata.Content.ReadFromJsonAsync<ExecutionBody>(Api.Json))!;
        var failed = await client.WaitForStatusAsync(accepted.Id, "failed");
        Assert.Contains("metadata 'steps' must be a whole number", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_recovers_unfinished_executions_per_intent_policy()
    {
        var database = TestPaths.NewDatabasePath();
        Guid resume, retry, leave;
        var first = Start(databasePath: database);
        var client = first.CreateClient();
        resume = (await client.SubmitOkAsync("demo_long_task", new { steps = 200, stepMs = 50 })).Id;
        retry = (await client.SubmitOkAsync(TestIntents.BlockingRetry, new { block = "true" })).Id;
        leave = (await client.SubmitOkAsync("diagnostic_sleep", new { ms = 600000 })).Id;
        await client.WaitForAsync(resume, r => r.Progress >= 0.02, "some progress");
        await client.WaitForStatusAsync(retry, "running");
        await client.WaitForStatusAsync(leave, "running");
        await first.DisposeAsync();
        factories.Remove(first);

        var second = Start(databasePath: database);
        client = second.CreateClient();
        var left = await client.StatusAsync(leave);
        Assert.True(left.Is("failed", "interrupted"), left.Shown);
        Assert.Contains("Press Retry", left.ProgressMessage, StringComparison.Ordinal);

        var retried = await client.WaitForStatusAsync(retry, "completed");
        Assert.Equal(2, retried.Attempts);
        var retryEvents = (await client.EventsAsync(retry)).Select(e => e.EventType).ToList();
        Assert.True(retryEvents.IndexOf("execution.interrupted") < retryEvents.IndexOf("execution.retry_scheduled"));

        await client.WaitForAsync(resume, r => r.Is("running") && r.Progress > 0, "resumed");
        var resumeEvents = await client.EventsAsync(resume);
        Assert.Contains(resumeEvents, e => e.EventType == "execution.interrupted");
        Assert.Contains(resumeEvents, e => e.EventType == "execution.resumed");
        var resumedFrom = await client.WaitForAsync(resume, _ => true, "any");
        Assert.True(resumedFrom.Progress > 0);
        Assert.Contains(await client.EventsAsync(resume), e => e.EventType == "demo.resumed");
        await client.PostAsync($"/api/execution/{resume}/cancel", null);
        await client.WaitForStatusAsync(resume, "cancelled");

        using var retryLeft = await client.PostAsync($"/api/execution/{leave}/retry", null);
        Assert.Equal(HttpStatusCode.OK, retryLeft.StatusCode);
        await client.WaitForStatusAsync(leave, "running");
        await client.PostAsync($"/api/execution/{leave}/cancel", null);
        await client.WaitForStatusAsync(leave, "cancelled");
    }

    private sealed record ArtifactPage(List<ArtifactView> Items, int Skip, int Take, bool HasMore);
}
