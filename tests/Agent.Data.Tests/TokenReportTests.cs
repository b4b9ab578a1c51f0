using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Data.Tests;

public sealed class TokenReportTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset From = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = From.AddDays(2);
    private static readonly CancellationToken None = CancellationToken.None;

    private static readonly PriceTable Prices = new("2026-11", new Dictionary<(string, string), ModelPrice>
    {
        [("openai", "gpt-4o-mini")] = new(0.15m, 0.60m, 0.075m),
        [("anthropic", "claude-sonnet")] = new(3m, 15m),
    });

    [Fact]
    public async Task Aggregates_and_cost_per_group_are_summed_by_the_database_file()
    {
        await using var db = new TempDatabase();
        var a = Session("local");
        var b = Session("local");
        var other = Session("other");
        await using (var services = await db.OpenInitializedAsync())
        {
            var sessions = services.GetRequiredService<ISessionStore>();
            foreach (var s in new[] { a, b, other })
            {
                await sessions.AddAsync(s, None);
            }

            var messages = services.GetRequiredService<IMessageStore>();
            foreach (var m in new[]
            {
                Priced(Reply(a, T0, new TokenUsage(1000, 200, 400, 50, "gpt-4o-mini", "openai")), Prices), // (600*0.15 + 400*0.075 + 200*0.6)/1e6 = 0.00024
                Priced(Reply(b, T0.AddDays(1), new TokenUsage(2000, 100, 0, 0, "gpt-4o-mini", "openai")), Prices), // 0.00036
                Priced(Reply(a, T0.AddMinutes(5), new TokenUsage(10_000, 1000, 0, 0, "claude-sonnet", "anthropic")), Prices), // 0.045
                Reply(a, T0.AddMinutes(6), new TokenUsage(5, 5, 0, 0, "unknown-model", "openai")), // an old or unpriced row: cost null
                Reply(a, T0.AddMinutes(7), null), // no usage reported: not counted
                Reply(a, T0.AddMinutes(8), new TokenUsage(7, 7, 0, 0, "gpt-4o-mini", "openai")) with { Role = MessageRole.User },
                Priced(Reply(a, T0.AddDays(-10), new TokenUsage(9, 9, 0, 0, "gpt-4o-mini", "openai")), Prices), // out of range
                Priced(Reply(other, T0, new TokenUsage(9, 9, 0, 0, "gpt-4o-mini", "openai")), Prices), // another tenant
            })
            {
                await messages.AddAsync(m, None);
            }
        }

        SqliteConnection.ClearAllPools();
        await using var reopened = db.OpenServices();
        var reports = reopened.GetRequiredService<ITokenReportStore>();

        var byModel = await reports.AggregateAsync(new TokenQuery("local", From, To, TokenGrouping.Model), None);
        Assert.Equal(
            [
                new TokenAggregate("claude-sonnet", 10_000, 1000, 0, 0, 0.045m, 1, 0),
                new TokenAggregate("gpt-4o-mini", 3000, 300, 400, 50, 0.0006m, 2, 0),
                new TokenAggregate("unknown-model", 5, 5, 0, 0, 0m, 1, 1),
            ],
            byModel.Groups);
        Assert.Equal(new TokenAggregate("total", 13_005, 1305, 400, 50, 0.0456m, 4, 1), byModel.Total);

        var byProvider = await reports.AggregateAsync(new TokenQuery("local", From, To, TokenGrouping.Provider), None);
        Assert.Equal(
            [
                new TokenAggregate("anthropic", 10_000, 1000, 0, 0, 0.045m, 1, 0),
                new TokenAggregate("openai", 3005, 305, 400, 50, 0.0006m, 3, 1),
            ],
            byProvider.Groups);
        Assert.Equal(byModel.Total, byProvider.Total);

        var byDay = await reports.AggregateAsync(new TokenQuery("local", From, To, TokenGrouping.Day), None);
        Assert.Equal(
            [
                new TokenAggregate("2026-11-22", 11_005, 1205, 400, 50, 0.04524m, 3, 1),
                new TokenAggregate("2026-11-23", 2000, 100, 0, 0, 0.00036m, 1, 0),
            ],
            byDay.Groups);

        var bySession = await reports.AggregateAsync(new TokenQuery("local", From, To, TokenGrouping.Session), None);
        Assert.Equal(2, bySession.Groups.Count);
        Assert.Equal(new TokenAggregate(a.Id.ToString(), 11_005, 1205, 400, 50, 0.04524m, 3, 1), bySession.Groups.Single(g => g.Key == a.Id.ToString()));
        Assert.Equal(new TokenAggregate(b.Id.ToString(), 2000, 100, 0, 0, 0.00036m, 1, 0), bySession.Groups.Single(g => g.Key == b.Id.ToString()));

        var empty = await reports.AggregateAsync(new TokenQuery("local", From.AddYears(1), To.AddYears(1), TokenGrouping.Model), None);
        Assert.Empty(empty.Groups);
        Assert.Equal(new TokenAggregate("total", 0, 0, 0, 0, 0m, 0, 0), empty.Total);
    }

    [Fact]
    public async Task A_price_change_leaves_the_cost_and_version_stored_on_older_messages()
    {
        await using var db = new TempDatabase();
        var session = Session("local");
        var usage = new TokenUsage(1_000_000, 1_000_000, 0, 0, "gpt-4o-mini", "openai");
        var raised = new PriceTable("2026-12", new Dictionary<(string, string), ModelPrice> { [("openai", "gpt-4o-mini")] = new(0.30m, 1.20m) });
        var before = Priced(Reply(session, T0, usage), Prices);
        var after = Priced(Reply(session, T0.AddMinutes(1), usage), raised);
        await using (var services = await db.OpenInitializedAsync())
        {
            await services.GetRequiredService<ISessionStore>().AddAsync(session, None);
            await services.GetRequiredService<IMessageStore>().AddAsync(before, None);
            await services.GetRequiredService<IMessageStore>().AddAsync(after, None);
        }

        SqliteConnection.ClearAllPools();
        await using var reopened = db.OpenServices();
        var messages = reopened.GetRequiredService<IMessageStore>();
        var oldRow = await messages.FindAsync("local", before.Id, None);
        var newRow = await messages.FindAsync("local", after.Id, None);
        Assert.Equal((0.75m, "2026-11"), (oldRow!.Cost!.Value, oldRow.PriceTableVersion));
        Assert.Equal((1.50m, "2026-12"), (newRow!.Cost!.Value, newRow.PriceTableVersion));

        var report = await reopened.GetRequiredService<ITokenReportStore>().AggregateAsync(new TokenQuery("local", From, To, TokenGrouping.Model), None);
        Assert.Equal(new TokenAggregate("gpt-4o-mini", 2_000_000, 2_000_000, 0, 0, 2.25m, 2, 0), Assert.Single(report.Groups));
    }

    [Fact]
    public async Task Estimates_timings_and_retries_are_stored_and_a_sessions_budget_query_sums_only_that_session()
    {
        await using var db = new TempDatabase();
        var a = Session("local");
        var b = Session("local");
        var estimated = Priced(Reply(a, T0, new TokenUsage(120, 30, 0, 0, "gpt-4o-mini", "openai", IsEstimate: true)), Prices) with { TotalTimeMs = 1234.5, Retries = 2 };
        await using (var services = await db.OpenInitializedAsync())
        {
            await services.GetRequiredService<ISessionStore>().AddAsync(a, None);
            await services.GetRequiredService<ISessionStore>().AddAsync(b, None);
            var messages = services.GetRequiredService<IMessageStore>();
            await messages.AddAsync(estimated, None);
            await messages.AddAsync(Priced(Reply(a, T0.AddMinutes(1), new TokenUsage(1000, 200, 0, 0, "gpt-4o-mini", "openai")), Prices), None);
            await messages.AddAsync(Priced(Reply(b, T0.AddMinutes(2), new TokenUsage(5000, 500, 0, 0, "gpt-4o-mini", "openai")), Prices), None);
        }

        SqliteConnection.ClearAllPools();
        await using var reopened = db.OpenServices();
        var stored = await reopened.GetRequiredService<IMessageStore>().FindAsync("local", estimated.Id, None);
        Assert.True(stored!.Usage!.IsEstimate);
        Assert.Equal((1234.5, 2), (stored.TotalTimeMs!.Value, stored.Retries!.Value));

        var reports = reopened.GetRequiredService<ITokenReportStore>();
        var all = await reports.AggregateAsync(new TokenQuery("local", From, To, TokenGrouping.Day), None);
        Assert.Equal((6120L, 730L, 3, 1), (all.Total.InputTokens, all.Total.OutputTokens, all.Total.Messages, all.Total.EstimatedMessages));
        var onlyA = await reports.AggregateAsync(new TokenQuery("local", DateTimeOffset.UnixEpoch, To, TokenGrouping.Session, a.Id), None);
        Assert.Equal(new TokenAggregate(a.Id.ToString(), 1120, 230, 0, 0, onlyA.Total.Cost, 2, 0, 1), Assert.Single(onlyA.Groups));
        Assert.True(onlyA.Total.Cost > 0);
    }

    private static SessionMessage Priced(SessionMessage message, PriceTable prices)
    {
        var cost = prices.Price(message.Usage);
        Assert.NotNull(cost);
        return message with { Cost = cost.Amount, PriceTableVersion = cost.PriceTableVersion };
    }

    private static ChatSession Session(string tenant) => new(Guid.NewGuid(), tenant, "Test", "openai", "gpt-4o-mini", null, null, T0, T0);

    private static SessionMessage Reply(ChatSession session, DateTimeOffset at, TokenUsage? usage) => new()
    {
        Id = Guid.NewGuid(),
        SessionId = session.Id,
        TenantId = session.TenantId,
        Role = MessageRole.Assistant,
        Parts = [new TextPart("reply")],
        Status = MessageStatus.Complete,
        CreatedAt = at,
        UpdatedAt = at,
        Usage = usage,
        ProviderName = usage?.Provider,
        ModelId = usage?.Model,
    };
}
