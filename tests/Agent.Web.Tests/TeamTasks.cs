using Agent.Domain.Teams;

namespace Agent.Web.Tests;

/// <summary>Team task records as ask_agent writes them, for the Team page's tests.</summary>
internal static class TeamTasks
{
    /// <summary>Tenant "local"'s member "coder" working on "Write the parser" under <paramref name="root"/>.</summary>
    public static TeamTask Member(Guid sessionId, Guid root, Guid member, DateTimeOffset at) => new()
    {
        Id = Guid.NewGuid(),
        ExecutionId = member,
        TenantId = "local",
        SessionId = sessionId,
        RootExecutionId = root,
        ParentExecutionId = root,
        ReplyMessageId = Guid.NewGuid(),
        CallId = "call_1",
        TeamId = "default",
        AgentId = "coder",
        AgentName = "Coder",
        Task = "Write the parser",
        Depth = 1,
        CreatedAt = at,
        UpdatedAt = at,
    };
}
