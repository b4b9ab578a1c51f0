using System.Globalization;
using Agent.Domain.Configuration;

namespace Agent.Domain.Telemetry;

public enum BudgetScope
{
    Day,
    Session,
}

public enum BudgetMeasure
{
    Tokens,
    Cost,
}

/// <summary>One configured limit and the configuration key that sets it (named in a refusal, so the person knows what to raise).</summary>
public sealed record BudgetLimit(BudgetScope Scope, BudgetMeasure Measure, decimal Limit, string ConfigKey);

/// <summary>Why a send was refused: the limit that is used up, how much was used, and a message that says how to raise it.</summary>
public sealed record BudgetRefusal(BudgetLimit Limit, decimal Used, string Message);

/// <summary>Which limits apply to a tenant and whether what it used already reaches one. Pure: the caller reads the usage.</summary>
public static class BudgetPolicy
{
    /// <summary>The tenant's limits: its own under Agent:Budgets:Tenants:{id}, else the default, limit by limit.</summary>
    public static IReadOnlyList<BudgetLimit> LimitsFor(BudgetsOptions budgets, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(budgets);
        var own = budgets.Tenants.GetValueOrDefault(tenantId);
        var limits = new List<BudgetLimit>();
        void Add(BudgetScope scope, BudgetMeasure measure, string name, Func<BudgetLimitOptions, decimal?> read)
        {
            if (own is not null && read(own) is { } mine)
            {
                limits.Add(new(scope, measure, mine, $"{AgentOptions.SectionName}:Budgets:Tenants:{tenantId}:{name}"));
            }
            else if (read(budgets.Default) is { } shared)
            {
                limits.Add(new(scope, measure, shared, $"{AgentOptions.SectionName}:Budgets:Default:{name}"));
            }
        }

        Add(BudgetScope.Day, BudgetMeasure.Tokens, nameof(BudgetLimitOptions.DailyTokens), l => l.DailyTokens);
        Add(BudgetScope.Day, BudgetMeasure.Cost, nameof(BudgetLimitOptions.DailyCost), l => l.DailyCost);
        Add(BudgetScope.Session, BudgetMeasure.Tokens, nameof(BudgetLimitOptions.SessionTokens), l => l.SessionTokens);
        Add(BudgetScope.Session, BudgetMeasure.Cost, nameof(BudgetLimitOptions.SessionCost), l => l.SessionCost);
        return limits;
    }

    /// <summary>The first limit that <paramref name="today"/> or <paramref name="session"/> reaches, or null when a send may go ahead.</summary>
    public static BudgetRefusal? Check(IReadOnlyList<BudgetLimit> limits, TokenAggregate today, TokenAggregate? session, string tenantId, string currency)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(today);
        foreach (var limit in limits)
        {
            var spent = limit.Scope == BudgetScope.Day ? today : session;
            if (spent is null)
            {
                continue;
            }

            var used = limit.Measure == BudgetMeasure.Tokens ? spent.TotalTokens : spent.Cost;
            if (used >= limit.Limit)
            {
                return new BudgetRefusal(limit, used, Describe(limit, used, tenantId, currency));
            }
        }

        return null;
    }

    private static string Describe(BudgetLimit limit, decimal used, string tenantId, string currency)
    {
        var culture = CultureInfo.InvariantCulture;
        string Amount(decimal value) => limit.Measure == BudgetMeasure.Tokens
            ? string.Format(culture, "{0:N0} tokens", value)
            : string.Format(culture, "{0:0.######} {1}", value, currency);
        var what = (limit.Scope, limit.Measure) switch
        {
            (BudgetScope.Day, BudgetMeasure.Tokens) => "daily token budget",
            (BudgetScope.Day, BudgetMeasure.Cost) => "daily cost budget",
            (BudgetScope.Session, BudgetMeasure.Tokens) => "session token budget",
            _ => "session cost budget",
        };
        var where = limit.Scope == BudgetScope.Day ? "today (UTC)" : "in this session";
        var otherwise = limit.Scope == BudgetScope.Day ? "or wait for the next UTC day" : "or start a new chat";
        return $"Not sent: the {what} of tenant '{tenantId}' is used up ({Amount(used)} used {where}, limit {Amount(limit.Limit)}). "
            + $"To raise it, set {limit.ConfigKey} to a higher value and restart the app, {otherwise}.";
    }
}
