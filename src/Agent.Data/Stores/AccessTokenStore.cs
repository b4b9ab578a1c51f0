using Agent.Domain.Security;
using Agent.Domain.Storage;
using Microsoft.EntityFrameworkCore;

namespace Agent.Data.Stores;

public sealed class AccessTokenStore(IDbContextFactory<AgentDbContext> contexts) : IAccessTokenStore
{
    public async Task AddAsync(AccessToken token, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.AccessTokens.Add(token);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<AccessToken?> FindByHashAsync(string secretHash, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.AccessTokens.AsNoTracking().FirstOrDefaultAsync(t => t.SecretHash == secretHash, cancellationToken);
    }

    public async Task<IReadOnlyList<AccessToken>> ListAsync(string tenantId, string? userId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tokens = await db.AccessTokens.AsNoTracking()
            .Where(t => t.TenantId == tenantId && t.UserId == userId)
            .ToListAsync(cancellationToken);
        return tokens.OrderByDescending(t => t.CreatedAt).ToList();
    }

    public async Task<bool> RevokeAsync(string tenantId, string? userId, Guid id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var token = await db.AccessTokens.FirstOrDefaultAsync(t => t.Id == id && t.TenantId == tenantId && t.UserId == userId, cancellationToken);
        if (token is null)
        {
            return false;
        }

        if (token.RevokedAt is null)
        {
            db.Entry(token).CurrentValues.SetValues(token with { RevokedAt = at });
            await db.SaveChangesAsync(cancellationToken);
        }

        return true;
    }

    public async Task TouchAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.AccessTokens.Where(t => t.Id == id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, at), cancellationToken);
    }
}
