namespace Agent.Domain.Security;

/// <summary>
/// A personal access token for the headless API. Only the SHA-256 of the secret is stored (<see cref="SecretHash"/>);
/// <see cref="Prefix"/> is its first characters, shown so the owner can tell tokens apart. A token without
/// <see cref="UserId"/> was created by the loopback owner (tenant "local", no sign-in) and acts as that owner.
/// </summary>
public sealed record AccessToken(
    Guid Id,
    string TenantId,
    string? UserId,
    string Name,
    string Prefix,
    string SecretHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt)
{
    public bool IsActive => RevokedAt is null;
}
