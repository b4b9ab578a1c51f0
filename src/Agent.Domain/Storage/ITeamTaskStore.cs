using Agent.Domain.Teams;

namespace Agent.Domain.Storage;

/// <summary>Member tasks of team runs (see <see cref="TeamTask"/>).</summary>
public interface ITeamTaskStore
{
    Task AddAsync(TeamTask task, CancellationToken cancellationToken);

    Task UpdateAsync(TeamTask task, CancellationToken cancellationToken);

    /// <summary>Sets the task's execution id alone (the member may already be writing its parts).</summary>
    Task AttachExecutionAsync(string tenantId, Guid taskId, Guid executionId, CancellationToken cancellationToken);

    Task<TeamTask?> FindAsync(string tenantId, Guid taskId, CancellationToken cancellationToken);

    Task<TeamTask?> FindByExecutionAsync(string tenantId, Guid executionId, CancellationToken cancellationToken);

    /// <summary>The newest task that answers the ask_agent call <paramref name="callId"/> of chat reply <paramref name="replyMessageId"/>.</summary>
    Task<TeamTask?> FindByCallAsync(string tenantId, Guid replyMessageId, string callId, CancellationToken cancellationToken);

    /// <summary>Every task of the tree under <paramref name="rootExecutionId"/>, oldest first.</summary>
    Task<IReadOnlyList<TeamTask>> ListByRootAsync(string tenantId, Guid rootExecutionId, CancellationToken cancellationToken);

    /// <summary>The tasks of a session's turns, newest first (the Team panel's recent runs).</summary>
    Task<IReadOnlyList<TeamTask>> ListRecentAsync(string tenantId, int take, CancellationToken cancellationToken);
}
