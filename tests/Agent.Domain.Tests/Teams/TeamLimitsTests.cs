using Agent.Domain.Configuration;
using Agent.Domain.Teams;

namespace Agent.Domain.Tests.Teams;

public sealed class TeamLimitsTests
{
    private static readonly TeamLimitsOptions Limits = new() { MaxDepth = 2, MaxSteps = 3, MaxTokensPerTask = 100, MaxTokensPerRun = 250, MaxSecondsPerTask = 10 };

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(2, false)]
    [InlineData(5, false)]
    public void Agents_delegate_only_above_the_depth_limit(int depth, bool allowed)
    {
        Assert.Equal(allowed, TeamLimits.CanDelegate(depth, Limits));
        Assert.Equal(allowed, TeamLimits.RefuseDelegation(depth, Limits) is null);
    }

    [Fact]
    public void The_refusal_names_the_limit_and_the_depth() =>
        Assert.Equal("Delegation refused: the team's depth limit is 2; an agent at depth 2 must answer on its own.", TeamLimits.RefuseDelegation(2, Limits));

    [Theory]
    [InlineData(100, 100, TeamLimitBreach.None)]
    [InlineData(101, 101, TeamLimitBreach.TaskTokens)]
    [InlineData(50, 251, TeamLimitBreach.RunTokens)]
    [InlineData(150, 300, TeamLimitBreach.TaskTokens)]
    public void Tokens_are_checked_per_task_first_then_per_run(long task, long run, TeamLimitBreach expected) =>
        Assert.Equal(expected, TeamLimits.Check(task, run, Limits));

    [Fact]
    public void A_run_budget_adds_what_parallel_tasks_spend_and_ignores_negative_counts()
    {
        var budget = new TeamRunBudget(alreadySpent: 40);
        Parallel.For(0, 100, _ => budget.Add(2));
        budget.Add(-50);

        Assert.Equal(240, budget.Spent);
        Assert.Equal(TeamLimitBreach.RunTokens, TeamLimits.Check(0, budget.Add(20), Limits));
    }

    [Fact]
    public void A_run_budget_counts_the_coordinators_own_usage_as_it_grows()
    {
        long coordinator = 0;
        var budget = new TeamRunBudget(alreadySpent: 100, () => Interlocked.Read(ref coordinator));
        Assert.Equal(100, budget.Spent);

        Interlocked.Exchange(ref coordinator, 140); // the coordinator's model calls so far
        Assert.Equal(240, budget.Spent);
        Assert.Equal(100, budget.MembersSpent);
        Assert.Equal(TeamLimitBreach.None, TeamLimits.Check(0, budget.Spent, Limits));

        // A member's next call breaks the run limit only because the coordinator's tokens count too.
        Assert.Equal(TeamLimitBreach.RunTokens, TeamLimits.Check(20, budget.Add(20), Limits));
        Assert.Equal(120, budget.MembersSpent);
    }

    [Fact]
    public void Breaches_are_described_with_the_configured_limit()
    {
        Assert.Equal("Stopped: this task used more than its limit of 100 tokens.", TeamLimits.Describe(TeamLimitBreach.TaskTokens, Limits));
        Assert.Equal("Stopped: the team run used more than its limit of 250 tokens.", TeamLimits.Describe(TeamLimitBreach.RunTokens, Limits));
    }
}

public sealed class TeamValidationTests
{
    private static List<AgentProfileOptions> Profiles() =>
    [
        new() { Id = "assistant", Name = "Assistant" },
        new() { Id = "coder", Name = "Coder" },
        new() { Id = "concise", Name = "Concise" },
    ];

    private static TeamOptions Team() => new() { Id = "default", Name = "Default", Coordinator = "assistant", Members = ["coder", "concise"] };

    [Fact]
    public void The_shipped_shape_is_valid() => Assert.Empty(AgentOptionsValidator.ValidateProfilesAndTeams(Profiles(), [Team()]));

    [Fact]
    public void Unknown_members_the_coordinator_as_member_duplicates_and_bad_limits_are_named()
    {
        var team = Team();
        team.Members = ["ghost", "assistant", "coder", "coder"];
        team.Limits.MaxDepth = 0;
        team.Limits.MaxTokensPerTask = -1;

        var errors = AgentOptionsValidator.ValidateProfilesAndTeams(Profiles(), [team]).ToDictionary(e => e.Key);

        Assert.Contains("'ghost' is not a profile id", errors["Agent:Teams:0:Members:0"].Problem, StringComparison.Ordinal);
        Assert.Contains("is the coordinator", errors["Agent:Teams:0:Members:1"].Problem, StringComparison.Ordinal);
        Assert.Contains("listed twice", errors["Agent:Teams:0:Members:3"].Problem, StringComparison.Ordinal);
        Assert.Contains("from 1 to 5", errors["Agent:Teams:0:Limits:MaxDepth"].Problem, StringComparison.Ordinal);
        Assert.True(errors.ContainsKey("Agent:Teams:0:Limits:MaxTokensPerTask"));
    }

    [Fact]
    public void Profiles_need_a_known_memory_scope_and_provider_with_model()
    {
        var profiles = Profiles();
        profiles[1].MemoryScope = "everything";
        profiles[2].Provider = "openai";

        var errors = AgentOptionsValidator.ValidateProfilesAndTeams(profiles, [Team()]);

        Assert.Contains(errors, e => e.Key == "Agent:Profiles:1:MemoryScope" && e.Fix == "use none, session or agent.");
        Assert.Contains(errors, e => e.Key == "Agent:Profiles:2:Model");
    }

    [Fact]
    public void A_team_without_members_or_with_an_unknown_coordinator_is_refused_and_ids_are_unique()
    {
        var empty = new TeamOptions { Id = "x", Name = "X", Coordinator = "nobody" };
        var errors = AgentOptionsValidator.ValidateProfilesAndTeams(Profiles(), [Team(), empty, Team()]).Select(e => e.Key).ToList();

        Assert.Contains("Agent:Teams:1:Coordinator", errors);
        Assert.Contains("Agent:Teams:1:Members", errors);
        Assert.Contains("Agent:Teams:2:Id", errors);
    }
}
