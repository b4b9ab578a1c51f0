using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Agent.Runtime.Chat;
using AppProcess = Agent.Web.Tests.Runtime.CrashRecoveryTests.AppProcess;

namespace Agent.Web.Tests.Runtime;

/// <summary>
/// Chat turns across a SIGKILL of the real app process on a real SQLite file (docs/runtime.md, "Recovery"): a turn
/// queued behind the tenant's cap runs after the restart; a turn cut mid-stream keeps its text, is marked interrupted
/// with Continue and is not run (nor paid for) again; a turn waiting for a tool approval says so, its approval stays
/// pending, and approving it completes the reply.
/// </summary>
public sealed class TurnRecoveryTests
{
    private static readonly string[] Settings =
    [
        "--Agent:Caps:MaxConcurrentCallsTenant=2",
        "--Agent:Providers:0:ChunkDelayMs=100",
    ];

    [Fact]
    public async Task Kill_9_with_turns_queued_streaming_and_awaiting_approval_then_restart_ends_each_as_documented()
    {
        var database = TestPaths.NewDatabasePath();
        var workspace = Path.Combine(Path.GetDirectoryName(database)!, $"workspace-{Guid.NewGuid():N}");
        string[] settings = [.. Settings, $"--Agent:Tools:WorkspaceFolder={workspace}"];
        var longText = string.Join(' ', Enumerable.Range(1, 400).Select(i => $"word{i}"));
        JsonElement approvalTurn, streamingTurn, queuedTurn;
        string streamedBeforeKill;
        await using (var first = await AppProcess.StartAsync(database, settings))
        {
            var client = first.Client;

            // One slot: a reply that waits for the person's decision on a write.
            approvalTurn = await SendAsync(client, await NewSessionAsync(client, "awaits approval"), """/tool workspace_write {"path":"after-restart.txt","content":"written after the restart"}""");
            await WaitForAsync(async () => (await PendingApprovalsAsync(client)).Count == 1, "the write to wait for approval");

            // The other slot: a long reply, streaming, with some text saved.
            streamingTurn = await SendAsync(client, await NewSessionAsync(client, "streams"), longText);
            await WaitForAsync(async () => (await ReplyAsync(client, streamingTurn)).GetProperty("text").GetString()!.Length > 20, "the streamed text to be saved");

            // The tenant's cap is reached: this turn is accepted and queued.
            queuedTurn = await SendAsync(client, await NewSessionAsync(client, "queued"), "queued before the kill");
            var queued = await client.StatusAsync(ExecutionOf(queuedTurn));
            Assert.Equal(("created", "queued"), (queued.Status, queued.SubStatus));

            streamedBeforeKill = (await ReplyAsync(client, streamingTurn)).GetProperty("text").GetString()!;
            first.Kill();
        }

        await using (var second = await AppProcess.StartAsync(database, settings))
        {
            var client = second.Client;

            // Queued, never started: it runs now, to the end.
            await client.WaitForStatusAsync(ExecutionOf(queuedTurn), "completed", timeoutMs: 60000);
            var queuedReply = await WaitForReplyAsync(client, queuedTurn, "complete");
            Assert.Contains("queued before the kill", queuedReply.GetProperty("text").GetString(), StringComparison.Ordinal);

            // Cut mid-stream: kept as far as it was saved, interrupted, offered Continue, and not run again.
            var cut = await ReplyAsync(client, streamingTurn);
            Assert.Equal("interrupted", cut.GetProperty("status").GetString());
            Assert.Equal(InterruptedReplyRecovery.Reason, cut.GetProperty("error").GetString());
            Assert.StartsWith(streamedBeforeKill, cut.GetProperty("text").GetString(), StringComparison.Ordinal);
            var cutExecution = await client.StatusAsync(ExecutionOf(streamingTurn));
            Assert.Equal(("failed", "interrupted"), (cutExecution.Status, cutExecution.SubStatus));
            var cutEvents = (await client.EventsAsync(cutExecution.ExecutionId)).Select(e => e.EventType).ToList();
            Assert.Equal("execution.interrupted", cutEvents[^1]);
            Assert.Single(cutEvents, "execution.started");

            // Waiting for approval: it says so, the approval is still pending, and approving it completes the reply.
            var waiting = await ReplyAsync(client, approvalTurn);
            Assert.Equal("interrupted", waiting.GetProperty("status").GetString());
            Assert.Equal(InterruptedReplyRecovery.AwaitingApprovalReason, waiting.GetProperty("error").GetString());
            var pending = Assert.Single(await PendingApprovalsAsync(client));
            Assert.Equal("workspace_write", pending.GetProperty("toolName").GetString());
            using (var approved = await client.PostAsync(new Uri($"/api/tools/approvals/{pending.GetProperty("id").GetGuid()}/approve", UriKind.Relative), null))
            {
                Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
            }

            var done = await WaitForReplyAsync(client, approvalTurn, "complete");
            Assert.Contains("Tool results received", done.GetProperty("text").GetString(), StringComparison.Ordinal);
            Assert.Equal("written after the restart", await File.ReadAllTextAsync(Path.Combine(workspace, "after-restart.txt")));
            Assert.Empty(await PendingApprovalsAsync(client));

            // Still interrupted after all that: nothing re-ran the cut turn behind the person's back.
            Assert.Equal("interrupted", (await ReplyAsync(client, streamingTurn)).GetProperty("status").GetString());
        }
    }

