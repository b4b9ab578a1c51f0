using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Runtime.Services;
using Agent.Web.Components.Chat;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

/// <summary>
/// The chat's transcript window on the real host and SQLite: it opens at the newest page, holds at most
/// <see cref="ChatSessionViewModel.MaxShown"/> messages however far back the reader goes, and reads the newer ones again.
/// </summary>
public sealed class TranscriptWindowViewModelTests
{
    private const int Length = 150;

    [Fact]
    public async Task The_window_stays_bounded_going_back_and_comes_forward_again_to_the_newest_message()
    {
        await using var app = new AgentAppFactory();
        var (session, ids) = await SeedAsync(app);
        using var scope = app.Services.CreateScope();
        var model = scope.ServiceProvider.GetRequiredService<ChatSessionViewModel>();

        await model.LoadAsync(session, CancellationToken.None);
        Assert.Equal(ids[^ChatSessionViewModel.PageSize..], model.Visible.Select(m => m.Id));
        Assert.True(model.HasOlder);
        Assert.False(model.HasNewer);

        // Back to the first message: never more than the bound, in branch order, the newest let go.
        while (model.HasOlder)
        {
            Assert.True(await model.ShowOlderAsync(CancellationToken.None));
            Assert.InRange(model.Visible.Count, 1, ChatSessionViewModel.MaxShown);
            AssertInOrder(ids, model.Visible);
        }

        Assert.Equal(ids[..ChatSessionViewModel.MaxShown], model.Visible.Select(m => m.Id));
        Assert.True(model.HasNewer);

        // Forward again page by page to the newest message.
        while (model.HasNewer)
        {
            Assert.True(await model.ShowNewerAsync(CancellationToken.None));
            Assert.InRange(model.Visible.Count, 1, ChatSessionViewModel.MaxShown);
            AssertInOrder(ids, model.Visible);
        }

        Assert.Equal(ids[^1], model.Visible[^1].Id);
        Assert.True(model.HasOlder);
        Assert.False(await model.ShowNewerAsync(CancellationToken.None));

        // Going back a little and jumping to the newest reads the end again.
        await model.ShowOlderAsync(CancellationToken.None);
        await model.ShowOlderAsync(CancellationToken.None);
        Assert.True(model.HasNewer);
        await model.ReloadAsync(CancellationToken.None);
        Assert.False(model.HasNewer);
        Assert.Equal(ids[^1], model.Visible[^1].Id);
        Assert.InRange(model.Visible.Count, ChatSessionViewModel.PageSize, ChatSessionViewModel.MaxShown);
    }

    private static void AssertInOrder(IReadOnlyList<Guid> ids, IReadOnlyList<SessionMessage> shown)
    {
        var start = ids.ToList().IndexOf(shown[0].Id);
        Assert.Equal(ids.Skip(start).Take(shown.Count), shown.Select(m => m.Id));
    }

    private static async Task<(ChatSession Session, List<Guid> Ids)> SeedAsync(AgentAppFactory app)
    {
        var session = await app.Services.GetRequiredService<SessionService>().CreateAsync("local", "long", CancellationToken.None);
        var messages = app.Services.GetRequiredService<IMessageStore>();
        var ids = new List<Guid>();
        var at = DateTimeOffset.UtcNow.AddHours(-1);
        for (var i = 0; i < Length; i++)
        {
            var message = new SessionMessage
            {
                Id = Guid.NewGuid(),
                SessionId = session.Id,
                TenantId = "local",
                ParentId = ids.Count > 0 ? ids[^1] : null,
                Role = i % 2 == 0 ? MessageRole.User : MessageRole.Assistant,
                Parts = [new TextPart($"message {i}")],
                Status = MessageStatus.Complete,
                CreatedAt = at.AddSeconds(i),
                UpdatedAt = at.AddSeconds(i),
            };
            await messages.AddAsync(message, CancellationToken.None);
            ids.Add(message.Id);
        }

        var sessions = app.Services.GetRequiredService<ISessionStore>();
        var stored = (await sessions.FindAsync("local", session.Id, CancellationToken.None))! with { ActiveLeafId = ids[^1] };
        await sessions.UpdateAsync(stored, CancellationToken.None);
        return (stored, ids);
    }
}
