namespace Agent.Domain.Configuration;

/// <summary>
/// Agent:Budgets: limits that apply to every tenant (<see cref="Default"/>) and per-tenant ones that replace them
/// limit by limit (<see cref="Tenants"/>, keyed by tenant id). Days are UTC days; a session's limit counts every
/// reply of that session.
/// </summary>
public sealed class BudgetsOptions
{
    public BudgetLimitOptions Default { get; set; } = new();

    public Dictionary<string, BudgetLimitOptions> Tenants { get; set; } = [];
}

/// <summary>Each limit is optional; tokens are input plus output tokens, cost is in Agent:Telemetry:Currency.</summary>
public sealed class BudgetLimitOptions
{
    public long? DailyTokens { get; set; }

    public decimal? DailyCost { get; set; }

    public long? SessionTokens { get; set; }

    public decimal? SessionCost { get; set; }
}
