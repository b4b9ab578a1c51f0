using Agent.Domain.ControlPlane;
using Agent.Runtime.ControlPlane;

namespace Agent.Web.ControlPlane;

/// <summary>The tenant ids that have a config key, found with SCAN (never KEYS), at most <c>limit</c>, sorted.</summary>
public sealed record RuntimeTenantScan(IReadOnlyList<string> TenantIds, bool Truncated);

/// <summary>Finds the published tenants. The runtime's contract has no tenant index, so this scans the key space.</summary>
public interface IRuntimeTenantDirectory
{
    /// <summary>Throws when Redis is down or unreachable.</summary>
    Task<RuntimeTenantScan> ScanTenantIdsAsync(int limit, CancellationToken cancellationToken);
}

public sealed class RedisTenantDirectory(RedisConnection connection) : IRuntimeTenantDirectory
{
    /// <summary>COUNT hint of each SCAN call.</summary>
    public const int PageSize = 100;

    public async Task<RuntimeTenantScan> ScanTenantIdsAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var (server, database) = await connection.GetPrimaryAsync(cancellationToken);
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        var truncated = false;
        // KeysAsync pages with SCAN on every Redis that has it (2.8+), PageSize keys at a time.
        await foreach (var key in server.KeysAsync(database, RuntimeContract.TenantConfigKeyPrefix + "*", PageSize).WithCancellation(cancellationToken))
        {
            if (ids.Count == limit)
            {
                truncated = true;
                break;
            }

            ids.Add(((string)key!)[RuntimeContract.TenantConfigKeyPrefix.Length..]);
        }

        return new RuntimeTenantScan([.. ids], truncated);
    }
}
