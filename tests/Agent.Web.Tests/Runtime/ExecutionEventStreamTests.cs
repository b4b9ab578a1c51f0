using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using Agent.Runtime.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Agent.Web.Tests.Runtime;

/// <summary>
/// GET /api/execution/{id}/events with Accept: text/event-stream, read over real HTTP through the test server and
/// parsed with System.Net.ServerSentEvents.SseParser: a chat turn from start to end, reconnects with Last-Event-ID,
/// an execution that already ended, the keep-alive comment, refusals, and the JSON list without the header.
/// </summary>
public sealed class ExecutionEventStreamTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly List<RuntimeAppFactory> factories = [];

    public void Dispose()
    {
        foreach (var factory in factories)
        {
            factory.Dispose();
        }
    }

    [Fact]
    public async Task A_turn_streams_from_start_to_end_and_its_text_events_make_the_stored_reply()
    {
        var factory = Start(SlowChunks);
        var client = factory.CreateClient();
        var session = await ExecutionStatusBodyTests.NewSessionAsync(client);
        var (execution, reply) = await ExecutionStatusBodyTests.SendAsync(client, session, "Please tell me a long story about the rain in spring and the river that followed it");

        using var response = await OpenAsync(client, execution);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await ReadToEndAsync(response);

        Assert.Equal("status", events[0].Type);
        Assert.Equal("created", events[0].Data.GetProperty("status").GetString());
        Assert.Equal("execution.created", events[0].Data.GetProperty("event").GetProperty("type").GetString());
        Assert.Contains(events, e => e.Type == "status" && e.Data.GetProperty("status").GetString() == "running");
        var end = events[^1];
        Assert.Equal("end", end.Type);
        Assert.Equal("completed", end.Data.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, end.Data.GetProperty("subStatus").ValueKind);
        Assert.Single(events, e => e.Type == "end");

        var stored = await ExecutionStatusBodyTests.ReplyTextAsync(client, session, reply);
        Assert.Equal(stored, TextOf(events, reply));
        Assert.DoesNotContain(events, e => e.Type == "tool");
        var artifact = Assert.Single(events, e => e.Type == "artifact"); // the reply, registered by the turn
        Assert.Equal("chat.reply", artifact.Data.GetProperty("type").GetString());

        // Every id says where the WAL and the text stood: the WAL part never goes back, a text id ends where its text does.
        var cursors = events.Select(e => Cursor(e.Id)).ToList();
        Assert.True(cursors.Zip(cursors.Skip(1)).All(p => p.First.Wal <= p.Second.Wal && (p.First.Text ?? 0) <= (p.Second.Text ?? 0)));
        Assert.All(events.Where(e => e.Type == "text"), e => Assert.Equal(e.Data.GetProperty("offset").GetInt32() + e.Data.GetProperty("text").GetString()!.Length, Cursor(e.Id).Text));
        Assert.All(events.Where(e => e.Type == "status"), e => Assert.Equal(e.Data.GetProperty("event").GetProperty("sequence").GetInt64(), Cursor(e.Id).Wal));
        AssertNoEntryTwice(events);
        Assert.Equal("execution.completed", events.Last(e => e.Type == "status").Data.GetProperty("event").GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_reconnect_with_the_last_event_id_in_the_middle_repeats_nothing_and_ends_with_the_same_text()
    {
        var factory = Start(SlowChunks);
        var client = factory.CreateClient();
        var session = await ExecutionStatusBodyTests.NewSessionAsync(client);
        var (execution, reply) = await ExecutionStatusBodyTests.SendAsync(client, session, "Please tell me a long story about the rain in spring and the river that followed it");

        var first = new List<Received>();
        using (var response = await OpenAsync(client, execution))
        {
            await foreach (var item in ReadAsync(response))
            {
                first.Add(item);
                if (item.Type == "text")
                {
                    break; // the client goes away after some text
                }
            }
        }

        Assert.Equal("text", first[^1].Type);
        using var again = await OpenAsync(client, execution, first[^1].Id);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var second = await ReadToEndAsync(again);

        var all = first.Concat(second).ToList();
        AssertNoEntryTwice(all);
        Assert.Equal(Cursor(first[^1].Id).Text, second.FirstOrDefault(e => e.Type == "text")?.Data.GetProperty("offset").GetInt32() ?? Cursor(first[^1].Id).Text);
        var stored = await ExecutionStatusBodyTests.ReplyTextAsync(client, session, reply);
        Assert.Equal(stored, TextOf(all, reply));
        output.WriteLine($"first connection: {first.Count} events, text to {Cursor(first[^1].Id).Text} of {stored.Length}; second: {second.Count} events ({string.Join(" ", second.Select(e => e.Type))})");
        Assert.Equal("end", second[^1].Type);
        Assert.Equal("completed", second[^1].Data.GetProperty("status").GetString());
        await WaitForAsync(() => factory.Services.GetRequiredService<ExecutionSubscription>().OpenStreams == 0, "both streams closed");
    }

    [Fact]
    public async Task A_cursor_inside_the_text_of_an_ended_turn_resumes_at_that_offset_and_after_that_entry()
    {
        var client = Start().CreateClient();
        var session = await ExecutionStatusBodyTests.NewSessionAsync(client);
        var (execution, reply) = await ExecutionStatusBodyTests.SendAsync(client, session, "Hello there, how are you today");
        await client.WaitForStatusAsync(execution, "completed");
        var stored = await ExecutionStatusBodyTests.ReplyTextAsync(client, session, reply);

        using var whole = await OpenAsync(client, execution);
        var all = await ReadToEndAsync(whole);
        Assert.Equal(stored, TextOf(all, reply));
        var started = all.First(e => e.Type == "status" && e.Data.GetProperty("status").GetString() == "running");
        var startedAt = Cursor(started.Id).Wal;

        // As if the client had the entries up to "started" and the first 10 characters of the reply.
        using var resumed = await OpenAsync(client, execution, $"{startedAt}:10");
        var rest = await ReadToEndAsync(resumed);
        var text = Assert.Single(rest, e => e.Type == "text");
        Assert.Equal(10, text.Data.GetProperty("offset").GetInt32());
        Assert.Equal(stored[10..], text.Data.GetProperty("text").GetString());
        Assert.All(rest.Where(e => e.Type == "status"), e => Assert.True(e.Data.GetProperty("event").GetProperty("sequence").GetInt64() > startedAt));
        Assert.Equal(all.Count(e => e.Type == "status" && Cursor(e.Id).Wal > startedAt), rest.Count(e => e.Type == "status"));
        Assert.Equal("end", rest[^1].Type);

        // The end's cursor leaves nothing: only the end again.
        using var nothingLeft = await OpenAsync(client, execution, all[^1].Id);
        Assert.Equal(["end"], (await ReadToEndAsync(nothingLeft)).Select(e => e.Type));
    }

    [Fact]
    public async Task A_tool_call_streams_as_tool_events_waits_as_awaiting_approval_and_a_reconnect_after_approval_repeats_nothing()
    {
        var client = Start().CreateClient();
        var session = await ExecutionStatusBodyTests.NewSessionAsync(client);
        var (execution, reply) = await ExecutionStatusBodyTests.ForgetTurnAsync(client, session);

        var first = new List<Received>();
        using (var response = await OpenAsync(client, execution))
        {
            // Until the call has been shown and the execution is shown waiting for a person (in either order).
            await foreach (var item in ReadAsync(response))
            {
                first.Add(item);
                if (first.Any(e => e.Type == "tool") && first.Any(IsAwaiting))
                {
                    break;
                }
            }
        }

        Assert.Equal("running", first.Last(IsAwaiting).Data.GetProperty("status").GetString());
        var call = Assert.Single(first, e => e.Type == "tool");
        Assert.Equal(reply, call.Data.GetProperty("messageId").GetGuid());
        Assert.Equal("tool_call", call.Data.GetProperty("part").GetProperty("type").GetString());
        Assert.Equal("memory_forget", call.Data.GetProperty("part").GetProperty("toolName").GetString());
        Assert.EndsWith(":1", call.Id, StringComparison.Ordinal);

        using (var approved = await client.PostAsync(new Uri($"/api/tools/approvals/{await ExecutionStatusBodyTests.PendingApprovalAsync(client)}/approve", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        }

        using var again = await OpenAsync(client, execution, first[^1].Id);
        var second = await ReadToEndAsync(again);
        var all = first.Concat(second).ToList();
        AssertNoEntryTwice(all);
        Assert.Equal(["tool_call", "tool_result"], all.Where(e => e.Type == "tool").Select(e => e.Data.GetProperty("part").GetProperty("type").GetString()));
        Assert.Contains(second, e => e.Type == "status" && e.Data.GetProperty("status").GetString() == "running" && e.Data.GetProperty("subStatus").ValueKind == JsonValueKind.Null);
        Assert.Equal(await ExecutionStatusBodyTests.ReplyTextAsync(client, session, reply), TextOf(all, reply));
        Assert.Equal("completed", second[^1].Data.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_execution_that_already_ended_streams_what_is_left_with_its_artifact_and_the_end_at_once()
    {
        var client = Start().CreateClient();
        var run = await client.SubmitOkAsync("demo_long_task", new { steps = 2, stepMs = 0 });
        await client.WaitForStatusAsync(run.Id, "completed");

        using var response = await OpenAsync(client, run.Id);
        var events = await ReadToEndAsync(response);
        var statuses = events.Where(e => e.Type == "status").Select(e => e.Data.GetProperty("event").GetProperty("type").GetString()).ToList();
        Assert.Equal(["execution.created", "execution.queued", "execution.started"], statuses.Take(3));
        Assert.Equal(2, statuses.Count(t => t == "execution.progress"));
        Assert.Equal("execution.completed", statuses[^1]);
        var artifact = Assert.Single(events, e => e.Type == "artifact").Data;
        Assert.Equal("diagnostic.report", artifact.GetProperty("type").GetString());
        Assert.Equal("READY", artifact.GetProperty("lifecycle").GetString());
        Assert.Equal(run.Id, artifact.GetProperty("producedBy").GetProperty("executionId").GetGuid());
        Assert.Equal("end", events[^1].Type);
        Assert.Equal(1, events[^1].Data.GetProperty("progress").GetDouble());
        Assert.DoesNotContain(events, e => e.Type == "text");
        Assert.All(events, e => Assert.DoesNotContain(":", e.Id, StringComparison.Ordinal)); // no reply: the id is the WAL sequence
        AssertNoEntryTwice(events);
    }

    [Fact]
    public async Task An_idle_stream_gets_keep_alive_comments_and_ends_when_the_execution_does()
    {
        var factory = Start(new Dictionary<string, string> { ["Agent:Runtime:SseHeartbeatSeconds"] = "0.2" });
        var client = factory.CreateClient();
        var run = await client.SubmitOkAsync(TestIntents.Blocking);
        await client.WaitForStatusAsync(run.Id, "running");

        using var response = await OpenAsync(client, run.Id);
        using var timeout = new CancellationTokenSource(Patience);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token), Encoding.UTF8);
        var lines = new List<string>();
        var keepAlives = 0;
        while (keepAlives < 2 && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            lines.Add(line);
            keepAlives += line == ": keep-alive" ? 1 : 0;
        }

        Assert.Equal(2, keepAlives);
        Assert.Contains("event: status", lines);

        await client.PostAsync($"/api/execution/{run.Id}/cancel", null);
        var rest = await reader.ReadToEndAsync(timeout.Token); // the server closes the stream after the end
        Assert.Contains("event: end", rest, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"cancelled\"", rest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_goes_away_ends_its_stream_on_the_server()
    {
        var factory = Start();
        var client = factory.CreateClient();
        var run = await client.SubmitOkAsync(TestIntents.Blocking);
        var subscriptions = factory.Services.GetRequiredService<ExecutionSubscription>();
        using (var response = await OpenAsync(client, run.Id))
        {
            await using var events = ReadAsync(response).GetAsyncEnumerator();
            Assert.True(await events.MoveNextAsync());
            Assert.Equal(1, subscriptions.OpenStreams);
        }

        await WaitForAsync(() => subscriptions.OpenStreams == 0, "the stream closed after the client left");
        await client.PostAsync($"/api/execution/{run.Id}/cancel", null);
    }

    [Fact]
    public async Task Another_tenants_or_an_unknown_execution_answers_404_and_a_malformed_last_event_id_400()
    {
        var factory = Start();
        var alice = factory.ClientFor("alice");
        var bob = factory.ClientFor("bob");
        var run = await alice.SubmitOkAsync("demo_long_task", new { steps = 1, stepMs = 0 });
        await alice.WaitForStatusAsync(run.Id, "completed");

        foreach (var (client, id) in new[] { (bob, run.Id), (alice, Guid.NewGuid()) })
        {
            using var response = await OpenAsync(client, id);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(id.ToString(), await Api.ErrorOf(response), StringComparison.Ordinal);
        }

        foreach (var bad in new[] { "abc", "-1", "5:x", "1:2:3:4", "1.5" })
        {
            using var response = await OpenAsync(alice, run.Id, bad);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("Last-Event-ID", await Api.ErrorOf(response), StringComparison.Ordinal);
        }

        using var notAnId = await OpenAsync(alice, "not-a-guid");
        Assert.Equal(HttpStatusCode.BadRequest, notAnId.StatusCode);
    }

    [Fact]
    public async Task Without_the_event_stream_accept_header_the_route_stays_the_json_list_of_wal_entries()
    {
        var client = Start().CreateClient();
        var run = await client.SubmitOkAsync("demo_long_task", new { steps = 1, stepMs = 0 });
        await client.WaitForStatusAsync(run.Id, "completed");

        foreach (var accept in new[] { null, "application/json" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/execution/{run.Id}/events");
            if (accept is not null)
            {
                request.Headers.Accept.ParseAdd(accept);
            }

            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            var entries = await response.Content.ReadFromJsonAsync<JsonElement[]>();
            Assert.Equal("execution.created", entries![0].GetProperty("eventType").GetString());
            Assert.Equal("LifecycleTransition", entries[0].GetProperty("kind").GetString());
            Assert.Equal("execution.completed", entries[^1].GetProperty("eventType").GetString());
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("3601")]
    public void A_bad_keep_alive_interval_stops_start_up_naming_the_key(string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Agent:Runtime:SseHeartbeatSeconds"] = value }).Build();
        using var services = new ServiceCollection().AddExecutionRuntime(configuration).BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ExecutionRuntimeOptions>>().Value);
        Assert.Contains("Agent:Runtime:SseHeartbeatSeconds", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The deterministic provider slowed down, so a reply streams for a while and a subscriber sees it live.</summary>
    private static Dictionary<string, string> SlowChunks => new() { ["Agent:Providers:0:ChunkDelayMs"] = "40" };

    private RuntimeAppFactory Start(IDictionary<string, string>? settings = null)
    {
        var factory = new RuntimeAppFactory(settings: settings);
        factories.Add(factory);
        return factory;
    }

    private static Task<HttpResponseMessage> OpenAsync(HttpClient client, Guid execution, string? lastEventId = null) =>
        OpenAsync(client, execution.ToString(), lastEventId);

    private static async Task<HttpResponseMessage> OpenAsync(HttpClient client, string execution, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/execution/{execution}/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static async IAsyncEnumerable<Received> ReadAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var timeout = new CancellationTokenSource(Patience);
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(timeout.Token))
        {
            using var data = JsonDocument.Parse(item.Data);
            yield return new Received(item.EventType, item.EventId ?? "", data.RootElement.Clone());
        }
    }

    /// <summary>Every event up to the end; the server must close the stream right after it.</summary>
    private static async Task<List<Received>> ReadToEndAsync(HttpResponseMessage response)
    {
        var events = new List<Received>();
        await foreach (var item in ReadAsync(response))
        {
            Assert.True(events.Count == 0 || events[^1].Type != "end", $"'{item.Type}' came after the end");
            events.Add(item);
        }

        Assert.NotEmpty(events);
        Assert.Equal("end", events[^1].Type);
        return events;
    }

    /// <summary>The reply's text as the text events tell it: each piece starts where the one before ended.</summary>
    private static string TextOf(IEnumerable<Received> events, Guid reply)
    {
        var text = new StringBuilder();
        foreach (var e in events.Where(e => e.Type == "text"))
        {
            Assert.Equal(reply, e.Data.GetProperty("messageId").GetGuid());
            Assert.Equal(text.Length, e.Data.GetProperty("offset").GetInt32());
            text.Append(e.Data.GetProperty("text").GetString());
        }

        return text.ToString();
    }

    /// <summary>No WAL entry arrives twice (status events carry theirs; the others have it as the first part of their id).</summary>
    private static void AssertNoEntryTwice(IReadOnlyList<Received> events)
    {
        var sequences = events.Where(e => e.Type == "status" && e.Data.GetProperty("event").ValueKind == JsonValueKind.Object)
            .Select(e => e.Data.GetProperty("event").GetProperty("sequence").GetInt64())
            .Concat(events.Where(e => e.Type == "artifact").Select(e => Cursor(e.Id).Wal))
            .ToList();
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
        Assert.Equal(events.Count, events.Select(e => (e.Type, e.Id, e.Data.GetRawText())).Distinct().Count());
    }

    private static ExecutionCursor Cursor(string id)
    {
        Assert.True(ExecutionCursor.TryParse(id, out var cursor, out var problem), problem);
        return cursor;
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not reached: {what}.");
            await Task.Delay(20);
        }
    }

    private static bool IsAwaiting(Received e) => e.Type == "status" && e.Data.GetProperty("subStatus").GetString() == "awaiting_approval";

    private sealed record Received(string Type, string Id, JsonElement Data);
}
