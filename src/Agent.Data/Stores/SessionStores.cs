using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Microsoft.EntityFrameworkCore;

namespace Agent.Data.Stores;

public sealed class SessionStore(IDbContextFactory<AgentDbContext> contexts) : ISessionStore
{
    public async Task AddAsync(ChatSession session, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Sessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<ChatSession?> FindAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId && s.TenantId == tenantId, cancellationToken);
    }

    public async Task<IReadOnlyList<ChatSession>> ListAsync(string tenantId, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Sessions.AsNoTracking()
            .Where(s => s.TenantId == tenantId)
            .OrderByDescending(s => s.UpdatedAt)
            .Skip(skip).Take(take)
            .ToListAsync(cancellationToken);
    }

    public async Task UpdateAsync(ChatSession session, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Sessions.Update(session);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Sessions.Where(s => s.Id == sessionId && s.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    public async Task<int> CountAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Sessions.CountAsync(s => s.TenantId == tenantId, cancellationToken);
    }

    public async Task<IReadOnlyList<ChatSession>> SearchAsync(string tenantId, string text, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var pattern = "%" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
        return await db.Sessions
            .FromSqlInterpolated($"""
                SELECT * FROM sessions WHERE TenantId = {tenantId} AND (Title LIKE {pattern} ESCAPE '\' OR Id IN
                    (SELECT SessionId FROM messages WHERE TenantId = {tenantId} AND Parts LIKE {pattern} ESCAPE '\'))
                """)
            .AsNoTracking()
            .OrderByDescending(s => s.UpdatedAt)
            .Take(take)
            .ToListAsync(cancellationToken);
    }
}

public sealed class MessageStore(IDbContextFactory<AgentDbContext> contexts) : IMessageStore
{
    public async Task AddAsync(SessionMessage message, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Messages.Add(message);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task UpdateAsync(SessionMessage message, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Messages.Update(message);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<SessionMessage?> FindAsync(string tenantId, Guid messageId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == messageId && m.TenantId == tenantId, cancellationToken);
    }

    public async Task<IReadOnlyList<SessionMessage>> ListBySessionAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Messages.AsNoTracking()
            .Where(m => m.SessionId == sessionId && m.TenantId == tenantId)
            .OrderBy(m => m.CreatedAt)
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<SessionMessage>> PageBySessionAsync(string tenantId, Guid sessionId, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Messages.AsNoTracking()
            .Where(m => m.SessionId == sessionId && m.TenantId == tenantId)
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
            .Skip(skip).Take(take)
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<SessionMessage>> ListStreamingAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Messages.AsNoTracking().Where(m => m.Status == MessageStatus.Streaming).ToListAsync(cancellationToken);
    }

    public async Task<int> CountAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Messages.CountAsync(m => m.TenantId == tenantId, cancellationToken);
    }
}

public sealed class CheckpointStore(IDbContextFactory<AgentDbContext> contexts) : ICheckpointStore
{
    public async Task AddAsync(Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Checkpoints.Add(checkpoint);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Checkpoint>> ListBySessionAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Checkpoints.AsNoTracking()
            .Where(c => c.SessionId == sessionId && c.TenantId == tenantId)
            .OrderBy(c => c.CreatedAt)
            .ToListAsync(cancellationToken);
    }

    public async Task<int> CountAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Checkpoints.CountAsync(c => c.TenantId == tenantId, cancellationToken);
    }
}
