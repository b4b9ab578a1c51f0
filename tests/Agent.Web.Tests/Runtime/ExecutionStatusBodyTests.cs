using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Agent.Web.Tests.Runtime;

/// <summary>
/// GET /api/execution/{id}/status is the runtime contract's execution state, field by field, on the real host and a
/// real SQLite file; submit, list, cancel and retry answer with its short form.
/// </summary>
public sealed class ExecutionStatusBodyTests : IDisposable
{
    private static readonly string[] FullFields =
        ["executionId", "status", "subStatus", "intent", "artifacts", "events", "error", "progress", "progressMessage", "attempts", "createdAt", "startedAt", "endedAt"];

    private static readonly string[] ShortFields =
        ["executionId", "status", "subStatus", "intent", "error", "progress", "progressMessage", "attempts", "createdAt", "startedAt", "endedAt"];

    private readonly List<RuntimeAppFactory> factories = [];

    public void Dispose()
    {
        foreach (var factory in factories)
        {
            factory.Dispose();
        }
    }

    [Fact]
    public async Task The_status_body_has_the_contracts_fields_in_camel_case_with_the_intent_artifacts_and_wal_events()
    {
        var client = Start().CreateClient();
        var session = await NewSessionAsync(client);
        using var submitted = await client.SubmitAsync(TestIntents.Producer, new { note = "kept as metadata" }, sessionId: session);
        var id = (await submitted.Content.ReadFromJsonAsync<ExecutionBody>(Api.Json))!.Id;
        await client.WaitForStatusAsync(id, "completed");

        var body = await StatusJsonAsync(client, id);
        Assert.Equal(FullFields, Names(body));
        Assert.Equal(id, body.GetProperty("executionId").GetGuid());
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("subStatus").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("error").ValueKind);
        Assert.Equal(1, body.GetProperty("progress").GetDouble());
        Assert.Equal(1, body.GetProperty("attempts").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, body.GetProperty("endedAt").ValueKind);

        var intent = body.GetProperty("intent");
        Assert.Equal(["intentType", "tenantId", "sessionId", "solutionId", "parameters", "metadata"], Names(intent));
        Assert.Equal(TestIntents.Producer, intent.GetProperty("intentType").GetString());
        Assert.Equal("local", intent.GetProperty("tenantId").GetString());
        Assert.Equal(session, intent.GetProperty("sessionId").GetGuid());
        Assert.Equal("personal-agent-chat", intent.GetProperty("solutionId").GetString()); // the install's (Agent:SolutionId)
        Assert.Equal(JsonValueKind.Object, intent.GetProperty("parameters").ValueKind);
        Assert.Empty(intent.GetProperty("parameters").EnumerateObject());
        Assert.Equal("kept as metadata", intent.GetProperty("metadata").GetProperty("note").GetString());

        var artifact = Assert.Single(body.GetProperty("artifacts").EnumerateArray());
        Assert.Equal(["id", "type", "tenantId", "producedBy", "lifecycle", "semanticDescriptor", "parents", "materializations", "createdAt", "updatedAt"], Names(artifact));
        Assert.Equal("test.summary", artifact.GetProperty("type").GetString());
        Assert.Equal("READY", artifact.GetProperty("lifecycle").GetString());
        Assert.Equal(TestIntents.Producer, artifact.GetProperty("producedBy").GetProperty("intent").GetString());
        Assert.Equal(id, artifact.GetProperty("producedBy").GetProperty("executionId").GetGuid());
        Assert.Empty(artifact.GetProperty("parents").EnumerateArray());
        Assert.Equal("db", Assert.Single(artifact.GetProperty("materializations").EnumerateArray()).GetProperty("kind").GetString());

