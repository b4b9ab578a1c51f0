using System.Collections.Concurrent;
using Agent.Domain.Configuration;
using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Agent.Domain.Teams;
using Agent.Runtime.Chat;
using Agent.Runtime.Runtime;
using Agent.Runtime.Services;
using Agent.Runtime.Tools;

namespace Agent.Runtime.Teams;

/// <summary>The agent that calls ask_agent: its turn's tenant, chat session and execution.</summary>
public sealed record DelegationCaller(string TenantId, Guid SessionId, Guid ExecutionId);

/// <summary>Where a caller stands in its team run: the team, its depth (0: the coordinator) and the root turn.</summary>
public sealed record TeamRunPosition(TeamOptions Team, int Depth, Guid RootExecutionId, Guid ReplyMessageId);

/// <summary>
/// Delegation inside the runtime. <c>ask_agent</c> writes a <see cref="TeamTask"/>, submits a run_team_task execution
/// for it and waits for that execution to end; stopping the caller cancels the child (and so on down the tree).
/// <para>
/// Why not Microsoft.Agents.AI (1.28 is served): its ChatClientAgent and workflow hand-offs run the member inside
/// the caller's task and keep the thread in their own state, so a member would not be an execution of our runtime
/// (no WAL entry, no lifecycle, no cancel from the Runs panel, no interrupted state after a crash) and its tool
/// approvals would bypass our persisted ones. The runtime's executions, WAL and approvals stay the source of
/// truth; the member's turn is our <see cref="AgentLoop"/> over Microsoft.Extensions.AI's IChatClient.
/// </para>
/// </summary>
public sealed class TeamTaskService(
    ExecutionRuntime runtime,
    ITeamTaskStore tasks,
    TeamCatalog catalog,
    TurnUsageBoard coordinatorUsage,
    TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, TeamRunBudget> budgets = new();

    public ITeamTaskStore Tasks => tasks;

    /// <summary>The team run a turn belongs to: a member task's, or (for a chat turn) the session's team at depth 0; null without a team.</summary>
    public async Task<TeamRunPosition?> PositionOfAsync(string tenantId, Guid sessionId, Guid executionId, CancellationToken cancellationToken)
    {
        if (await tasks.FindByExecutionAsync(tenantId, executionId, cancellationToken) is { } task)
        {
            return await catalog.FindTeamAsync(tenantId, task.TeamId, cancellationToken) is { } taskTeam
                ? new TeamRunPosition(taskTeam, task.Depth, task.RootExecutionId, task.ReplyMessageId)
                : null;
        }

        if (await catalog.TeamOfSessionAsync(tenantId, sessionId, cancellationToken) is not { } team)
        {
            return null;
        }

        var turn = await runtime.FindAsync(tenantId, executionId, cancellationToken);
        return turn is not null && SendMessageIntent.ReplyIdOf(turn) is { } replyId
            ? new TeamRunPosition(team, 0, executionId, replyId)
            : null;
    }

    /// <summary>
    /// The tokens one run has spent so far: its members' (loaded from the stored tasks the first time, e.g. after a
    /// restart) and its coordinator's turn while that turn streams.
    /// </summary>
    public async Task<TeamRunBudget> BudgetAsync(string tenantId, Guid rootExecutionId, CancellationToken cancellationToken)
    {
        if (budgets.TryGetValue(rootExecutionId, out var budget))
        {
            return budget;
        }

        var spent = (await tasks.ListByRootAsync(tenantId, rootExecutionId, cancellationToken)).Sum(t => t.Tokens);
        return budgets.GetOrAdd(rootExecutionId, _ => new TeamRunBudget(spent, () => coordinatorUsage.TokensOf(rootExecutionId)));
    }

    /// <summary>ask_agent: runs <paramref name="task"/> as a child execution of the caller and returns the member's answer.</summary>
    public async Task<object> DelegateAsync(DelegationCaller caller, string agentId, string task, string callId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var position = await PositionOfAsync(caller.TenantId, caller.SessionId, caller.ExecutionId, cancellationToken)
            ?? throw new ToolException("This chat is not bound to a team; bind it to one in the chat toolbar first.");
        var team = position.Team;
        if (TeamLimits.RefuseDelegation(position.Depth, team.Limits) is { } refusal)
        {
            throw new ToolException(refusal);
        }

        var memberId = team.Members.FirstOrDefault(m => string.Equals(m, agentId, StringComparison.OrdinalIgnoreCase))
            ?? throw new ToolException($"'{agentId}' is not a member of team '{team.Name}'; ask one of: {string.Join(", ", team.Members)}.");
        var profile = await catalog.FindProfileAsync(caller.TenantId, memberId, cancellationToken)
            ?? throw new ToolException($"The profile '{memberId}' no longer exists.");
        if (string.IsNullOrWhiteSpace(task))
        {
            throw new ToolException("The argument 'task' is empty; say what the member should do.");
        }

        var budget = await BudgetAsync(caller.TenantId, position.RootExecutionId, cancellationToken);
        if (TeamLimits.Check(0, budget.Spent, team.Limits) == TeamLimitBreach.RunTokens)
        {
            throw new ToolException(TeamLimits.Describe(TeamLimitBreach.RunTokens, team.Limits));
        }

        var now = time.GetUtcNow();
        var row = new TeamTask
        {
            Id = Guid.NewGuid(),
            TenantId = caller.TenantId,
            SessionId = caller.SessionId,
            RootExecutionId = position.RootExecutionId,
            ParentExecutionId = caller.ExecutionId,
            ReplyMessageId = position.ReplyMessageId,
            CallId = callId,
            TeamId = team.Id,
            AgentId = profile.Id,
            AgentName = profile.Name,
            Task = task.Trim(),
            Depth = position.Depth + 1,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await tasks.AddAsync(row, cancellationToken);
        ExecutionRecord submitted;
        try
        {
            submitted = (await runtime.SubmitAsync(
                new ExecutionRequest(RunTeamTaskIntent.Name, caller.TenantId, caller.SessionId, null,
                    new Dictionary<string, string> { [RunTeamTaskIntent.TaskIdKey] = row.Id.ToString(), [RunTeamTaskIntent.AgentKey] = profile.Id, [RunTeamTaskIntent.ParentKey] = caller.ExecutionId.ToString() }, null),
                cancellationToken)).Execution;
        }
        catch (Exception ex) when (ex is CapsExceededException or SubmissionRejectedException)
        {
            await tasks.UpdateAsync(row with { Result = ex.Message, IsError = true, UpdatedAt = time.GetUtcNow() }, CancellationToken.None);
            throw new ToolException($"{profile.Name} could not start: {ex.Message}");
        }

        await tasks.AttachExecutionAsync(caller.TenantId, row.Id, submitted.Id, CancellationToken.None);
        var ended = await runtime.WhenEndedAsync(caller.TenantId, submitted.Id, cancellationToken);
        var final = await tasks.FindAsync(caller.TenantId, row.Id, CancellationToken.None) ?? row;
        return ended.Status switch
        {
            ExecutionStatus.Completed => new { agent = profile.Id, answer = final.Result ?? final.Text, tokens = final.Tokens, cost = final.Cost },
            ExecutionStatus.Cancelled => throw new ToolException($"{profile.Name} was stopped before finishing.{Partial(final)}"),
            _ => throw new ToolException($"{profile.Name} did not finish: {final.Result ?? ended.Error ?? ended.ProgressMessage}{Partial(final)}"),
        };
    }

    /// <summary>Stops one branch of a run: the member's execution and, through it, every task below it.</summary>
    public async Task<bool> StopBranchAsync(string tenantId, Guid executionId, CancellationToken cancellationToken)
    {
        if (await tasks.FindByExecutionAsync(tenantId, executionId, cancellationToken) is null)
        {
            return false;
        }

        return await CancelQuietlyAsync(tenantId, executionId);
    }

    private async Task<bool> CancelQuietlyAsync(string tenantId, Guid executionId)
    {
        try
        {
            return await runtime.CancelAsync(tenantId, executionId, CancellationToken.None) is not null;
        }
        catch (ExecutionStateConflictException)
        {
            return false; // it ended on its own in the meantime
        }
    }

    private static string Partial(TeamTask task) =>
        task.Text.Length == 0 ? "" : $" Its partial answer: {(task.Text.Length > 2000 ? task.Text[..2000] + "…" : task.Text)}";
}
