namespace Agent.Domain.Configuration;

public static partial class AgentOptionsValidator
{
    private static void ValidateBudgets(BudgetsOptions budgets, List<ConfigError> errors)
    {
        ValidateLimits($"{Section}:Budgets:Default", budgets.Default, errors);
        foreach (var (tenant, limits) in budgets.Tenants)
        {
            if (string.IsNullOrWhiteSpace(tenant))
            {
                errors.Add(new($"{Section}:Budgets:Tenants", "has an entry without a tenant id.", "key each entry by its tenant id, such as Agent:Budgets:Tenants:local:DailyTokens."));
                continue;
            }

            ValidateLimits($"{Section}:Budgets:Tenants:{tenant}", limits, errors);
        }
    }

    private static void ValidateLimits(string key, BudgetLimitOptions? limits, List<ConfigError> errors)
    {
        if (limits is null)
        {
            return;
        }

        const string fix = "give a number above 0, or remove the key for no limit.";
        if (limits.DailyTokens is <= 0)
        {
            errors.Add(new($"{key}:DailyTokens", $"is {limits.DailyTokens}.", fix));
        }

        if (limits.SessionTokens is <= 0)
        {
            errors.Add(new($"{key}:SessionTokens", $"is {limits.SessionTokens}.", fix));
        }

        if (limits.DailyCost is <= 0)
        {
            errors.Add(new($"{key}:DailyCost", $"is {limits.DailyCost}.", fix));
        }

        if (limits.SessionCost is <= 0)
        {
            errors.Add(new($"{key}:SessionCost", $"is {limits.SessionCost}.", fix));
        }
    }
}
