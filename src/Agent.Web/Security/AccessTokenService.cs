using System.Security.Cryptography;
using System.Text;
using Agent.Domain.Security;
using Agent.Domain.Storage;

namespace Agent.Web.Security;

/// <summary>A token as shown once, right after it was created: the secret is never stored and cannot be shown again.</summary>
public sealed record CreatedAccessToken(AccessToken Token, string Secret);

/// <summary>
/// Personal access tokens for <c>Authorization: Bearer</c> on the headless API: created and revoked by their owner in
/// Settings, stored as SHA-256 hashes (a token is 32 random bytes, so a fast hash is enough; a password hash would
/// only slow every API call).
/// </summary>
public sealed class AccessTokenService(IAccessTokenStore store, TimeProvider time)
{
    public const string SecretPrefix = "pat_";
    public const int MaxNameLength = 80;

    public async Task<CreatedAccessToken> CreateAsync(string tenantId, string? userId, string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        name = (name ?? "").Trim();
        if (name.Length is 0 or > MaxNameLength)
        {
            throw new ArgumentException($"A token's name is required and at most {MaxNameLength} characters.", nameof(name));
        }

        var secret = SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var token = new AccessToken(Guid.NewGuid(), tenantId, userId, name, secret[..12], Hash(secret), time.GetUtcNow(), null, null);
        await store.AddAsync(token, cancellationToken);
        return new CreatedAccessToken(token, secret);
    }

    public Task<IReadOnlyList<AccessToken>> ListAsync(string tenantId, string? userId, CancellationToken cancellationToken) =>
        store.ListAsync(tenantId, userId, cancellationToken);

    public Task<bool> RevokeAsync(string tenantId, string? userId, Guid id, CancellationToken cancellationToken) =>
        store.RevokeAsync(tenantId, userId, id, time.GetUtcNow(), cancellationToken);

    /// <summary>The active token for <paramref name="secret"/>, or null when it is unknown or revoked.</summary>
    public async Task<AccessToken?> ValidateAsync(string secret, CancellationToken cancellationToken)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || secret.Length > 200)
        {
            return null;
        }

        var token = await store.FindByHashAsync(Hash(secret), cancellationToken);
        if (token is not { IsActive: true })
        {
            return null;
        }

        await store.TouchAsync(token.Id, time.GetUtcNow(), cancellationToken);
        return token;
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
