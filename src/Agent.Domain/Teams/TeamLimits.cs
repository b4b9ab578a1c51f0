using Agent.Domain.Configuration;

namespace Agent.Domain.Teams;

/// <summary>Why a member task stopped early, if it did.</summary>
public enum TeamLimitBreach
{
    None,
    TaskTokens,
    RunTokens,
}

/// <summary>The rules of a team run's limits (depth, tokens), pure so they are tested without a runtime.</summary>
public static class TeamLimits
{
    /// <summary>Whether an agent at <paramref name="depth"/> (0: the coordinator) may be offered ask_agent.</summary>
    public static bool CanDelegate(int depth, TeamLimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return depth < limits.MaxDepth;
    }

    /// <summary>Null when an agent at <paramref name="callerDepth"/> may start a task; else the reason the model reads.</summary>
    public static string? RefuseDelegation(int callerDepth, TeamLimitsOptions limits) =>
        CanDelegate(callerDepth, limits)
            ? null
            : $"Delegation refused: the team's depth limit is {limits.MaxDepth}; an agent at depth {callerDepth} must answer on its own.";

    /// <summary>After a model call: has the task, or the whole run, spent more than its budget?</summary>
    public static TeamLimitBreach Check(long taskTokens, long runTokens, TeamLimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (taskTokens > limits.MaxTokensPerTask)
        {
            return TeamLimitBreach.TaskTokens;
        }

        return runTokens > limits.MaxTokensPerRun ? TeamLimitBreach.RunTokens : TeamLimitBreach.None;
    }

    public static string Describe(TeamLimitBreach breach, TeamLimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return breach switch
        {
            TeamLimitBreach.TaskTokens => $"Stopped: this task used more than its limit of {limits.MaxTokensPerTask} tokens.",
            TeamLimitBreach.RunTokens => $"Stopped: the team run used more than its limit of {limits.MaxTokensPerRun} tokens.",
            _ => "",
        };
    }
}

/// <summary>
/// The tokens one team run has spent: every member task's (shared by tasks running in parallel) plus what the
/// coordinator's own turn has used so far (read live, as its model calls end).
/// </summary>
public sealed class TeamRunBudget(long alreadySpent = 0, Func<long>? coordinatorTokens = null)
{
    private long spent = alreadySpent;

    /// <summary>The members' tokens only.</summary>
    public long MembersSpent => Interlocked.Read(ref spent);

    /// <summary>The run's tokens: the members' and the coordinator's.</summary>
    public long Spent => MembersSpent + Coordinator;

    /// <summary>Adds what a member's model call used and returns the run's new total (the coordinator's included).</summary>
    public long Add(long tokens) => Interlocked.Add(ref spent, Math.Max(0, tokens)) + Coordinator;

    private long Coordinator => Math.Max(0, coordinatorTokens?.Invoke() ?? 0);
}