    /// <summary>
    /// A database the previous release left after a SIGKILL (tests/Fixtures/upgrade/README.md) opens after the
    /// migrations, and its turns recover by today's rules: the queued one (which named its reply only in the
    /// metadata) runs, the streaming one is interrupted (what its request carried still readable), and the one waiting
    /// for approval goes on when approved.
    /// </summary>
    [Fact]
    public async Task A_database_of_the_previous_release_killed_with_turns_in_flight_opens_and_recovers_by_the_new_rules()
    {
        var database = TestPaths.NewDatabasePath();
        File.Copy(Path.Combine(TestPaths.RepositoryRoot, "tests", "Fixtures", "upgrade", "release-0.1.0.db"), database);
        var awaiting = Turn("89214f72-2a86-4226-ad01-e5c3bec2f845", "f1a81e55-8f9f-44d5-98ff-9f7db812c9fb");
        var streamed = Turn("dc7c4e86-302c-4bcc-b2e0-f4e4bb708787", "1f49efc0-8d85-4738-8308-2c35b4593c11");
        var queued = Turn("8b81cb5f-b2c6-4fbd-93d7-c5567352893b", "6ab2e60b-1774-49c8-922e-7363a2263926");

        await using var app = await AppProcess.StartAsync(database, Settings);
        var client = app.Client;

        var ran = await WaitForReplyAsync(client, queued, "complete");
        Assert.Contains("queued before the upgrade", ran.GetProperty("text").GetString(), StringComparison.Ordinal);

        var cut = await ReplyAsync(client, streamed);
        Assert.Equal("interrupted", cut.GetProperty("status").GetString());
        Assert.Equal(67, cut.GetProperty("text").GetString()!.Length);

        // What the cut turn's request carried was written before the kill, in a table the upgrade renamed; it is kept.
        var seen = await client.GetFromJsonAsync<JsonElement>("/api/execution/e2ad7dc1-49da-4acb-a501-92a5e608bafd/context");
        Assert.Equal(804, seen.GetProperty("totalTokens").GetInt32());

        Assert.Equal(InterruptedReplyRecovery.AwaitingApprovalReason, (await ReplyAsync(client, awaiting)).GetProperty("error").GetString());
        var pending = Assert.Single(await PendingApprovalsAsync(client));
        using (var approved = await client.PostAsync(new Uri($"/api/tools/approvals/{pending.GetProperty("id").GetGuid()}/approve", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        }

        Assert.Contains("Tool results received", (await WaitForReplyAsync(client, awaiting, "complete")).GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    private static JsonElement Turn(string sessionId, string replyId) =>
        JsonSerializer.SerializeToElement(new { sessionId = Guid.Parse(sessionId), assistantMessageId = Guid.Parse(replyId) });

    private static Guid ExecutionOf(JsonElement turn) => turn.GetProperty("executionId").GetGuid();

    private static async Task<Guid> NewSessionAsync(HttpClient client, string title)
    {
        using var created = await client.PostAsJsonAsync("/api/sessions", new { title });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<JsonElement> SendAsync(HttpClient client, Guid sessionId, string text)
    {
        using var sent = await client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { text });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        return await sent.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> ReplyAsync(HttpClient client, JsonElement turn)
    {
        var messages = await client.GetFromJsonAsync<JsonElement>($"/api/sessions/{turn.GetProperty("sessionId").GetGuid()}/messages");
        var id = turn.GetProperty("assistantMessageId").GetGuid();
        return messages.EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == id).Clone();
    }

    private static async Task<JsonElement> WaitForReplyAsync(HttpClient client, JsonElement turn, string status)
    {
        JsonElement reply = default;
        await WaitForAsync(async () => (reply = await ReplyAsync(client, turn)).GetProperty("status").GetString() == status, $"the reply to be {status}");
        return reply;
    }

    private static async Task<List<JsonElement>> PendingApprovalsAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/tools/approvals")).EnumerateArray().Select(e => e.Clone()).ToList();

    /// <summary>Polls a state of the real process (there is nothing in-process to subscribe to) until it holds, for at most a minute.</summary>
    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Waited a minute for {what}.");
            }

            await Task.Delay(50);
        }
    }
}
