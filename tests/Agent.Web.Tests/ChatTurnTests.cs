using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Agent.Domain.Configuration;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Agent.Runtime.Chat;
using Agent.Runtime.Clients;
using Agent.Runtime.Tools;
using Agent.Tests.Shared;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Agent.Web.Tests;

/// <summary>The reply's writes are serialized per turn: no streaming snapshot lands or is pushed after the terminal one.</summary>
public sealed class ChatTurnTests
{
    [Fact]
    public async Task A_tool_card_write_held_in_the_store_cannot_land_or_be_pushed_after_the_final_state()
    {
        await using var app = new AgentAppFactory();
        var store = new HoldingMessageStore();
        var (streamer, turn, changes) = await PrepareAsync(app, store);

        store.HoldStreamingWrites();
        var card = streamer.PublishToolPartAsync(turn, new ToolCallPart("c1", "calculator", "{}"));
        await store.Held.WaitAsync(TimeSpan.FromSeconds(10)); // the card's write is inside UpdateAsync now
        turn.Run.Append("All done.");
        var finish = streamer.FinishAsync(turn, MessageStatus.Complete, null, null, null, null);

        Assert.False(finish.IsCompleted); // the final write waits for the card's write instead of racing it
        store.Release();
        await Task.WhenAll(card, finish).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([MessageStatus.Streaming, MessageStatus.Complete], store.Writes.Select(w => w.Status));
        Assert.Equal(MessageStatus.Complete, store.Writes[^1].Status);
        Assert.Equal("All done.", store.Writes[^1].Text);
        var pushed = changes.Select(c => Assert.Single(c.Upserted)).ToList();
        Assert.Equal([MessageStatus.Streaming, MessageStatus.Complete], pushed.Select(m => m.Status));
        // The clock did not move (frozen), yet every write is later than the one before: subscribers can drop stale copies.
        Assert.True(pushed[1].UpdatedAt > pushed[0].UpdatedAt);
        Assert.True(SessionChange.Supersedes(pushed[1], pushed[0]));
        Assert.False(SessionChange.Supersedes(pushed[0], pushed[1]));
        Assert.Equal((0, 0, 0), streamer.RegistryCounts);
    }

    [Fact]
    public async Task A_snapshot_that_comes_after_the_final_state_is_neither_written_nor_pushed()
    {
        await using var app = new AgentAppFactory();
        var store = new HoldingMessageStore();
        var (streamer, turn, changes) = await PrepareAsync(app, store);

        await streamer.FinishAsync(turn, MessageStatus.Cancelled, null, null, null, null);
        await streamer.PublishToolPartAsync(turn, new ToolResultPart("c1", "5", false));
        await streamer.WriteInterimAsync(turn, publish: false);
        await streamer.FinishAsync(turn, MessageStatus.Complete, null, null, null, null);

        Assert.Equal(MessageStatus.Cancelled, Assert.Single(store.Writes).Status);
        Assert.Equal(MessageStatus.Cancelled, Assert.Single(Assert.Single(changes).Upserted).Status);
        Assert.Equal((0, 0, 0), streamer.RegistryCounts);
    }

    [Fact]
    public async Task A_reply_stopped_before_its_handler_took_it_ends_cancelled_and_no_handler_can_take_it_then()
    {
        await using var app = new AgentAppFactory();
        var store = new HoldingMessageStore();
        var (streamer, reply, changes) = await StoredReplyAsync(app, store);
        var run = streamer.Claim("local", reply.SessionId, reply.Id, "");

        Assert.True(await streamer.EndUntakenAsync(run, MessageStatus.Cancelled, null));

        Assert.False(run.TryTake());
        Assert.False(await streamer.EndUntakenAsync(run, MessageStatus.Failed, "twice"));
        Assert.Equal(MessageStatus.Cancelled, Assert.Single(store.Writes).Status);
        Assert.Equal(MessageStatus.Cancelled, Assert.Single(Assert.Single(changes).Upserted).Status);
        Assert.Equal((0, 0, 0), streamer.RegistryCounts);
    }

