using Agent.Domain.Context;
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

    public Task<IReadOnlyList<ChatSession>> ListAsync(string tenantId, int skip, int take, CancellationToken cancellationToken) =>
        ListAsync(tenantId, SessionShelf.Active, skip, take, cancellationToken);

    public async Task<IReadOnlyList<ChatSession>> ListAsync(string tenantId, SessionShelf shelf, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var ofTenant = db.Sessions.AsNoTracking().Where(s => s.TenantId == tenantId);
        var ordered = shelf switch
        {
            SessionShelf.Trash => ofTenant.Where(s => s.DeletedAt != null).OrderByDescending(s => s.DeletedAt).ThenByDescending(s => s.UpdatedAt),
            SessionShelf.Archived => ofTenant.Where(s => s.DeletedAt == null && s.ArchivedAt != null).OrderByDescending(s => s.Pinned).ThenByDescending(s => s.UpdatedAt),
            _ => ofTenant.Where(s => s.DeletedAt == null && s.ArchivedAt == null).OrderByDescending(s => s.Pinned).ThenByDescending(s => s.UpdatedAt),
        };
        return await ordered.Skip(skip).Take(take).ToListAsync(cancellationToken);
    }

    public async Task UpdateAsync(ChatSession session, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entry = db.Sessions.Update(session);
        entry.Property(s => s.Pinned).IsModified = false;
        entry.Property(s => s.ArchivedAt).IsModified = false;
        entry.Property(s => s.DeletedAt).IsModified = false;
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<bool> SetShelfAsync(string tenantId, Guid sessionId, ShelfChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var session = db.Sessions.Where(s => s.Id == sessionId && s.TenantId == tenantId);
        if (change is { Pinned: null, SetArchived: false, SetDeleted: false })
        {
            return await session.AnyAsync(cancellationToken);
        }

        return await session.ExecuteUpdateAsync(
            set =>
            {
                if (change.Pinned is { } pinned)
                {
                    set.SetProperty(s => s.Pinned, pinned);
                }

                if (change.SetArchived)
                {
                    set.SetProperty(s => s.ArchivedAt, change.ArchivedAt);
                }

                if (change.SetDeleted)
                {
                    set.SetProperty(s => s.DeletedAt, change.DeletedAt);
                }
            },
            cancellationToken) > 0;
    }

    public async Task<bool> DeleteAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Sessions.Where(s => s.Id == sessionId && s.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    public async Task<int> PurgeTrashAsync(string? tenantId, DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var expired = db.Sessions.Where(s => s.DeletedAt != null && s.DeletedAt < before);
        if (tenantId is not null)
        {
            expired = expired.Where(s => s.TenantId == tenantId);
        }

        return await expired.ExecuteDeleteAsync(cancellationToken);
    }

    public async Task<int> CountAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Sessions.CountAsync(s => s.TenantId == tenantId, cancellationToken);
    }

    public async Task<IReadOnlyDictionary<Guid, string>> TitlesAsync(string tenantId, IReadOnlyCollection<Guid> sessionIds, CancellationToken cancellationToken)
    {
        if (sessionIds.Count == 0)
        {
            return new Dictionary<Guid, string>();
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Sessions.AsNoTracking()
            .Where(s => s.TenantId == tenantId && sessionIds.Contains(s.Id))
            .ToDictionaryAsync(s => s.Id, s => s.Title, cancellationToken);
    }

    public async Task<IReadOnlyList<ChatSession>> SearchAsync(string tenantId, string text, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var pattern = "%" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
        return await db.Sessions
            .FromSqlInterpolated($"""
                SELECT * FROM sessions WHERE TenantId = {tenantId} AND DeletedAt IS NULL AND ArchivedAt IS NULL AND (Title LIKE {pattern} ESCAPE '\' OR Id IN
                    (SELECT SessionId FROM messages WHERE TenantId = {tenantId} AND Parts LIKE {pattern} ESCAPE '\'))
                """)
            .AsNoTracking()
            .OrderByDescending(s => s.Pinned).ThenByDescending(s => s.UpdatedAt)
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

    public async Task<TranscriptWindow> ReadPathAsync(string tenantId, Guid sessionId, Guid? leafId, Guid? olderThan, int take, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(take);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var inSession = db.Messages.AsNoTracking().Where(m => m.SessionId == sessionId && m.TenantId == tenantId);
        Guid? start;
        if (olderThan is { } older)
        {
            var anchor = await inSession.Where(m => m.Id == older).Select(m => new { m.ParentId }).FirstOrDefaultAsync(cancellationToken);
            start = anchor?.ParentId;
        }
        else if (leafId is { } leaf && await inSession.AnyAsync(m => m.Id == leaf, cancellationToken))
        {
            start = leaf;
        }
        else
        {
            start = await NewestLeafAsync(db, tenantId, sessionId, cancellationToken);
        }

        if (start is not { } from)
        {
            return TranscriptWindow.Empty;
        }

        // One more than asked tells whether there is an older page. The walk up ParentId is a recursive CTE over the
        // primary key: a window costs `take` index lookups, however many messages and branches the session holds.
        long limit = (long)take + 1;
        var rows = await db.Messages.FromSqlInterpolated($"""
            WITH RECURSIVE path(Id, ParentId, Depth) AS (
                SELECT Id, ParentId, 1 FROM messages WHERE Id = {from} AND SessionId = {sessionId} AND TenantId = {tenantId}
                UNION ALL
                SELECT m.Id, m.ParentId, path.Depth + 1 FROM messages AS m JOIN path ON m.Id = path.ParentId
                WHERE m.SessionId = {sessionId} AND path.Depth < {limit})
            SELECT messages.* FROM messages JOIN path ON messages.Id = path.Id
            """).AsNoTracking().ToListAsync(cancellationToken);

        var byId = rows.ToDictionary(m => m.Id);
        var path = new List<SessionMessage>(rows.Count);
        for (var node = byId.GetValueOrDefault(from); node is not null && path.Count < limit; node = node.ParentId is { } p ? byId.GetValueOrDefault(p) : null)
        {
            path.Add(node);
        }

        var hasOlder = path.Count > take;
        if (hasOlder)
        {
            path.RemoveAt(path.Count - 1);
        }

        path.Reverse();
        return new TranscriptWindow(path, await BranchesAsync(db, tenantId, sessionId, path, hasOlder, cancellationToken), hasOlder);
    }

    public async Task<IReadOnlyList<Guid>> AncestorIdsAsync(string tenantId, Guid sessionId, Guid messageId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // Only ids walk up the primary key: no row is read beyond its key and parent.
        return await db.Database.SqlQuery<Guid>($"""
            WITH RECURSIVE up(Id, ParentId, Depth) AS (
                SELECT Id, ParentId, 0 FROM messages WHERE Id = {messageId} AND SessionId = {sessionId} AND TenantId = {tenantId}
                UNION ALL
                SELECT m.Id, m.ParentId, up.Depth + 1 FROM messages AS m JOIN up ON m.Id = up.ParentId WHERE m.SessionId = {sessionId})
            SELECT Id AS Value FROM up WHERE Depth > 0 ORDER BY Depth
            """).ToListAsync(cancellationToken);
    }

    public async Task<Guid?> LatestLeafUnderAsync(string tenantId, Guid sessionId, Guid messageId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var leaves = await db.Database.SqlQuery<Guid>($"""
            WITH RECURSIVE down(Id, Depth) AS (
                SELECT Id, 0 FROM messages WHERE Id = {messageId} AND SessionId = {sessionId} AND TenantId = {tenantId}
                UNION ALL
                SELECT (SELECT c.Id FROM messages AS c WHERE c.SessionId = {sessionId} AND c.ParentId = down.Id ORDER BY c.CreatedAt DESC, c.Id DESC LIMIT 1), down.Depth + 1
                FROM down WHERE down.Id IS NOT NULL)
            SELECT Id AS Value FROM down WHERE Id IS NOT NULL ORDER BY Depth DESC LIMIT 1
            """).ToListAsync(cancellationToken);
        return leaves.Count == 0 ? null : leaves[0];
    }

    /// <summary>As <see cref="MessageTree.PathTo"/> with no leaf: the newest message without children (CreatedAt, then Id).</summary>
    private static async Task<Guid?> NewestLeafAsync(AgentDbContext db, string tenantId, Guid sessionId, CancellationToken cancellationToken)
    {
        var leaves = await db.Database.SqlQuery<Guid>($"""
            SELECT m.Id AS Value FROM messages AS m
            WHERE m.SessionId = {sessionId} AND m.TenantId = {tenantId}
              AND NOT EXISTS (SELECT 1 FROM messages AS c WHERE c.SessionId = {sessionId} AND c.ParentId = m.Id)
            ORDER BY m.CreatedAt DESC, m.Id DESC LIMIT 1
            """).ToListAsync(cancellationToken);
        return leaves.Count == 0 ? null : leaves[0];
    }

    /// <summary>The sibling sets of the window's messages that have alternatives, ordered as <see cref="MessageTree"/> orders them.</summary>
    private static async Task<IReadOnlyDictionary<Guid, BranchPosition>> BranchesAsync(AgentDbContext db, string tenantId, Guid sessionId, List<SessionMessage> window, bool hasOlder, CancellationToken cancellationToken)
    {
        var branches = new Dictionary<Guid, BranchPosition>();
        if (window.Count == 0)
        {
            return branches;
        }

        var inSession = db.Messages.AsNoTracking().Where(m => m.SessionId == sessionId && m.TenantId == tenantId);

        // Every message of the window but the oldest has its parent in the window; the oldest has one above it
        // (hasOlder) or sits at the root level (no parent, or a parent outside the session, as MessageTree treats it).
        var parents = window.Where(m => m.ParentId is not null).Select(m => m.ParentId!.Value).Distinct().ToList();
        if (!hasOlder && window[0].ParentId is { } rootParent)
        {
            parents.Remove(rootParent);
        }

        var siblings = new List<(Guid Id, Guid? ParentId, DateTimeOffset CreatedAt)>();
        foreach (var chunk in parents.Chunk(500))
        {
            var found = await inSession.Where(m => m.ParentId != null && chunk.Contains(m.ParentId.Value))
                .Select(m => new { m.Id, m.ParentId, m.CreatedAt }).ToListAsync(cancellationToken);
            siblings.AddRange(found.Select(f => (f.Id, f.ParentId, f.CreatedAt)));
        }

        if (!hasOlder)
        {
            var roots = await inSession.Where(m => m.ParentId == null || !db.Messages.Any(p => p.Id == m.ParentId && p.SessionId == sessionId))
                .Select(m => new { m.Id, m.CreatedAt }).ToListAsync(cancellationToken);
            siblings.AddRange(roots.Select(r => (r.Id, (Guid?)null, r.CreatedAt)));
        }

        var shown = window.Select(m => m.Id).ToHashSet();
        foreach (var group in siblings.GroupBy(s => s.ParentId))
        {
            var ids = group.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).Select(s => s.Id).ToList();
            if (ids.Count < 2)
            {
                continue;
            }

            for (var i = 0; i < ids.Count; i++)
            {
                if (shown.Contains(ids[i]))
                {
                    branches[ids[i]] = new BranchPosition(i, ids.Count, ids);
                }
            }
        }

        return branches;
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

    public async Task<Checkpoint?> FindAsync(string tenantId, Guid checkpointId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Checkpoints.AsNoTracking().FirstOrDefaultAsync(c => c.Id == checkpointId && c.TenantId == tenantId, cancellationToken);
    }

    public async Task<int> CountAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Checkpoints.CountAsync(c => c.TenantId == tenantId, cancellationToken);
    }
}

public sealed class TurnContextStore(IDbContextFactory<AgentDbContext> contexts) : ITurnContextStore
{
    public async Task AddAsync(TurnContext context, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.TurnContexts.Add(context);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<TurnContext?> FindAsync(string tenantId, Guid executionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.TurnContexts.AsNoTracking().FirstOrDefaultAsync(c => c.ExecutionId == executionId && c.TenantId == tenantId, cancellationToken);
    }
}
