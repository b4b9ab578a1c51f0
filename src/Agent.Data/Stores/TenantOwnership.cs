using Agent.Domain.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Agent.Data.Stores;

/// <summary>Answers whether an id is the tenant's with one indexed existence query on the kind's table.</summary>
public sealed class TenantOwnership(IDbContextFactory<AgentDbContext> contexts) : ITenantOwnership
{
    public async Task<bool> OwnsAsync(string tenantId, OwnedIdKind kind, Guid id, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(tenantId) || id == Guid.Empty)
        {
            return false;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return kind switch
        {
            OwnedIdKind.Session => await db.Sessions.AnyAsync(x => x.Id == id && x.TenantId == tenantId, cancellationToken),
            OwnedIdKind.Message => await db.Messages.AnyAsync(x => x.Id == id && x.TenantId == tenantId, cancellationToken),
            OwnedIdKind.Execution => await db.Executions.AnyAsync(x => x.Id == id && x.TenantId == tenantId, cancellationToken),
            OwnedIdKind.Artifact => await db.Artifacts.AnyAsync(x => x.Id == id && x.TenantId == tenantId, cancellationToken),
            OwnedIdKind.Attachment => await db.Attachments.AnyAsync(x => x.Id == id && x.TenantId == tenantId, cancellationToken),
            OwnedIdKind.TeamTask => await db.TeamTasks.AnyAsync(x => x.Id == id && x.TenantId == tenantId, cancellationToken),
            _ => false,
        };
    }
}
