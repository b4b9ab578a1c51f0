using Agent.Domain.Configuration;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.Services;

/// <summary>A send refused because a budget of Agent:Budgets is used up; the message names the limit and how to raise it.</summary>
public sealed class BudgetExceededException(BudgetRefusal refusal) : Exception(refusal?.Message)
{
    public BudgetRefusal Refusal { get; } = refusal!;
}

/// <summary>Checks a tenant's day and a session's usage (summed by the database) against Agent:Budgets before a send.</summary>
public sealed class BudgetGuard(ITokenReportStore reports, IOptions<AgentOptions> options, TimeProvider time)
{
    /// <summary>Throws <see cref="BudgetExceededException"/> when a limit is reached; costs nothing when no limit is set.</summary>
    public async Task EnsureWithinAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken)
    {
        var limits = BudgetPolicy.LimitsFor(options.Value.Budgets, tenantId);
        if (limits.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var end = today.AddDays(1);
        var day = limits.Any(l => l.Scope == BudgetScope.Day)
            ? (await reports.AggregateAsync(new TokenQuery(tenantId, today, end, TokenGrouping.Day), cancellationToken)).Total
            : Empty;
        var session = limits.Any(l => l.Scope == BudgetScope.Session)
            ? (await reports.AggregateAsync(new TokenQuery(tenantId, DateTimeOffset.UnixEpoch, end, TokenGrouping.Session, sessionId), cancellationToken)).Total
            : null;
        if (BudgetPolicy.Check(limits, day, session, tenantId, options.Value.Telemetry.Currency) is { } refusal)
        {
            throw new BudgetExceededException(refusal);
        }
    }

    private static TokenAggregate Empty { get; } = new("total", 0, 0, 0, 0, 0, 0, 0);
}
