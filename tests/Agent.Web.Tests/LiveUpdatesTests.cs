using System.Threading.Channels;
using Agent.Domain.Runtime;
using Agent.Runtime.Runtime;
using Agent.Web.Components.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Agent.Web.Tests;

/// <summary>The app's one live-update channel: batches per interval, stops on dispose, and keeps tenants apart.</summary>
public sealed class LiveUpdatesTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider time = new(DateTimeOffset.Parse("2026-12-07T18:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly ServiceProvider services;
    private readonly ExecutionFeed feed;
    private readonly LiveUpdates live;

    public LiveUpdatesTests()
    {
        services = new ServiceCollection().AddLogging().AddSingleton<ExecutionFeed>().BuildServiceProvider();
        feed = services.GetRequiredService<ExecutionFeed>();
        live = new LiveUpdates(services, time, NullLogger<LiveUpdates>.Instance);
    }

    [Fact]
    public async Task The_first_change_comes_at_once_and_a_burst_after_it_as_one_batch_per_interval()
    {
        var calls = Channel.CreateUnbounded<IReadOnlyList<ExecutionChange>>();
        using var subscription = live.Subscribe(LiveTopics.Executions, "local", TimeSpan.FromMilliseconds(200), batch => calls.Writer.WriteAsync(batch).AsTask());

        var first = Publish("local");
        Assert.Equal([first], Ids(await NextAsync(calls)));

        var burst = new[] { Publish("local"), Publish("local"), Publish("local") };
        Assert.False(calls.Reader.TryRead(out _), "the burst waits for the interval");

        time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(burst, Ids(await NextAsync(calls)));

        // Once the interval has passed since the last batch, the next change again comes at once.
        time.Advance(TimeSpan.FromMilliseconds(500));
        var later = Publish("local");
        Assert.Equal([later], Ids(await NextAsync(calls)));
    }

    [Fact]
    public async Task A_subscriber_sees_only_its_tenants_changes()
    {
        var local = Channel.CreateUnbounded<IReadOnlyList<ExecutionChange>>();
        var other = Channel.CreateUnbounded<IReadOnlyList<ExecutionChange>>();
        using var localSubscription = live.Subscribe(LiveTopics.Executions, "local", TimeSpan.Zero, batch => local.Writer.WriteAsync(batch).AsTask());
        using var otherSubscription = live.Subscribe(LiveTopics.Executions, "other", TimeSpan.Zero, batch => other.Writer.WriteAsync(batch).AsTask());

        var theirs = Publish("other");
        var ours = Publish("local");

        Assert.Equal([ours], Ids(await NextAsync(local)));
        Assert.Equal([theirs], Ids(await NextAsync(other)));
        Assert.False(local.Reader.TryRead(out _));
        Assert.False(other.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Disposing_stops_the_calls_including_a_batch_that_was_waiting()
    {
        var calls = Channel.CreateUnbounded<IReadOnlyList<ExecutionChange>>();
        var subscription = live.Subscribe(LiveTopics.Executions, "local", TimeSpan.FromMilliseconds(200), batch => calls.Writer.WriteAsync(batch).AsTask());
        Publish("local");
        await NextAsync(calls);
        Publish("local");

        subscription.Dispose();
        time.Advance(TimeSpan.FromSeconds(1));
        Publish("local");

        // A subscriber that is still there proves the channel delivered what it had by then.
        var witness = Channel.CreateUnbounded<IReadOnlyList<ExecutionChange>>();
        using var after = live.Subscribe(LiveTopics.Executions, "local", TimeSpan.Zero, batch => witness.Writer.WriteAsync(batch).AsTask());
        var last = Publish("local");
        Assert.Equal([last], Ids(await NextAsync(witness)));
        Assert.False(calls.Reader.TryRead(out _), "no call after dispose");
    }

    [Fact]
    public async Task Only_the_relevant_changes_reach_a_subscriber_and_a_failing_one_does_not_stop_the_others()
    {
        var calls = Channel.CreateUnbounded<IReadOnlyList<ExecutionChange>>();
        var wanted = Guid.NewGuid();
        using var failing = live.Subscribe<ExecutionChange>(LiveTopics.Executions, "local", TimeSpan.Zero, _ => throw new InvalidOperationException("a page failed"));
        using var subscription = live.Subscribe(LiveTopics.Executions, "local", TimeSpan.Zero, batch => calls.Writer.WriteAsync(batch).AsTask(), c => c.Execution.Id == wanted);

        Publish("local");
        Publish("local", wanted);

        Assert.Equal([wanted], Ids(await NextAsync(calls)));
    }

    [Fact]
    public async Task A_change_without_a_tenant_goes_to_every_tenant_and_a_tenants_own_change_only_to_it()
    {
        Action<(string? Tenant, int Number)>? publish = null;
        var topic = new LiveTopic<(string? Tenant, int Number)>("shared-test", c => c.Tenant, (_, p) =>
        {
            publish = p;
            return new CancellationTokenSource();
        });
        var local = Channel.CreateUnbounded<IReadOnlyList<(string? Tenant, int Number)>>();
        var other = Channel.CreateUnbounded<IReadOnlyList<(string? Tenant, int Number)>>();
        using var localSubscription = live.Subscribe(topic, "local", TimeSpan.Zero, batch => local.Writer.WriteAsync(batch).AsTask());
        using var otherSubscription = live.Subscribe(topic, "other", TimeSpan.Zero, batch => other.Writer.WriteAsync(batch).AsTask());

        publish!(("other", 1));
        Assert.Equal([("other", 1)], await NextAsync(other));
        publish(((string?)null, 2));
        Assert.Equal([((string?)null, 2)], await NextAsync(local));
        Assert.Equal([((string?)null, 2)], await NextAsync(other));
        Assert.False(local.Reader.TryRead(out _), "tenant local never saw the other tenant's change");
    }

    public void Dispose()
    {
        live.Dispose();
        services.Dispose();
    }

    private Guid Publish(string tenant, Guid? id = null)
    {
        var record = new ExecutionRecord(id ?? Guid.NewGuid(), tenant, "demo_long_task", "Handler", null, null, ExecutionStatus.Running, 0, null, 1, null, null, "{}", time.GetUtcNow(), null, null);
        feed.Publish(new ExecutionChange(record, null));
        return record.Id;
    }

    private static Guid[] Ids(IReadOnlyList<ExecutionChange> batch) => [.. batch.Select(c => c.Execution.Id)];

    private static async Task<T> NextAsync<T>(Channel<T> calls)
    {
        using var timeout = new CancellationTokenSource(Wait);
        return await calls.Reader.ReadAsync(timeout.Token);
    }
}
