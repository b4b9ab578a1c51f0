using Agent.Data;
using Agent.Domain.Configuration;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Agent.Web.Components.Pages;
using Agent.Web.Tests.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Agent.Web.Tests;

/// <summary>
/// The Tokens page's view model on the real stores (a temp SQLite file): the chart's days without gaps, totals, models
/// and the top sessions of the caller's tenant only, with a title for each.
/// </summary>
public sealed class TokensViewModelTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 15, 30, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly ServiceProvider services;

    public TokensViewModelTests()
    {
        var collection = new ServiceCollection();
        collection.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        collection.AddSingleton(Options.Create(new AgentOptions { Telemetry = { ChartDays = 3, Currency = "EUR" } }));
        collection.AddAgentData(TestPaths.NewDatabasePath());
        collection.AddTransient<TokensViewModel>();
        services = collection.BuildServiceProvider();
        services.GetRequiredService<AgentDatabase>().InitializeAsync(None).GetAwaiter().GetResult();
    }

    [Fact]
    public async Task The_range_has_every_day_and_only_the_callers_usage_with_titles_for_its_top_sessions()
    {
        var trip = await AddSessionAsync("local", "Trip plans");
        var budget = await AddSessionAsync("local", "Budget");
        var theirs = await AddSessionAsync("other", "Their chat");
        await AddReplyAsync(trip, Now.AddDays(-2), new TokenUsage(1000, 200, 0, 0, "gpt-4o-mini", "openai"));
        await AddReplyAsync(budget, Now, new TokenUsage(50, 10, 0, 0, "claude-sonnet", "anthropic"));
        await AddReplyAsync(trip, Now.AddDays(-5), new TokenUsage(9999, 9999, 0, 0, "gpt-4o-mini", "openai")); // before the range
        await AddReplyAsync(theirs, Now, new TokenUsage(7777, 7777, 0, 0, "their-model", "openai"));
        await AddReplyAsync(budget, Now.AddDays(-1), new TokenUsage(5, 5, 0, 0, "claude-sonnet", "anthropic"));

        var snapshot = await services.GetRequiredService<TokensViewModel>().LoadAsync("local", None);

        Assert.Equal((new DateOnly(2026, 12, 5), new DateOnly(2026, 12, 7), "EUR"), (snapshot.From, snapshot.To, snapshot.Currency));
        Assert.Equal(["12-05", "12-06", "12-07"], snapshot.Days.Select(d => d.Label));
        Assert.Equal([1200L, 10L, 60L], snapshot.Days.Select(d => d.Usage.InputTokens + d.Usage.OutputTokens));
        Assert.Equal((1055L, 215L, 3), (snapshot.Total.InputTokens, snapshot.Total.OutputTokens, snapshot.Total.Messages));
        Assert.Equal(["gpt-4o-mini", "claude-sonnet"], snapshot.Models.Select(m => m.Key));
        Assert.Equal(["Trip plans", "Budget"], snapshot.TopSessions.Select(s => s.Title));
        Assert.DoesNotContain(snapshot.TopSessions, s => s.Id == theirs.Id);
    }

    [Fact]
    public async Task Another_tenant_sees_none_of_it_and_an_empty_range_is_all_zero_days()
    {
        var trip = await AddSessionAsync("local", "Trip plans");
        await AddReplyAsync(trip, Now, new TokenUsage(1000, 200, 0, 0, "gpt-4o-mini", "openai"));

        var snapshot = await services.GetRequiredService<TokensViewModel>().LoadAsync("other", None);

        Assert.Equal(3, snapshot.Days.Count);
        Assert.All(snapshot.Days, d => Assert.Equal(0, d.Usage.Messages));
        Assert.Equal(0, snapshot.Total.Messages);
        Assert.Empty(snapshot.Models);
        Assert.Empty(snapshot.TopSessions);
    }

    public ValueTask DisposeAsync() => services.DisposeAsync();

    private async Task<ChatSession> AddSessionAsync(string tenant, string title)
    {
        var session = new ChatSession(Guid.NewGuid(), tenant, title, "openai", "gpt-4o-mini", null, null, Now, Now);
        await services.GetRequiredService<ISessionStore>().AddAsync(session, None);
        return session;
    }

    private async Task AddReplyAsync(ChatSession session, DateTimeOffset at, TokenUsage usage) =>
        await services.GetRequiredService<IMessageStore>().AddAsync(
            new SessionMessage
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
                ProviderName = usage.Provider,
                ModelId = usage.Model,
            },
            None);
}