        var events = body.GetProperty("events").EnumerateArray().ToList();
        Assert.All(events, e => Assert.Equal(["sequence", "kind", "type", "payload", "recordedAt"], Names(e)));
        Assert.All(events, e => Assert.Contains(e.GetProperty("kind").GetString(), new[] { "lifecycle", "domain" }));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.GetProperty("sequence").GetInt64() < p.Second.GetProperty("sequence").GetInt64()));
        Assert.Equal(["execution.created", "execution.queued", "execution.started"], events.Take(3).Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(("lifecycle", "execution.completed"), (events[^1].GetProperty("kind").GetString(), events[^1].GetProperty("type").GetString()));
        var produced = events.Single(e => e.GetProperty("type").GetString() == "test.produced");
        Assert.Equal("domain", produced.GetProperty("kind").GetString());
        Assert.True(produced.GetProperty("payload").GetProperty("ok").GetBoolean()); // parsed JSON, not a string
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "artifact.created");

        AssertCamelCase(body, "$");
    }

    [Fact]
    public async Task Queued_running_and_cancelled_read_as_the_contract_in_the_status_the_list_a_submission_and_a_cancel()
    {
        var client = Start(new Dictionary<string, string> { ["Agent:Caps:MaxConcurrentCallsTenant"] = "1" }).CreateClient();
        var first = await client.SubmitOkAsync(TestIntents.Blocking);
        await client.WaitForStatusAsync(first.Id, "running");

        using var submitted = await client.SubmitAsync(TestIntents.Blocking);
        var queued = await submitted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(ShortFields, Names(queued));
        Assert.Equal(("created", "queued"), Status(queued));
        var second = queued.GetProperty("executionId").GetGuid();
        Assert.Equal(("created", "queued"), Status(await StatusJsonAsync(client, second)));
        Assert.Equal(("running", null), Status(await StatusJsonAsync(client, first.Id)));

        var listed = await client.GetFromJsonAsync<JsonElement[]>("/api/execution");
        Assert.All(listed!, item => Assert.Equal(ShortFields, Names(item)));
        Assert.Equal(("created", "queued"), Status(listed!.Single(i => i.GetProperty("executionId").GetGuid() == second)));
        Assert.Equal(("running", null), Status(listed!.Single(i => i.GetProperty("executionId").GetGuid() == first.Id)));

        using var cancel = await client.PostAsync($"/api/execution/{second}/cancel", null);
        var cancelled = await cancel.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(ShortFields, Names(cancelled));
        Assert.Equal(("cancelled", null), Status(cancelled));

        await client.PostAsync($"/api/execution/{first.Id}/cancel", null);
        await client.WaitForStatusAsync(first.Id, "cancelled");
    }

    [Fact]
    public async Task A_failure_reads_failed_with_its_error_and_a_retry_answers_in_the_short_form()
    {
        var client = Start().CreateClient();
        var run = await client.SubmitOkAsync(TestIntents.Permanent);
        await client.WaitForStatusAsync(run.Id, "failed");
        var failed = await StatusJsonAsync(client, run.Id);
        Assert.Equal(("failed", null), Status(failed));
        Assert.Equal("the input can never work", failed.GetProperty("error").GetString());
        var lastEvent = failed.GetProperty("events").EnumerateArray().Last();
        Assert.Equal("execution.failed", lastEvent.GetProperty("type").GetString());
        Assert.Equal("the input can never work", lastEvent.GetProperty("payload").GetProperty("detail").GetProperty("error").GetString());

        using var retry = await client.PostAsync($"/api/execution/{run.Id}/retry", null);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var retried = await retry.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(ShortFields, Names(retried));
        Assert.Contains(Status(retried), new (string?, string?)[] { ("created", "queued"), ("running", null), ("failed", null) });
    }

    [Fact]
    public async Task An_execution_cut_by_a_restart_reads_failed_interrupted()
    {
        var database = TestPaths.NewDatabasePath();
        Guid sleep;
        var first = Start(databasePath: database);
        {
            var client = first.CreateClient();
            sleep = (await client.SubmitOkAsync("diagnostic_sleep", new { ms = 600000 })).Id;
            await client.WaitForStatusAsync(sleep, "running");
        }

        await first.DisposeAsync();
        factories.Remove(first);

        var second = Start(databasePath: database).CreateClient();
        var body = await StatusJsonAsync(second, sleep);
        Assert.Equal(("failed", "interrupted"), Status(body));
        Assert.Equal("execution.interrupted", body.GetProperty("events").EnumerateArray().Last().GetProperty("type").GetString());
        await second.PostAsync($"/api/execution/{sleep}/retry", null);
        await second.WaitForStatusAsync(sleep, "running");
        await second.PostAsync($"/api/execution/{sleep}/cancel", null);
        await second.WaitForStatusAsync(sleep, "cancelled");
    }

    [Fact]
    public async Task A_turn_whose_tool_call_waits_for_a_person_reads_running_awaiting_approval_until_approved()
    {
        var client = Start().CreateClient();
        var session = await NewSessionAsync(client);
        var (execution, _) = await ForgetTurnAsync(client, session);

        var approval = await PendingApprovalAsync(client);
        var waiting = await client.WaitForStatusAsync(execution, "running", "awaiting_approval");
        Assert.Equal(execution, waiting.Id);
        Assert.Equal(("running", "awaiting_approval"), Status((await client.GetFromJsonAsync<JsonElement[]>("/api/execution"))!.Single(i => i.GetProperty("executionId").GetGuid() == execution)));
        var events = (await StatusJsonAsync(client, execution)).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal("execution.started", events[^1]); // the approval is no lifecycle state: nothing in the WAL

        using var approved = await client.PostAsync(new Uri($"/api/tools/approvals/{approval}/approve", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        await client.WaitForStatusAsync(execution, "completed");
    }

    [Fact]
    public async Task A_turns_events_carry_no_reply_text()
    {
        var client = Start().CreateClient();
        var session = await NewSessionAsync(client);
        var (execution, reply) = await SendAsync(client, session, "Tell me something about the rain in spring");
        await client.WaitForStatusAsync(execution, "completed");
        var text = await ReplyTextAsync(client, session, reply);
        Assert.StartsWith("[deterministic]", text, StringComparison.Ordinal);

        var body = await StatusJsonAsync(client, execution);
        Assert.Equal(SendIntent, body.GetProperty("intent").GetProperty("intentType").GetString());
        Assert.Equal(reply.ToString(), body.GetProperty("intent").GetProperty("parameters").GetProperty("messageId").GetString());
        var events = body.GetProperty("events").GetRawText();
        Assert.DoesNotContain("Scripted reply", events, StringComparison.Ordinal);
        Assert.DoesNotContain("rain in spring", events, StringComparison.Ordinal);
    }

    internal const string SendIntent = "send_message";

    internal static async Task<Guid> NewSessionAsync(HttpClient client)
    {
        using var created = await client.PostAsJsonAsync("/api/sessions", new { title = "stream" });
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>Sends a message; the turn's execution and the reply's message id.</summary>
    internal static async Task<(Guid Execution, Guid Reply)> SendAsync(HttpClient client, Guid session, string text)
    {
        using var sent = await client.PostAsJsonAsync($"/api/sessions/{session}/messages", new { text });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var turn = await sent.Content.ReadFromJsonAsync<JsonElement>();
        return (turn.GetProperty("executionId").GetGuid(), turn.GetProperty("assistantMessageId").GetGuid());
    }

    /// <summary>A turn that calls memory_forget on a stored fact: the call waits for a person's approval.</summary>
    internal static async Task<(Guid Execution, Guid Reply)> ForgetTurnAsync(HttpClient client, Guid session)
    {
        using var saved = await client.PostAsJsonAsync("/api/memory", new { tier = "archival", content = "Old address: 4 Elm Street." });
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        var fact = (await saved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        return await SendAsync(client, session, $$"""/tool memory_forget {"id":"{{fact}}"}""");
    }

    internal static async Task<Guid> PendingApprovalAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var pending = await client.GetFromJsonAsync<JsonElement[]>("/api/tools/approvals");
            if (pending!.Length == 1)
            {
                return pending[0].GetProperty("id").GetGuid();
            }

            Assert.True(DateTime.UtcNow < deadline, "No tool approval was requested.");
            await Task.Delay(40);
        }
    }

    internal static async Task<string> ReplyTextAsync(HttpClient client, Guid session, Guid reply)
    {
        var messages = await client.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{session}/messages");
        return messages!.Single(m => m.GetProperty("id").GetGuid() == reply).GetProperty("text").GetString()!;
    }

    private RuntimeAppFactory Start(IDictionary<string, string>? settings = null, string? databasePath = null)
    {
        var factory = new RuntimeAppFactory(databasePath, settings);
        factories.Add(factory);
        return factory;
    }

    private static async Task<JsonElement> StatusJsonAsync(HttpClient client, Guid id)
    {
        using var response = await client.GetAsync($"/api/execution/{id}/status");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static (string?, string?) Status(JsonElement body) => (body.GetProperty("status").GetString(), body.GetProperty("subStatus").GetString());

    private static string[] Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    /// <summary>Every property name the API chose starts lower-case (metadata keys are the caller's own and are skipped).</summary>
    private static void AssertCamelCase(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Assert.True(char.IsLower(property.Name[0]), $"{path}.{property.Name} is not camelCase");
                    if (property.Name != "metadata")
                    {
                        AssertCamelCase(property.Value, $"{path}.{property.Name}");
                    }
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    AssertCamelCase(item, $"{path}[{i++}]");
                }

                break;
        }
    }
}
