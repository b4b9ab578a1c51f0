using Agent.Domain.Security;

namespace Agent.Domain.Storage;

public interface IAccessTokenStore
{
    Task AddAsync(AccessToken token, CancellationToken cancellationToken);

    /// <summary>The token whose secret hashes to <paramref name="secretHash"/>, revoked or not.</summary>
    Task<AccessToken?> FindByHashAsync(string secretHash, CancellationToken cancellationToken);

    /// <summary>The tokens of one owner: a user, or (userId null) the loopback owner of the tenant.</summary>
    Task<IReadOnlyList<AccessToken>> ListAsync(string tenantId, string? userId, CancellationToken cancellationToken);

    /// <summary>Revokes the owner's token; false when it does not exist for that owner.</summary>
    Task<bool> RevokeAsync(string tenantId, string? userId, Guid id, DateTimeOffset at, CancellationToken cancellationToken);

    Task TouchAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken);
}
