using Agent.Domain.Runtime;
using Agent.Domain.Tools;
using Microsoft.EntityFrameworkCore;

namespace Agent.Data.Stores;

/// <summary>Tool approval requests in their own table (pending ones are listed again after a restart); session grants as state entries.</summary>
public sealed class ToolApprovalStore(IDbContextFactory<AgentDbContext> contexts, TimeProvider time) : IToolApprovalStore
{
    public static string GrantScope(string tenantId, Guid sessionId) => $"tool-grants:{tenantId}:{sessionId:N}";

    public async Task SaveAsync(ToolApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.ToolApprovals.AsNoTracking().AnyAsync(a => a.Id == request.Id, cancellationToken))
        {
            db.ToolApprovals.Update(request);
        }
        else
        {
            db.ToolApprovals.Add(request);
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<ToolApprovalRequest?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ToolApprovals.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
    }

    public async Task<IReadOnlyList<ToolApprovalRequest>> ListPendingAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var pending = await db.ToolApprovals.AsNoTracking()
            .Where(a => a.TenantId == tenantId && a.Status == ToolApprovalStatus.Pending)
            .ToListAsync(cancellationToken);
        return pending.OrderBy(a => a.CreatedAt).ToList();
    }

    public async Task GrantForSessionAsync(string tenantId, Guid sessionId, string toolName, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var scope = GrantScope(tenantId, sessionId);
        if (!await db.StateEntries.AsNoTracking().AnyAsync(s => s.Scope == scope && s.Key == toolName, cancellationToken))
        {
            db.StateEntries.Add(new StateEntry(scope, toolName, "approved", time.GetUtcNow()));
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    public async Task<bool> IsGrantedForSessionAsync(string tenantId, Guid sessionId, string toolName, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var scope = GrantScope(tenantId, sessionId);
        return await db.StateEntries.AsNoTracking().AnyAsync(s => s.Scope == scope && s.Key == toolName, cancellationToken);
    }
}
