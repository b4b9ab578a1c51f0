using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Agent.Domain.Teams;
using Agent.Runtime.Chat;
using Agent.Runtime.Runtime;

namespace Agent.Runtime.Teams;

/// <summary>One execution of a run tree and its descendants (GET /api/execution/{id}/tree).</summary>
public sealed record RunTreeNode(
    Guid Id,
    string Intent,
    string? Agent,
    string? AgentName,
    string Status,
    string? Message,
    string? Task,
    Guid? TaskId,
    int Depth,
    long InputTokens,
    long OutputTokens,
    long Tokens,
    decimal? Cost,
    double? DurationMs,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    IReadOnlyList<RunTreeNode> Children)
{
    /// <summary>Tokens of this node and every node below it.</summary>
    public long TreeTokens => Tokens + Children.Sum(c => c.TreeTokens);

    public decimal? TreeCost => Children.Aggregate(Cost, (sum, c) => c.TreeCost is { } x ? (sum ?? 0) + x : sum);

    public IEnumerable<RunTreeNode> SelfAndDescendants() => Children.SelectMany(c => c.SelfAndDescendants()).Prepend(this);
}

/// <summary>A team run as listed in the Team panel: the chat turn it hangs from and how many member tasks it had.</summary>
public sealed record TeamRunSummary(Guid RootExecutionId, Guid SessionId, Guid ReplyMessageId, string TeamId, int Tasks, DateTimeOffset StartedAt);

/// <summary>The read side of team runs: trees of executions with their agents, tokens and cost.</summary>
public sealed class TeamRunQueries(ExecutionRuntime runtime, ITeamTaskStore tasks, IMessageStore messages, ISessionStore sessions, TimeProvider time)
{
    /// <summary>The execution and its descendants, or null when the tenant has no such execution.</summary>
    public async Task<RunTreeNode?> TreeAsync(string tenantId, Guid executionId, CancellationToken cancellationToken)
    {
        var execution = await runtime.FindAsync(tenantId, executionId, cancellationToken);
        if (execution is null)
        {
            return null;
        }

        var own = await tasks.FindByExecutionAsync(tenantId, executionId, cancellationToken);
        var all = await tasks.ListByRootAsync(tenantId, own?.RootExecutionId ?? executionId, cancellationToken);
        return await NodeAsync(execution, own, all, cancellationToken);
    }

    public async Task<IReadOnlyList<TeamRunSummary>> RecentExecutionsAsync(string tenantId, int take, CancellationToken cancellationToken) =>
        (await tasks.ListRecentAsync(tenantId, 500, cancellationToken))
            .GroupBy(t => t.RootExecutionId)
            .Select(g => new TeamRunSummary(g.Key, g.First().SessionId, g.First().ReplyMessageId, g.First().TeamId, g.Count(), g.Min(t => t.CreatedAt)))
            .OrderByDescending(r => r.StartedAt)
            .Take(take)
            .ToList();

    public Task<TeamTask?> TaskAsync(string tenantId, Guid taskId, CancellationToken cancellationToken) => tasks.FindAsync(tenantId, taskId, cancellationToken);

    /// <summary>The member task answering the ask_agent card <paramref name="callId"/> of a chat reply.</summary>
    public Task<TeamTask?> TaskForCallAsync(string tenantId, Guid replyMessageId, string callId, CancellationToken cancellationToken) =>
        tasks.FindByCallAsync(tenantId, replyMessageId, callId, cancellationToken);

    private async Task<RunTreeNode> NodeAsync(ExecutionRecord execution, TeamTask? task, IReadOnlyList<TeamTask> all, CancellationToken cancellationToken)
    {
        var children = new List<RunTreeNode>();
        foreach (var child in all.Where(t => t.ParentExecutionId == execution.Id && t.ExecutionId is not null))
        {
            if (await runtime.FindAsync(execution.TenantId, child.ExecutionId!.Value, cancellationToken) is { } record)
            {
                children.Add(await NodeAsync(record, child, all, cancellationToken));
            }
        }

        var end = execution.EndedAt ?? (ExecutionLifecycle.IsTerminal(execution.Status) || execution.Status == ExecutionStatus.Interrupted ? null : time.GetUtcNow());
        double? duration = execution.StartedAt is { } started && end is { } until ? (until - started).TotalMilliseconds : null;
        if (task is not null)
        {
            return new RunTreeNode(execution.Id, execution.Intent, task.AgentId, task.AgentName, execution.Status.ToString(), execution.Error ?? execution.ProgressMessage, task.Task, task.Id, task.Depth,
                task.InputTokens, task.OutputTokens, task.Tokens, task.Cost, duration, execution.CreatedAt, execution.StartedAt, execution.EndedAt, children);
        }

        // The chat turn at the root: its agent is the session's profile (the team's coordinator), its tokens the reply's.
        string? agent = null;
        long input = 0, output = 0;
        decimal? cost = null;
        if (execution.SessionId is { } sessionId)
        {
            agent = (await sessions.FindAsync(execution.TenantId, sessionId, cancellationToken))?.AgentProfileId;
        }

        if (SendMessageIntent.ReplyIdOf(execution) is { } replyId
            && await messages.FindAsync(execution.TenantId, replyId, cancellationToken) is { } reply)
        {
            input = reply.Usage?.InputTokens ?? 0;
            output = reply.Usage?.OutputTokens ?? 0;
            cost = reply.Cost;
        }

        return new RunTreeNode(execution.Id, execution.Intent, agent, agent, execution.Status.ToString(), execution.Error ?? execution.ProgressMessage, null, null, 0,
            input, output, input + output, cost, duration, execution.CreatedAt, execution.StartedAt, execution.EndedAt, children);
    }
}
