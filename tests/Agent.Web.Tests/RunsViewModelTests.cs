using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Runtime.Runtime;
using Agent.Web.Components.Pages;
using Agent.Web.Components.Shared;
using Agent.Web.Services;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Agent.Web.Tests;

/// <summary>The Runs page's words for a run (intent, status, when, how long) and its view model's page, titles and filters.</summary>
public sealed class RunsViewModelTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 15, 30, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    private static FakeTimeProvider Clock()
    {
        var clock = new FakeTimeProvider(Now);
        clock.SetLocalTimeZone(TimeZoneInfo.Utc);
        return clock;
    }

    [Theory]
    [InlineData(10, "just now")]
    [InlineData(120, "2 min ago")]
    [InlineData(59 * 60, "59 min ago")]
    [InlineData(3 * 3600, "3 h ago")]
    public void Relative_times_count_back_from_now_within_the_day(int secondsAgo, string expected) =>
        Assert.Equal(expected, RunFormat.Relative(Now.AddSeconds(-secondsAgo), Clock()));

    [Fact]
    public void Relative_times_name_yesterday_the_week_day_and_then_the_date()
    {
        var clock = Clock();
        Assert.Equal("yesterday 14:05", RunFormat.Relative(new DateTimeOffset(2026, 12, 6, 14, 5, 0, TimeSpan.Zero), clock));
        Assert.Equal("Thu 09:00", RunFormat.Relative(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero), clock));
        Assert.Equal("3 Nov 09:00", RunFormat.Relative(new DateTimeOffset(2026, 11, 3, 9, 0, 0, TimeSpan.Zero), clock));
        Assert.Equal("3 Nov 2025", RunFormat.Relative(new DateTimeOffset(2025, 11, 3, 9, 0, 0, TimeSpan.Zero), clock));
        Assert.Equal("2026-12-06 14:05:00 +00:00", RunFormat.Full(new DateTimeOffset(2026, 12, 6, 14, 5, 0, TimeSpan.Zero), clock));
    }

    [Theory]
    [InlineData(1200, "1.2 s")]
    [InlineData(184_000, "3 min 4 s")]
    [InlineData(120_000, "2 min")]
    [InlineData(3_720_000, "1 h 2 min")]
    public void Durations_read_as_words(int milliseconds, string expected) =>
        Assert.Equal(expected, RunFormat.Span(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void A_run_not_ended_is_running_for_its_time_so_far_and_one_not_started_has_no_duration()
    {
        var clock = Clock();
        Assert.Equal("running for 1 min 5 s", RunFormat.Duration(Run(ExecutionStatus.Running, started: Now.AddSeconds(-65)), clock));
        Assert.Equal("4.5 s", RunFormat.Duration(Run(ExecutionStatus.Completed, started: Now.AddSeconds(-10), ended: Now.AddSeconds(-5.5)), clock));
        Assert.Equal("–", RunFormat.Duration(Run(ExecutionStatus.Queued), clock));
    }

    [Fact]
    public void Intents_read_as_words_and_unknown_ones_in_sentence_case()
    {
        Assert.Equal("Reply in chat", RunFormat.Intent("send_message"));
        Assert.Equal("Team task", RunFormat.Intent("run_team_task"));
        Assert.Equal("Compaction", RunFormat.Intent("compact_session"));
        Assert.Equal("Rebuild search index", RunFormat.Intent("REBUILD_search-index"));
        Assert.Equal(["send_message"], RunFormat.IntentsMatching("reply"));
    }

    [Fact]
    public async Task A_page_titles_its_runs_by_their_sessions_in_one_lookup()
    {
        var session = new ChatSession(Guid.NewGuid(), "local", "Plan the trip", "p", "m", null, null, Now, Now);
        var other = new ChatSession(Guid.NewGuid(), "other", "Someone else's", "p", "m", null, null, Now, Now);
        var sessions = new FakeSessionStore(session, other);
        var reply = Run(ExecutionStatus.Completed, session: session.Id, intent: "send_message");
        var stranger = Run(ExecutionStatus.Completed, session: other.Id, intent: "send_message");
        var diagnostic = Run(ExecutionStatus.Running, intent: "demo_long_task", started: Now);
        var executions = new FakeExecutionStore(reply, stranger, diagnostic);
        var model = new RunsViewModel(new LocalTenant(), executions, sessions, NullLogger<RunsViewModel>.Instance);
        Assert.Equal(PanelStateKind.Loading, model.State);

        await model.LoadAsync(0, 25, None);

        Assert.Equal(1, sessions.TitleQueries);
        Assert.Equal(PanelStateKind.Ready, model.State);
        Assert.Equal(["Plan the trip", "Reply in chat", "Diagnostic task"], model.Page.Select(r => r.Title));
        Assert.Equal("Reply in chat", model.Page[1].Intent);
        Assert.True(model.AnyRunning);
        Assert.Equal("3 runs · 1 running on this page", model.Badge);
    }

    [Fact]
    public async Task Filters_go_to_the_store_and_a_filtered_empty_page_is_not_the_empty_state()
    {
        var executions = new FakeExecutionStore();
        var model = new RunsViewModel(new LocalTenant(), executions, new FakeSessionStore(), NullLogger<RunsViewModel>.Instance);

        await model.LoadAsync(0, 25, None);
        Assert.Equal(PanelStateKind.Empty, model.State);

        Assert.True(model.SetStatus(ExecutionStatus.Failed));
        Assert.True(model.SetText("  reply "));
        Assert.False(model.SetText("reply"));
        await model.LoadAsync(1, 10, None);

        var (filter, skip, take) = executions.Last!.Value;
        Assert.Equal(ExecutionStatus.Failed, filter.Status);
        Assert.Equal("reply", filter.Text);
        Assert.Equal(["send_message"], filter.Intents!);
        Assert.Equal((10, 10), (skip, take));
        Assert.Equal(PanelStateKind.Ready, model.State);
        Assert.Equal("0 runs match · 0 running on this page", model.Badge);
    }

    [Fact]
    public async Task A_pushed_change_updates_its_row_in_place_and_a_new_run_asks_for_a_reload()
    {
        var running = Run(ExecutionStatus.Running, intent: "demo_long_task", started: Now);
        var model = new RunsViewModel(new LocalTenant(), new FakeExecutionStore(running), new FakeSessionStore(), NullLogger<RunsViewModel>.Instance);
        await model.LoadAsync(0, 25, None);
        var row = model.Page[0];

        Assert.False(model.Push(new ExecutionChange(running with { TenantId = "other", Status = ExecutionStatus.Cancelled }, null)));
        Assert.True(model.Push(new ExecutionChange(running with { Status = ExecutionStatus.Cancelled, EndedAt = Now }, null)));
        Assert.False(model.ApplyPushed());
        Assert.Same(row, model.Page[0]);
        Assert.Equal(ExecutionStatus.Cancelled, row.Record.Status);

        Assert.True(model.Push(new ExecutionChange(Run(ExecutionStatus.Queued), null)));
        Assert.True(model.ApplyPushed());
    }

    [Fact]
    public async Task A_failed_read_is_the_error_state()
    {
        var model = new RunsViewModel(new LocalTenant(), new FakeExecutionStore(failure: new InvalidOperationException("disk gone")), new FakeSessionStore(), NullLogger<RunsViewModel>.Instance);

        await model.LoadAsync(0, 25, None);

        Assert.Equal(PanelStateKind.Error, model.State);
        Assert.Equal("The runs could not be loaded: disk gone", model.StateMessage);
    }

    private static ExecutionRecord Run(ExecutionStatus status, Guid? session = null, string intent = "demo_long_task", DateTimeOffset? started = null, DateTimeOffset? ended = null) =>
        new(Guid.NewGuid(), "local", intent, "Handler", session, null, status, 0, null, 1, null, null, "{}", Now, started, ended);

    private sealed class LocalTenant : ICurrentTenant
    {
        public string TenantId => "local";
    }

    /// <summary>Executions of every tenant; a page is the caller's (status filtered here, the text filter only recorded).</summary>
    private sealed class FakeExecutionStore(params ExecutionRecord[] records) : IExecutionStore
    {
        private readonly Exception? failure;

        public FakeExecutionStore(Exception failure)
            : this()
        {
            this.failure = failure;
        }

        public (ExecutionFilter Filter, int Skip, int Take)? Last { get; private set; }

        public Task<ExecutionPage> PageAsync(string tenantId, ExecutionFilter filter, int skip, int take, CancellationToken cancellationToken)
        {
            if (failure is not null)
            {
                throw failure;
            }

            Last = (filter, skip, take);
            var items = records.Where(r => r.TenantId == tenantId && (filter.Status is null || r.Status == filter.Status)).ToList();
            return Task.FromResult(new ExecutionPage([.. items.Skip(skip).Take(take)], items.Count));
        }

        public Task AddAsync(ExecutionRecord record, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task UpdateAsync(ExecutionRecord record, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ExecutionRecord?> FindAsync(string tenantId, Guid executionId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ExecutionRecord?> FindByIdempotencyKeyAsync(string tenantId, string idempotencyKey, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ExecutionRecord>> ListAsync(string tenantId, int skip, int take, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ExecutionRecord>> ListByStatusAsync(IReadOnlyCollection<ExecutionStatus> statuses, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
