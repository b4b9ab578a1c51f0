using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Runtime.Memories;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Agent.Web.Tests;

/// <summary>
/// The daily episode job on the real host and SQLite file, driven by a clock the test advances: every tenant's days with
/// messages get one summarize_day execution each, days missed while the timer did not fire are caught up, days older than
/// the catch-up bound are left alone, and no tenant and day is ever submitted twice.
/// </summary>
public sealed class EpisodeSchedulerTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Each_tenant_gets_one_summarize_day_per_day_with_messages_and_missed_days_are_caught_up_after_downtime()
    {
        var clock = new WatchedClock(At(20, 12));
        await using var app = new AgentAppFactory()
            .WithSetting("Agent:Providers:0:ChunkDelayMs", "0")
            .WithServices(services => services.AddSingleton<TimeProvider>(clock));
        _ = app.Services; // starts the host: the scheduler's first pass runs on an empty database
        var local = await SeedSessionAsync(app, "local", "Local chat");
        var bob = await SeedSessionAsync(app, "bob", "Bob's chat");
        await SeedTurnAsync(app, local, At(12, 9)); // 8 days before 20 Nov: beyond the catch-up bound of every pass below
        await SeedTurnAsync(app, local, At(18, 9));
        await SeedTurnAsync(app, local, At(20, 9));
        await SeedTurnAsync(app, local, At(23, 9));
        await SeedTurnAsync(app, bob, At(19, 22));
        await SeedTurnAsync(app, bob, At(20, 8));
        await SeedTurnAsync(app, bob, At(21, 10));
        await SeedTurnAsync(app, bob, At(22, 10));

        // 21 Nov 00:10: the daily pass looks at 14-20 Nov (once the first pass waits for it).
        await clock.WhenTimersAsync(1);
        clock.Advance(At(21, 0).AddMinutes(10) - clock.GetUtcNow());
        var daily = await WaitForDaysAsync(app, [("bob", 19), ("bob", 20), ("local", 18), ("local", 20)]);

        // The server sleeps through 22 and 23 Nov: the timer fires late, on 24 Nov, and the pass catches up 21-23 Nov.
        await clock.WhenTimersAsync(2);
        clock.Advance(At(24, 0).AddMinutes(10) - clock.GetUtcNow());
        var caughtUp = await WaitForDaysAsync(app, [("bob", 19), ("bob", 20), ("bob", 21), ("bob", 22), ("local", 18), ("local", 20), ("local", 23)]);
        foreach (var (key, id) in daily)
        {
            Assert.Equal(id, caughtUp[key]); // the earlier days were not submitted again
        }

        // A pass run again (a restart on the same day) names the same executions instead of adding any.
        var scheduler = app.Services.GetServices<IHostedService>().OfType<EpisodeScheduler>().Single();
        var again = await scheduler.SubmitDueAsync(None);
        Assert.Equal(caughtUp.OrderBy(p => p.Key).Select(p => p.Value), again.Where(d => d.Day > new DateOnly(2026, 11, 16)).OrderBy(d => (d.TenantId, d.Day.Day)).Select(d => d.ExecutionId));
        Assert.Equal(caughtUp.Count, (await SummarizeDayExecutionsAsync(app)).Count);

        // Each execution ran as its own tenant and wrote that tenant's episode.
        var executions = app.Services.GetRequiredService<IExecutionStore>();
        var memory = app.Services.GetRequiredService<IMemoryStore>();
        var bobsDay = await WaitForEndAsync(executions, "bob", caughtUp[("bob", 22)]);
        Assert.Equal(ExecutionStatus.Completed, bobsDay.Status);
        Assert.NotNull(await memory.FindEpisodeAsync("bob", bob.Id, new DateOnly(2026, 11, 22), None));
        Assert.Null(await memory.FindEpisodeAsync("local", bob.Id, new DateOnly(2026, 11, 22), None));
        Assert.Equal(ExecutionStatus.Completed, (await WaitForEndAsync(executions, "local", caughtUp[("local", 23)])).Status);
        Assert.NotNull(await memory.FindEpisodeAsync("local", local.Id, new DateOnly(2026, 11, 23), None));
        Assert.Null(await memory.FindEpisodeAsync("local", local.Id, new DateOnly(2026, 11, 12), None));
    }

    /// <summary>
    /// A fake clock that tells how many waits for the next daily pass were started on it: timers due hours away. Every
    /// execution also starts a timer on this clock, its timeout (30 minutes for summarize_day); counting those too
    /// let the test move the clock before the scheduler was waiting, so the catch-up pass never came (seen once in CI).
    /// </summary>
    private sealed class WatchedClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private static readonly TimeSpan HoursAway = TimeSpan.FromHours(6);
        private int timers;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime >= HoursAway && dueTime != Timeout.InfiniteTimeSpan)
            {
                Interlocked.Increment(ref timers);
            }

            return base.CreateTimer(callback, state, dueTime, period);
        }

        public async Task WhenTimersAsync(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Volatile.Read(ref timers) < count && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.True(Volatile.Read(ref timers) >= count, $"{count} timers were expected on the clock; {timers} were started.");
        }
    }

    private static DateTimeOffset At(int day, int hour) => new(2026, 11, day, hour, 0, 0, TimeSpan.Zero);

    /// <summary>Waits until the summarize_day executions are exactly the expected tenant and day pairs (one each); returns their ids.</summary>
    private static async Task<Dictionary<(string Tenant, int Day), Guid>> WaitForDaysAsync(AgentAppFactory app, (string Tenant, int Day)[] expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<ExecutionRecord> found;
        do
        {
            found = await SummarizeDayExecutionsAsync(app);
            if (found.Count >= expected.Length)
            {
                break;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        var byDay = found.Select(e => (Key: (e.TenantId, DateOnly.ParseExact(e.IdempotencyKey![(SummarizeDayIntent.Name.Length + 1)..], "yyyy-MM-dd").Day), e.Id)).ToList();
        Assert.Equal(expected.Order(), byDay.Select(d => d.Key).Order());
        return byDay.ToDictionary(d => d.Key, d => d.Id);
    }

    private static async Task<List<ExecutionRecord>> SummarizeDayExecutionsAsync(AgentAppFactory app)
    {
        var executions = app.Services.GetRequiredService<IExecutionStore>();
        var all = new List<ExecutionRecord>();
        foreach (var tenant in new[] { "local", "bob" })
        {
            all.AddRange((await executions.ListAsync(tenant, 0, 1000, None)).Where(e => e.Intent == SummarizeDayIntent.Name));
        }

        return all;
    }

    private static async Task<ExecutionRecord> WaitForEndAsync(IExecutionStore executions, string tenantId, Guid id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var record = await executions.FindAsync(tenantId, id, None) ?? throw new Xunit.Sdk.XunitException($"Execution {id} of {tenantId} is missing.");
            if (record.Status is ExecutionStatus.Completed or ExecutionStatus.Failed or ExecutionStatus.Cancelled || DateTime.UtcNow > deadline)
            {
                return record;
            }

            await Task.Delay(50);
        }
    }

    private static async Task<ChatSession> SeedSessionAsync(AgentAppFactory app, string tenantId, string title)
    {
        var at = At(1, 0);
        var session = new ChatSession(Guid.NewGuid(), tenantId, title, "deterministic", "scripted-echo", null, null, at, at);
        await app.Services.GetRequiredService<ISessionStore>().AddAsync(session, None);
        return session;
    }

    private static async Task SeedTurnAsync(AgentAppFactory app, ChatSession session, DateTimeOffset at)
    {
        var messages = app.Services.GetRequiredService<IMessageStore>();
        var user = Message(session, null, MessageRole.User, $"What is planned for {at:dd MMM}?", at);
        await messages.AddAsync(user, None);
        await messages.AddAsync(Message(session, user.Id, MessageRole.Assistant, $"On {at:dd MMM} we water the tulips.", at.AddSeconds(5)), None);
    }

    private static SessionMessage Message(ChatSession session, Guid? parent, MessageRole role, string text, DateTimeOffset at) => new()
    {
        Id = Guid.NewGuid(),
        SessionId = session.Id,
        TenantId = session.TenantId,
        ParentId = parent,
        Role = role,
        Parts = [new TextPart(text)],
        Status = MessageStatus.Complete,
        CreatedAt = at,
        UpdatedAt = at,
    };
}
