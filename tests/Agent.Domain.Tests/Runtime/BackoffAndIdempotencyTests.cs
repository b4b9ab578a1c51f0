using Agent.Domain.Runtime;

namespace Agent.Domain.Tests.Runtime;

public sealed class BackoffScheduleTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Without_jitter_delays_double_and_are_capped()
    {
        var schedule = new BackoffSchedule(new BackoffOptions(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(1000), 0), new Random(1), new ManualTimeProvider(Start));
        Assert.Equal(
            [100, 200, 400, 800, 1000, 1000],
            schedule.Plan(7).Select(d => d.TotalMilliseconds).ToArray());
    }

    [Fact]
    public void Jitter_stays_within_its_ratio_and_never_exceeds_the_cap()
    {
        var options = new BackoffOptions(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), 0.25);
        var schedule = new BackoffSchedule(options, new Random(42), new ManualTimeProvider(Start));
        for (var attempt = 1; attempt <= 12; attempt++)
        {
            var nominal = Math.Min(100 * Math.Pow(2, attempt - 1), 2000);
            var delay = schedule.DelayAfter(attempt).TotalMilliseconds;
            Assert.InRange(delay, nominal * 0.75, Math.Min(nominal * 1.25, 2000));
        }
    }

    [Fact]
    public void Same_seed_gives_the_same_schedule_and_due_times_follow_the_fake_clock()
    {
        var options = new BackoffOptions(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), 0.2);
        var clock = new ManualTimeProvider(Start);
        var a = new BackoffSchedule(options, new Random(7), clock).Plan(5);
        var b = new BackoffSchedule(options, new Random(7), clock).Plan(5);
        Assert.Equal(a, b);

        var schedule = new BackoffSchedule(options, new Random(7), clock);
        var first = schedule.NextAttemptAt(1);
        Assert.Equal(Start + a[0], first);
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(Start + TimeSpan.FromMinutes(5) + a[1], schedule.NextAttemptAt(2));
    }

    [Fact]
    public void Attempt_numbers_start_at_one()
    {
        var schedule = new BackoffSchedule(BackoffOptions.Default, new Random(1), new ManualTimeProvider(Start));
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.DelayAfter(0));
        Assert.Empty(schedule.Plan(1));
    }
}

public sealed class IdempotencyRulesTests
{
    private static ExecutionRecord Record(string tenant = "local", string intent = "demo", Guid? session = null) =>
        new(Guid.NewGuid(), tenant, intent, "H", session, null, ExecutionStatus.Running, 0.5, null, 1, null, "key-1", "{}", DateTimeOffset.UnixEpoch, null, null);

    [Fact]
    public void No_existing_execution_creates_new()
    {
        Assert.Equal(IdempotencyDecision.CreateNew, IdempotencyRules.Evaluate(null, "local", "demo", null).Decision);
    }

    [Fact]
    public void Same_key_same_request_returns_the_same_execution()
    {
        var existing = Record();
        var outcome = IdempotencyRules.Evaluate(existing, "local", "demo", null);
        Assert.Equal(IdempotencyDecision.ReturnExisting, outcome.Decision);
        Assert.Same(existing, outcome.Existing);
    }

    [Fact]
    public void Same_key_for_a_different_intent_or_session_conflicts()
    {
        var outcome = IdempotencyRules.Evaluate(Record(), "local", "other", null);
        Assert.Equal(IdempotencyDecision.Conflict, outcome.Decision);
        Assert.Contains("key-1", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(IdempotencyDecision.Conflict, IdempotencyRules.Evaluate(Record(session: Guid.NewGuid()), "local", "demo", null).Decision);
    }

    [Fact]
    public void Keys_are_per_tenant()
    {
        Assert.Equal(IdempotencyDecision.CreateNew, IdempotencyRules.Evaluate(Record(tenant: "a"), "b", "demo", null).Decision);
    }

    [Fact]
    public void Blank_or_too_long_keys_are_refused()
    {
        Assert.Null(IdempotencyRules.KeyProblem(null));
        Assert.Null(IdempotencyRules.KeyProblem("k"));
        Assert.NotNull(IdempotencyRules.KeyProblem(" "));
        Assert.NotNull(IdempotencyRules.KeyProblem(new string('k', 201)));
    }
}
