using Agent.Domain.Storage;
using Agent.Domain.Teams;
using Microsoft.EntityFrameworkCore;

namespace Agent.Data.Stores;

public sealed class TeamTaskStore(IDbContextFactory<AgentDbContext> contexts) : ITeamTaskStore
{
    public async Task AddAsync(TeamTask task, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.TeamTasks.Add(task);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task UpdateAsync(TeamTask task, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.TeamTasks.Update(task);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task AttachExecutionAsync(string tenantId, Guid taskId, Guid executionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.TeamTasks.Where(t => t.Id == taskId && t.TenantId == tenantId)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.ExecutionId, executionId), cancellationToken);
    }

    public async Task<TeamTask?> FindAsync(string tenantId, Guid taskId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.TeamTasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == taskId && t.TenantId == tenantId, cancellationToken);
    }

    public async Task<TeamTask?> FindByExecutionAsync(string tenantId, Guid executionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.TeamTasks.AsNoTracking().FirstOrDefaultAsync(t => t.ExecutionId == executionId && t.TenantId == tenantId, cancellationToken);
    }

    public async Task<TeamTask?> FindByCallAsync(string tenantId, Guid replyMessageId, string callId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.TeamTasks.AsNoTracking()
            .Where(t => t.TenantId == tenantId && t.ReplyMessageId == replyMessageId && t.CallId == callId && t.Depth == 1)
            .OrderByDescending(t => t.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<TeamTask>> ListByRootAsync(string tenantId, Guid rootExecutionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.TeamTasks.AsNoTracking()
            .Where(t => t.TenantId == tenantId && t.RootExecutionId == rootExecutionId)
            .OrderBy(t => t.CreatedAt)
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<TeamTask>> ListRecentAsync(string tenantId, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.TeamTasks.AsNoTracking()
            .Where(t => t.TenantId == tenantId)
            .OrderByDescending(t => t.CreatedAt)
            .Take(take)
            .ToListAsync(cancellationToken);
    }
}
