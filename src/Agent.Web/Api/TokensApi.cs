using System.Globalization;
using System.Text;
using Agent.Domain.Configuration;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Agent.Web.Services;
using Microsoft.Extensions.Options;

namespace Agent.Web.Api;

/// <summary>One group (or the total) of a token report; <see cref="Cost"/> is the sum of the costs stored on its messages.</summary>
public sealed record TokenGroupDto(
    string Key,
    long InputTokens,
    long OutputTokens,
    long CachedInputTokens,
    long ReasoningTokens,
    decimal Cost,
    string Currency,
    int Messages,
    int UnpricedMessages)
{
    public static TokenGroupDto From(TokenAggregate a, string currency) =>
        new(a.Key, a.InputTokens, a.OutputTokens, a.CachedInputTokens, a.ReasoningTokens, a.Cost, currency, a.Messages, a.UnpricedMessages);
}

public sealed record TokenReportDto(DateTimeOffset From, DateTimeOffset To, string GroupBy, string Currency, IReadOnlyList<TokenGroupDto> Groups, TokenGroupDto Total);

/// <summary>
/// GET /api/tokens and /api/tokens.csv: token usage and cost of the tenant's assistant messages created in [from, to),
/// grouped by model, provider, session or day (UTC). Dates are ISO 8601; a date without a time means that UTC day
/// (so to=2026-11-23 includes the 23rd). Default: the last Agent:Telemetry:ChartDays UTC days, today included.
/// </summary>
public static class TokensApi
{
    private static readonly string[] Groupings = ["model", "provider", "session", "day"];

    public static IEndpointRouteBuilder MapTokensApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/tokens", async (string? from, string? to, string? groupBy, ITokenReportStore reports, IOptions<AgentOptions> options, TimeProvider time, ICurrentTenant tenant, CancellationToken ct) =>
        {
            var (report, error) = await ReportAsync(tenant.TenantId, from, to, groupBy, reports, options.Value, time, ct);
            return report is null ? Results.Json(new { error }, statusCode: StatusCodes.Status400BadRequest) : Results.Ok(report);
        });

        endpoints.MapGet("/api/tokens.csv", async (string? from, string? to, string? groupBy, ITokenReportStore reports, IOptions<AgentOptions> options, TimeProvider time, ICurrentTenant tenant, CancellationToken ct) =>
        {
            var (report, error) = await ReportAsync(tenant.TenantId, from, to, groupBy, reports, options.Value, time, ct);
            return report is null
                ? Results.Json(new { error }, statusCode: StatusCodes.Status400BadRequest)
                : Results.Text(ToCsv(report), "text/csv; charset=utf-8", Encoding.UTF8);
        });
        return endpoints;
    }

    internal static string ToCsv(TokenReportDto report)
    {
        var csv = new StringBuilder("key,inputTokens,outputTokens,cachedInputTokens,reasoningTokens,cost,currency,messages,unpricedMessages\n");
        foreach (var g in report.Groups.Append(report.Total))
        {
            csv.Append(CultureInfo.InvariantCulture, $"{Field(g.Key)},{g.InputTokens},{g.OutputTokens},{g.CachedInputTokens},{g.ReasoningTokens},{g.Cost},{Field(g.Currency)},{g.Messages},{g.UnpricedMessages}\n");
        }

        return csv.ToString();
    }

    private static async Task<(TokenReportDto? Report, string? Error)> ReportAsync(
        string tenantId, string? fromText, string? toText, string? groupByText, ITokenReportStore reports, AgentOptions options, TimeProvider time, CancellationToken ct)
    {
        var groupBy = string.IsNullOrWhiteSpace(groupByText) ? "model" : groupByText.Trim().ToLowerInvariant();
        if (!Groupings.Contains(groupBy))
        {
            return (null, $"groupBy '{groupByText}' is not one of {string.Join(", ", Groupings)}.");
        }

        var today = new DateTimeOffset(time.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        DateTimeOffset from = today.AddDays(1 - options.Telemetry.ChartDays), to = today.AddDays(1);
        if (!string.IsNullOrWhiteSpace(fromText) && !TryParseDate(fromText, endOfDay: false, out from))
        {
            return (null, $"from '{fromText}' is not an ISO 8601 date or date-time (such as 2026-11-22 or 2026-11-22T10:00:00Z).");
        }

        if (!string.IsNullOrWhiteSpace(toText) && !TryParseDate(toText, endOfDay: true, out to))
        {
            return (null, $"to '{toText}' is not an ISO 8601 date or date-time (such as 2026-11-23 or 2026-11-23T10:00:00Z).");
        }

        if (from >= to)
        {
            return (null, $"from ({from:O}) is not before to ({to:O}).");
        }

        var grouping = Enum.Parse<TokenGrouping>(groupBy, ignoreCase: true);
        var report = await reports.AggregateAsync(new TokenQuery(tenantId, from, to, grouping), ct);
        var currency = options.Telemetry.Currency;
        return (new TokenReportDto(from, to, groupBy, currency, report.Groups.Select(g => TokenGroupDto.From(g, currency)).ToList(), TokenGroupDto.From(report.Total, currency)), null);
    }

    private static bool TryParseDate(string text, bool endOfDay, out DateTimeOffset value)
    {
        text = text.Trim();
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            value = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(endOfDay ? 1 : 0);
            return true;
        }

        // A date-time must say its zone (Z or an offset); one without is read as UTC.
        return DateTimeOffset.TryParseExact(
            text,
            ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "O"],
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out value);
    }

    private static string Field(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}
