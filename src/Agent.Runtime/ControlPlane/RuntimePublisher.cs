using System.Text.Json;
using Agent.Domain.ControlPlane;

namespace Agent.Runtime.ControlPlane;

/// <summary>Reads and writes the runtime's Redis keys. Every operation throws when Redis is down or unreachable.</summary>
public interface IRuntimePublisher
{
    /// <summary>Stores the config (with its secret, which the runtime needs) under <c>tenantcfg:{tenantId}</c>.</summary>
    Task PublishAsync(RuntimeTenantConfig config, CancellationToken cancellationToken);

    Task<RuntimeTenantConfig?> GetConfigAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Sets <c>tenantmap:did:{did}</c> to the tenant id; the DID must already be normalized.</summary>
    Task MapDidAsync(DidMapping mapping, CancellationToken cancellationToken);

    /// <summary>Deletes <c>tenantmap:did:{did}</c>; false when it was not mapped.</summary>
    Task<bool> UnmapDidAsync(string didE164, CancellationToken cancellationToken);

    Task<string?> LookupDidAsync(string didE164, CancellationToken cancellationToken);

    /// <summary>
    /// Sets <c>tenantmap:did:{did}</c> to the tenant id unless another tenant holds it, in one step (no other writer can
    /// come between the check and the write). Returns null when it was set, else the tenant that holds the DID.
    /// </summary>
    Task<string?> MapDidUnlessHeldAsync(DidMapping mapping, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes <c>tenantmap:did:{did}</c> only when it points to <paramref name="tenantId"/>, in one step. Returns the
    /// tenant it pointed to (deleted only when that is <paramref name="tenantId"/>), or null when it was not mapped.
    /// </summary>
    Task<string?> UnmapDidHeldByAsync(string didE164, string tenantId, CancellationToken cancellationToken);

    /// <summary>Whether <c>tenantcfg:{tenantId}</c> exists (whatever it holds).</summary>
    Task<bool> ConfigExistsAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>PING, then a GET, as the runtime's health check does.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}

/// <summary>A stored document that is not a valid v1 config (written by something else).</summary>
public sealed class RuntimeConfigUnreadableException(string key, string reason) : Exception($"{key} does not hold a valid RuntimeTenantConfig v1: {reason}");

public sealed class RedisRuntimePublisher(RedisConnection connection) : IRuntimePublisher
{
    private const string HealthProbeKey = RuntimeContract.TenantConfigKeyPrefix + "__health_probe__";

    // Lua runs atomically on the server: the GET and the write see the same value. A nil reply is Lua's false.
    private const string MapUnlessHeldScript = """
        local holder = redis.call('GET', KEYS[1])
        if holder and holder ~= ARGV[1] then return holder end
        redis.call('SET', KEYS[1], ARGV[1])
        return false
        """;

    private const string UnmapIfHeldByScript = """
        local holder = redis.call('GET', KEYS[1])
        if holder == ARGV[1] then redis.call('DEL', KEYS[1]) end
        return holder
        """;

    public async Task PublishAsync(RuntimeTenantConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var json = JsonSerializer.Serialize(config, RuntimeContract.Json);
        var database = await connection.GetDatabaseAsync(cancellationToken);
        await database.StringSetAsync(RuntimeContract.TenantConfigKey(config.TenantId), json).WaitAsync(cancellationToken);
    }

    public async Task<RuntimeTenantConfig?> GetConfigAsync(string tenantId, CancellationToken cancellationToken)
    {
        var key = RuntimeContract.TenantConfigKey(tenantId);
        var database = await connection.GetDatabaseAsync(cancellationToken);
        var value = await database.StringGetAsync(key).WaitAsync(cancellationToken);
        if (value.IsNull)
        {
            return null;
        }

        JsonElement element;
        try
        {
            element = JsonDocument.Parse((string)value!).RootElement;
        }
        catch (JsonException ex)
        {
            throw new RuntimeConfigUnreadableException(key, ex.Message);
        }

        var parsed = RuntimeTenantConfigValidator.Parse(element, tenantId);
        return parsed.Value ?? throw new RuntimeConfigUnreadableException(key, $"{parsed.Error!.Field}: {parsed.Error.Error}");
    }

    public async Task MapDidAsync(DidMapping mapping, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var database = await connection.GetDatabaseAsync(cancellationToken);
        await database.StringSetAsync(RuntimeContract.DidKey(mapping.DidE164), mapping.TenantId).WaitAsync(cancellationToken);
    }

    public async Task<bool> UnmapDidAsync(string didE164, CancellationToken cancellationToken)
    {
        var database = await connection.GetDatabaseAsync(cancellationToken);
        return await database.KeyDeleteAsync(RuntimeContract.DidKey(didE164)).WaitAsync(cancellationToken);
    }

    public async Task<string?> LookupDidAsync(string didE164, CancellationToken cancellationToken)
    {
        var database = await connection.GetDatabaseAsync(cancellationToken);
        var value = await database.StringGetAsync(RuntimeContract.DidKey(didE164)).WaitAsync(cancellationToken);
        return value.IsNull ? null : (string?)value;
    }

    public async Task<string?> MapDidUnlessHeldAsync(DidMapping mapping, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var database = await connection.GetDatabaseAsync(cancellationToken);
        var holder = await database.ScriptEvaluateAsync(MapUnlessHeldScript, [RuntimeContract.DidKey(mapping.DidE164)], [mapping.TenantId]).WaitAsync(cancellationToken);
        return holder.IsNull ? null : (string?)holder;
    }

    public async Task<string?> UnmapDidHeldByAsync(string didE164, string tenantId, CancellationToken cancellationToken)
    {
        var database = await connection.GetDatabaseAsync(cancellationToken);
        var holder = await database.ScriptEvaluateAsync(UnmapIfHeldByScript, [RuntimeContract.DidKey(didE164)], [tenantId]).WaitAsync(cancellationToken);
        return holder.IsNull ? null : (string?)holder;
    }

    public async Task<bool> ConfigExistsAsync(string tenantId, CancellationToken cancellationToken)
    {
        var database = await connection.GetDatabaseAsync(cancellationToken);
        return await database.KeyExistsAsync(RuntimeContract.TenantConfigKey(tenantId)).WaitAsync(cancellationToken);
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        var database = await connection.GetDatabaseAsync(cancellationToken);
        await database.PingAsync().WaitAsync(cancellationToken);
        await database.StringGetAsync(HealthProbeKey).WaitAsync(cancellationToken);
    }
}
