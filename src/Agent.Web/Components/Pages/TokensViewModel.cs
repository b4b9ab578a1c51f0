using System.Globalization;
using Agent.Domain.Configuration;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Microsoft.Extensions.Options;

namespace Agent.Web.Components.Pages;

/// <summary>One day of the range (UTC), zero when nothing was used, so the time axis has no gaps.</summary>
public sealed record TokenDay(string Label, DateOnly Day, TokenAggregate Usage);

/// <summary>A session among the biggest users of the range, with its title.</summary>
public sealed record TopSession(Guid Id, string Title, TokenAggregate Usage);

/// <summary>What the Tokens panel shows for a range: totals, each day, each model and the top sessions.</summary>
public sealed record TokensSnapshot(
    DateOnly From,
    DateOnly To,
    string Currency,
    TokenAggregate Total,
    IReadOnlyList<TokenDay> Days,
    IReadOnlyList<TokenAggregate> Models,
    IReadOnlyList<TopSession> TopSessions);

/// <summary>Reads the Tokens panel's figures from the SQL aggregates (the same ones /api/tokens serves).</summary>
public sealed class TokensViewModel(ITokenReportStore reports, ISessionStore sessions, IOptions<AgentOptions> options, TimeProvider time)
{
    public const int TopSessionCount = 5;

    /// <summary>The last Agent:Telemetry:ChartDays UTC days, today included.</summary>
    public async Task<TokensSnapshot> LoadAsync(string tenantId, CancellationToken cancellationToken)
    {
        var telemetry = options.Value.Telemetry;
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var first = today.AddDays(1 - telemetry.ChartDays);
        var from = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var to = new DateTimeOffset(today.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

        var byDay = await reports.AggregateAsync(new TokenQuery(tenantId, from, to, TokenGrouping.Day), cancellationToken);
        var byModel = await reports.AggregateAsync(new TokenQuery(tenantId, from, to, TokenGrouping.Model), cancellationToken);
        var bySession = await reports.AggregateAsync(new TokenQuery(tenantId, from, to, TokenGrouping.Session), cancellationToken);

        var days = Enumerable.Range(0, telemetry.ChartDays).Select(i =>
        {
            var day = first.AddDays(i);
            var key = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var usage = byDay.Groups.FirstOrDefault(g => g.Key == key) ?? new TokenAggregate(key, 0, 0, 0, 0, 0, 0, 0);
            return new TokenDay(day.ToString("MM-dd", CultureInfo.InvariantCulture), day, usage);
        }).ToList();

        var top = new List<TopSession>();
        foreach (var group in bySession.Groups.OrderByDescending(g => g.TotalTokens).ThenByDescending(g => g.Cost).Take(TopSessionCount))
        {
            var title = Guid.TryParse(group.Key, out var id) && await sessions.FindAsync(tenantId, id, cancellationToken) is { } session
                ? session.Title
                : "(deleted session)";
            top.Add(new TopSession(id, title, group));
        }

        return new TokensSnapshot(
            first,
            today,
            telemetry.Currency,
            byDay.Total,
            days,
            byModel.Groups.OrderByDescending(g => g.TotalTokens).ToList(),
            top);
    }
}