    [Fact]
    public async Task After_many_turns_through_the_coordinator_no_turn_is_left_registered()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();
        var chat = app.Services.GetRequiredService<ChatCoordinator>();
        var sessionId = (await (await client.PostAsJsonAsync("/api/sessions", new { title = "many" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var ended = 0;
        chat.SessionChanged += change => Interlocked.Add(ref ended, change.TurnEnded ? 1 : 0);

        for (var i = 0; i < 20; i++)
        {
            var turn = await chat.SendAsync("local", sessionId, $"message {i}", null, CancellationToken.None);
            var live = chat.LiveReplyFor(sessionId);
            await chat.WhenIdleAsync(sessionId).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(live is null || live.IsCompleted);
            Assert.Equal(MessageStatus.Complete, (await app.Services.GetRequiredService<IMessageStore>().FindAsync("local", turn.AssistantMessageId, CancellationToken.None))!.Status);
        }

        Assert.Equal(20, Volatile.Read(ref ended));
        Assert.Equal((0, 0, 0), chat.Turns.RegistryCounts);
        Assert.False(chat.IsStreaming(sessionId));
        var window = await app.Services.GetRequiredService<IMessageStore>().ReadPathAsync("local", sessionId, null, null, 10, CancellationToken.None);
        Assert.Equal(10, window.Messages.Count);
        Assert.True(window.HasOlder);
    }

    [Fact]
    public async Task A_throttled_subscriber_gets_one_call_for_a_burst_and_one_at_completion()
    {
        var run = new LiveReply(Guid.NewGuid(), Guid.NewGuid(), "", TimeProvider.System);
        var calls = 0;
        var sawCompletion = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstCall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = run.Subscribe(
            () =>
            {
                Interlocked.Increment(ref calls);
                firstCall.TrySetResult();
                if (run.IsCompleted)
                {
                    sawCompletion.TrySetResult(run.Text);
                }

                return Task.CompletedTask;
            },
            TimeSpan.FromHours(1));

        run.Append("a");
        await firstCall.Task.WaitAsync(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 1000; i++)
        {
            run.Append("b"); // within the hour: no call, only a pending one
        }

        run.Complete(); // completion does not wait for the interval
        Assert.Equal("a" + new string('b', 1000), await sawCompletion.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, Volatile.Read(ref calls));
    }

    private static async Task<(ChatTurnStreamer Streamer, ChatTurn Turn, ConcurrentQueue<SessionChange> Changes)> PrepareAsync(AgentAppFactory app, HoldingMessageStore store)
    {
        var (streamer, reply, changes) = await StoredReplyAsync(app, store);
        var run = streamer.Claim("local", reply.SessionId, reply.Id, "");
        Assert.True(run.TryTake());
        return (streamer, new ChatTurn(run, new ChatClientLease(new NoClient(), "deterministic", "echo", "deterministic"), reply, []), changes);
    }

    private static async Task<(ChatTurnStreamer Streamer, SessionMessage Reply, ConcurrentQueue<SessionChange> Changes)> StoredReplyAsync(AgentAppFactory app, HoldingMessageStore store)
    {
        _ = app.Services; // builds the host
        var time = new FrozenTime(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var streamer = new ChatTurnStreamer(
            store,
            app.Services.GetRequiredService<ISessionStore>(),
            app.Services.GetRequiredService<IChatClientSource>(),
            app.Services.GetRequiredService<Agent.Runtime.Chat.Context.TurnCompaction>(),
            app.Services.GetRequiredService<ITurnContextStore>(),
            app.Services.GetRequiredService<ToolRegistry>(),
            app.Services.GetRequiredService<AgentLoop>(),
            app.Services.GetRequiredService<IOptions<AgentOptions>>(),
            time,
            NullLogger<ChatTurnStreamer>.Instance,
            app.Services.GetRequiredService<ITokenCounter>(),
            app.Services.GetRequiredService<ITraceStore>());
        var changes = new ConcurrentQueue<SessionChange>();
        streamer.SessionChanged += changes.Enqueue;
        var sessionId = Guid.NewGuid();
        var reply = new SessionMessage
        {
            Id = Guid.NewGuid(),
            SessionId = sessionId,
            TenantId = "local",
            Role = MessageRole.Assistant,
            Parts = [],
            Status = MessageStatus.Streaming,
            CreatedAt = time.GetUtcNow(),
            UpdatedAt = time.GetUtcNow(),
        };
        await store.AddAsync(reply, CancellationToken.None);
        return (streamer, reply, changes);
    }

    private sealed class FrozenTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class NoClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    /// <summary>An in-memory message store whose streaming writes can be held inside UpdateAsync.</summary>
    private sealed class HoldingMessageStore : IMessageStore
    {
        private readonly MemoryMessageStore inner = new();
        private readonly SemaphoreSlim held = new(0);
        private TaskCompletionSource? hold;

        public List<SessionMessage> Writes { get; } = [];

        public SemaphoreSlim Held => held;

        public void HoldStreamingWrites() => hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => hold?.TrySetResult();

        public Task AddAsync(SessionMessage message, CancellationToken cancellationToken) => inner.AddAsync(message, cancellationToken);

        public async Task UpdateAsync(SessionMessage message, CancellationToken cancellationToken)
        {
            if (hold is { } gate && message.Status == MessageStatus.Streaming)
            {
                held.Release();
                await gate.Task;
            }

            lock (Writes)
            {
                Writes.Add(message);
            }

            await inner.UpdateAsync(message, cancellationToken);
        }

        public Task<SessionMessage?> FindAsync(string tenantId, Guid messageId, CancellationToken cancellationToken) => inner.FindAsync(tenantId, messageId, cancellationToken);

        public Task<IReadOnlyList<SessionMessage>> ListBySessionAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken) => inner.ListBySessionAsync(tenantId, sessionId, cancellationToken);

        public Task<TranscriptWindow> ReadPathAsync(string tenantId, Guid sessionId, Guid? leafId, Guid? olderThan, int take, CancellationToken cancellationToken) => inner.ReadPathAsync(tenantId, sessionId, leafId, olderThan, take, cancellationToken);

        public Task<IReadOnlyList<Guid>> AncestorIdsAsync(string tenantId, Guid sessionId, Guid messageId, CancellationToken cancellationToken) => inner.AncestorIdsAsync(tenantId, sessionId, messageId, cancellationToken);

        public Task<Guid?> LatestLeafUnderAsync(string tenantId, Guid sessionId, Guid messageId, CancellationToken cancellationToken) => inner.LatestLeafUnderAsync(tenantId, sessionId, messageId, cancellationToken);

        public Task<IReadOnlyList<SessionMessage>> ListStreamingAsync(CancellationToken cancellationToken) => inner.ListStreamingAsync(cancellationToken);

        public Task<int> CountAsync(string tenantId, CancellationToken cancellationToken) => inner.CountAsync(tenantId, cancellationToken);

        public Task<IReadOnlyList<SessionMessage>> PageBySessionAsync(string tenantId, Guid sessionId, int skip, int take, CancellationToken cancellationToken) => inner.PageBySessionAsync(tenantId, sessionId, skip, take, cancellationToken);
    }
}
