using Agent.Domain.Memory;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Runtime.Clients.Deterministic;
using Agent.Runtime.Memories;
using Agent.Runtime.Runtime;
using Agent.Web.Tests.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

/// <summary>The summarize_day execution on the real host and SQLite file: one episode per session of the day, written again not twice.</summary>
public sealed class EpisodeJobTests
{
    private static readonly DateOnly Day = new(2026, 11, 20);
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Summarize_day_writes_one_labelled_episode_per_session_replaces_it_on_a_rerun_and_reports_a_blocked_provider()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();
        var at = new DateTimeOffset(Day.ToDateTime(new TimeOnly(15, 0)), TimeSpan.Zero);
        var garden = await SeedSessionAsync(app, "Garden", "deterministic", at, "Plant the tulip bulbs in October.", "Tulips go 15 cm deep.");
        var blocked = await SeedSessionAsync(app, "Offline plan", "openai", at, "Plan the trip to Oslo.", "Take the night train.");
        await SeedSessionAsync(app, "Another day", "deterministic", at.AddDays(-1), "Yesterday's chat.", "Not part of this day.");

        var first = await RunAsync(app, client, "first");
        Assert.True(first.Is("completed"), first.Shown);
        var memory = app.Services.GetRequiredService<IMemoryStore>();
        var episode = await memory.FindEpisodeAsync("local", garden, Day, None);
        Assert.NotNull(episode);
        Assert.Equal((MemoryTier.DailyEpisode, MemorySource.Session, "2026-11-20 · Garden"), (episode.Tier, episode.Source, episode.Title));
        Assert.StartsWith(DeterministicChatClient.Label + " Extractive summary", episode.Content, StringComparison.Ordinal);
        Assert.Contains("Person: Plant the tulip bulbs in October.", episode.Content, StringComparison.Ordinal);
        Assert.Null(await memory.FindEpisodeAsync("local", blocked, Day, None));
        var events = await client.EventsAsync(first.Id);
        var failed = Assert.Single(events, e => e.EventType == "memory.episode_failed");
        Assert.Contains("OPENAI_API_KEY", failed.PayloadJson, StringComparison.Ordinal);
        Assert.Single((await memory.ListAsync("local", MemoryTier.DailyEpisode, 0, 10, None)));

        // A second run (another key: a person's retry of the day) replaces the episode instead of adding one.
        var second = await RunAsync(app, client, "second");
        Assert.True(second.Is("completed"), second.Shown);
        var again = Assert.Single(await memory.ListAsync("local", MemoryTier.DailyEpisode, 0, 10, None));
        Assert.Equal(episode.Id, again.Id);

        // The episode is recalled in another conversation.
        var recalled = await app.Services.GetRequiredService<IMemoryRecall>().RecallAsync("local", "how deep do tulip bulbs go", 5, None);
        Assert.Contains(recalled, r => r.Item.Id == episode.Id);
    }

    [Fact]
    public async Task A_day_whose_every_summary_fails_is_a_failed_execution_that_says_why()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();
        await SeedSessionAsync(app, "Offline plan", "openai", new DateTimeOffset(Day.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero), "Plan the trip.", "Sure.");

        var run = await RunAsync(app, client, "only");
        Assert.True(run.Is("failed"), run.Shown);
        Assert.Contains("No episode could be written for 2026-11-20; the messages are kept.", run.Error, StringComparison.Ordinal);
    }

    private static async Task<ExecutionBody> RunAsync(AgentAppFactory app, HttpClient client, string key)
    {
        var submitted = await app.Services.GetRequiredService<ExecutionRuntime>().SubmitAsync(
            new ExecutionRequest(SummarizeDayIntent.Name, "local", null, null, new Dictionary<string, string> { [SummarizeDayIntent.DayKey] = "2026-11-20" }, $"test:{key}"), None);
        return await client.WaitForAsync(submitted.Execution.Id, r => r.Is("completed") || r.Is("failed"), "ended");
    }

    private static async Task<Guid> SeedSessionAsync(AgentAppFactory app, string title, string provider, DateTimeOffset at, string person, string agent)
    {
        var session = new ChatSession(Guid.NewGuid(), "local", title, provider, provider == "openai" ? "gpt-4o-mini" : "scripted-echo", null, null, at, at);
        await app.Services.GetRequiredService<ISessionStore>().AddAsync(session, None);
        var messages = app.Services.GetRequiredService<IMessageStore>();
        var user = Message(session.Id, null, MessageRole.User, person, at);
        await messages.AddAsync(user, None);
        await messages.AddAsync(Message(session.Id, user.Id, MessageRole.Assistant, agent, at.AddSeconds(5)), None);
        return session.Id;
    }

    private static SessionMessage Message(Guid sessionId, Guid? parent, MessageRole role, string text, DateTimeOffset at) => new()
    {
        Id = Guid.NewGuid(),
        SessionId = sessionId,
        TenantId = "local",
        ParentId = parent,
        Role = role,
        Parts = [new TextPart(text)],
        Status = MessageStatus.Complete,
        CreatedAt = at,
        UpdatedAt = at,
    };
}
