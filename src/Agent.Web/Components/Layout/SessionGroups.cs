using Agent.Domain.Sessions;

namespace Agent.Web.Components.Layout;

/// <summary>A heading of the sidebar and the sessions under it; <see cref="Slug"/> names it for tests and styles.</summary>
public sealed record SessionGroup(string Slug, string Title, IReadOnlyList<ChatSession> Sessions);

/// <summary>
/// Splits a list the way the sidebar shows it: pinned sessions first, then by the local day of their last activity
/// (today, yesterday, the 7 days before, older). The order within a group is the list's.
/// </summary>
public static class SessionGroups
{
    public static IReadOnlyList<SessionGroup> Of(IEnumerable<ChatSession> sessions, DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(zone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var buckets = new (string Slug, string Title, List<ChatSession> Items)[]
        {
            ("pinned", "Pinned", []), ("today", "Today", []), ("yesterday", "Yesterday", []), ("previous-7-days", "Previous 7 days", []), ("older", "Older", []),
        };
        foreach (var session in sessions)
        {
            var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(session.UpdatedAt, zone).DateTime);
            var index = session.Pinned ? 0
                : day >= today ? 1
                : day == today.AddDays(-1) ? 2
                : day >= today.AddDays(-7) ? 3
                : 4;
            buckets[index].Items.Add(session);
        }

        return [.. buckets.Where(b => b.Items.Count > 0).Select(b => new SessionGroup(b.Slug, b.Title, b.Items))];
    }
}

/// <summary>A title cut into runs of text, those equal to the search (ignoring case) marked, for rendering as text nodes.</summary>
public static class TitleHighlight
{
    public static IReadOnlyList<(string Text, bool Match)> Split(string title, string? query)
    {
        ArgumentNullException.ThrowIfNull(title);
        var needle = query?.Trim();
        if (string.IsNullOrEmpty(needle))
        {
            return [(title, false)];
        }

        var runs = new List<(string, bool)>();
        var at = 0;
        while (at < title.Length)
        {
            var found = title.IndexOf(needle, at, StringComparison.OrdinalIgnoreCase);
            if (found < 0)
            {
                break;
            }

            if (found > at)
            {
                runs.Add((title[at..found], false));
            }

            runs.Add((title.Substring(found, needle.Length), true));
            at = found + needle.Length;
        }

        if (at < title.Length)
        {
            runs.Add((title[at..], false));
        }

        return runs;
    }
}
