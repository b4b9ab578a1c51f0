using Agent.Domain.Memory;
using Agent.Domain.Storage;
using Microsoft.EntityFrameworkCore;

namespace Agent.Data.Stores;

public sealed class AttachmentStore(IDbContextFactory<AgentDbContext> contexts) : IAttachmentStore
{
    public async Task AddAsync(Attachment attachment, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Attachments.Add(attachment);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task UpdateAsync(Attachment attachment, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Attachments.Update(attachment);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<Attachment?> FindAsync(string tenantId, Guid attachmentId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Attachments.AsNoTracking().FirstOrDefaultAsync(a => a.Id == attachmentId && a.TenantId == tenantId, cancellationToken);
    }

    public async Task<IReadOnlyList<Attachment>> ListBySessionAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Attachments.AsNoTracking().Where(a => a.TenantId == tenantId && a.SessionId == sessionId)
            .OrderBy(a => a.CreatedAt).ToListAsync(cancellationToken);
    }

    public async Task AssignToMessageAsync(string tenantId, IReadOnlyCollection<Guid> attachmentIds, Guid messageId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Attachments.Where(a => a.TenantId == tenantId && attachmentIds.Contains(a.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.MessageId, messageId), cancellationToken);
    }
}
