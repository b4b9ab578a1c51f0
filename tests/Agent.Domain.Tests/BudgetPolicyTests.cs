using Agent.Domain.Configuration;
using Agent.Domain.Telemetry;

namespace Agent.Domain.Tests;

public sealed class BudgetPolicyTests
{
    private static TokenAggregate Spent(long tokens, decimal cost) => new("total", tokens, 0, 0, 0, cost, 1, 0);

    [Fact]
    public void No_limit_configured_means_no_limits_and_no_refusal()
    {
        var limits = BudgetPolicy.LimitsFor(new BudgetsOptions(), "local");
        Assert.Empty(limits);
        Assert.Null(BudgetPolicy.Check(limits, Spent(1_000_000, 100), Spent(1_000_000, 100), "local", "USD"));
    }

    [Fact]
    public void A_tenants_own_limit_replaces_the_default_limit_by_limit()
    {
        var budgets = new BudgetsOptions
        {
            Default = new() { DailyTokens = 1000, SessionCost = 2m },
            Tenants = { ["acme"] = new() { DailyTokens = 50 } },
        };

        var acme = BudgetPolicy.LimitsFor(budgets, "acme");
        Assert.Equal(
            [
                new BudgetLimit(BudgetScope.Day, BudgetMeasure.Tokens, 50, "Agent:Budgets:Tenants:acme:DailyTokens"),
                new BudgetLimit(BudgetScope.Session, BudgetMeasure.Cost, 2m, "Agent:Budgets:Default:SessionCost"),
            ],
            acme);
        Assert.Equal("Agent:Budgets:Default:DailyTokens", BudgetPolicy.LimitsFor(budgets, "local")[0].ConfigKey);
    }

    [Fact]
    public void Reaching_a_limit_refuses_with_the_amounts_the_key_and_how_to_raise_it()
    {
        var limits = BudgetPolicy.LimitsFor(new BudgetsOptions { Default = new() { DailyTokens = 1000, SessionCost = 0.5m } }, "local");

        Assert.Null(BudgetPolicy.Check(limits, Spent(999, 0.1m), Spent(10, 0.49m), "local", "EUR"));

        var daily = BudgetPolicy.Check(limits, Spent(1000, 0.1m), Spent(10, 0.1m), "local", "EUR")!;
        Assert.Equal("Agent:Budgets:Default:DailyTokens", daily.Limit.ConfigKey);
        Assert.Equal(
            "Not sent: the daily token budget of tenant 'local' is used up (1,000 tokens used today (UTC), limit 1,000 tokens). "
            + "To raise it, set Agent:Budgets:Default:DailyTokens to a higher value and restart the app, or wait for the next UTC day.",
            daily.Message);

        var session = BudgetPolicy.Check(limits, Spent(10, 0.6m), Spent(10, 0.6m), "local", "EUR")!;
        Assert.Equal(BudgetScope.Session, session.Limit.Scope);
        Assert.Contains("(0.6 EUR used in this session, limit 0.5 EUR)", session.Message, StringComparison.Ordinal);
        Assert.EndsWith("or start a new chat.", session.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_limit_of_zero_or_below_is_a_config_error_naming_the_key()
    {
        var options = new AgentOptions { Budgets = new() { Default = new() { SessionTokens = 0 }, Tenants = { ["local"] = new() { DailyCost = -1m } } } };

        var errors = AgentOptionsValidator.Validate(options);

        Assert.Contains(errors, e => e.Key == "Agent:Budgets:Default:SessionTokens" && e.Fix.Contains("above 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Key == "Agent:Budgets:Tenants:local:DailyCost");
    }
}
