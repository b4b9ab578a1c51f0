using Agent.Domain.Sessions;
using Agent.Web.Components.Layout;

namespace Agent.Web.Tests;

/// <summary>The sidebar's headings by the local day of a chat's last activity, and the search mark cut into text runs.</summary>
public sealed class SessionGroupsTests
{
    // UTC+10: 01:30 on 7 Dec local is still 6 Dec in UTC, so a UTC day would put the chats under the wrong headings.
    private static readonly TimeZoneInfo Sydney = TimeZoneInfo.CreateCustomTimeZone("test+10", TimeSpan.FromHours(10), "test+10", "test+10");
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 1, 30, 0, TimeSpan.FromHours(10));

    [Fact]
    public void Sessions_fall_under_pinned_then_today_yesterday_previous_7_days_and_older_by_local_day()
    {
        var sessions = new[]
        {
            At("pinned old", Now.AddDays(-40), pinned: true),
            At("today early", new DateTimeOffset(2026, 12, 7, 0, 5, 0, TimeSpan.FromHours(10))),
            At("yesterday late", new DateTimeOffset(2026, 12, 6, 23, 50, 0, TimeSpan.FromHours(10))),
            At("two days", Now.AddDays(-2)),
            At("seven days", new DateTimeOffset(2026, 11, 30, 0, 1, 0, TimeSpan.FromHours(10))),
            At("eight days", new DateTimeOffset(2026, 11, 29, 23, 59, 0, TimeSpan.FromHours(10))),
        };

        var groups = SessionGroups.Of(sessions, Now, Sydney);

        Assert.Equal(
            [("pinned", "Pinned", "pinned old"), ("today", "Today", "today early"), ("yesterday", "Yesterday", "yesterday late"),
             ("previous-7-days", "Previous 7 days", "two days, seven days"), ("older", "Older", "eight days")],
            groups.Select(g => (g.Slug, g.Title, string.Join(", ", g.Sessions.Select(s => s.Title)))));
        Assert.Empty(SessionGroups.Of([], Now, Sydney));
    }

    [Theory]
    [InlineData("Budget memo for March", "memo", "Budget |[memo]| for March")]
    [InlineData("Memo about MEMOS", "memo", "[Memo]| about |[MEMO]|S")]
    [InlineData("<b>bold</b> plan", "<b>", "[<b>]|bold</b> plan")]
    [InlineData("Trip plans", "", "Trip plans")]
    [InlineData("Trip plans", "  plans ", "Trip |[plans]")]
    [InlineData("Trip plans", "budget", "Trip plans")]
    public void The_search_is_marked_in_the_title_ignoring_case(string title, string query, string expected)
    {
        var runs = TitleHighlight.Split(title, query);

        Assert.Equal(expected, string.Join("|", runs.Select(r => r.Match ? $"[{r.Text}]" : r.Text)));
        Assert.Equal(title, string.Concat(runs.Select(r => r.Text)));
    }

    private static ChatSession At(string title, DateTimeOffset updated, bool pinned = false) =>
        new(Guid.NewGuid(), "local", title, "deterministic", "scripted-echo", null, null, updated, updated.ToUniversalTime(), pinned);
}
