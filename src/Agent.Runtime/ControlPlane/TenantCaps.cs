using System.Collections.Concurrent;
using Agent.Domain.Configuration;
using Agent.Domain.ControlPlane;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.ControlPlane;

/// <summary>The caps admission applies to one tenant, and where they came from (for the reasons users see).</summary>
public sealed record TenantCaps(int MaxConcurrentCallsTenant, int MaxCallsPerMinuteTenant, int MaxConcurrentCallsGlobal, string Source)
{
    public const string ConfiguredSource = "Agent:Caps";

    public static TenantCaps From(CapsOptions caps)
    {
        ArgumentNullException.ThrowIfNull(caps);
        return new(caps.MaxConcurrentCallsTenant, caps.MaxCallsPerMinuteTenant, caps.MaxConcurrentCallsGlobal, ConfiguredSource);
    }

    public static TenantCaps From(RuntimeTenantConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new(config.Caps.MaxConcurrentCallsTenant, config.Caps.MaxCallsPerMinuteTenant, config.Caps.MaxConcurrentCallsGlobal,
            RuntimeContract.TenantConfigKey(config.TenantId));
    }
}

/// <summary>Where admission gets a tenant's caps.</summary>
public interface ITenantCapsSource
{
    ValueTask<TenantCaps> GetCapsAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Forget what is cached for the tenant (its config was just published).</summary>
    void Invalidate(string tenantId);
}

/// <summary>Agent:Caps for every tenant: the source when REDIS_URL is not set.</summary>
public sealed class ConfiguredTenantCaps(IOptions<AgentOptions> options) : ITenantCapsSource
{
    private readonly TenantCaps caps = TenantCaps.From(options.Value.Caps);

    public ValueTask<TenantCaps> GetCapsAsync(string tenantId, CancellationToken cancellationToken) => ValueTask.FromResult(caps);

    public void Invalidate(string tenantId)
    {
    }
}

/// <summary>
/// The caps of the tenant's published config (tenantcfg:{tenantId}), cached briefly so admission does not read Redis
/// on every start. No published config means Agent:Caps; Redis down means the last caps read, else Agent:Caps.
/// </summary>
public sealed class PublishedTenantCaps(IRuntimePublisher publisher, IOptions<AgentOptions> options, TimeProvider time, ILogger<PublishedTenantCaps> logger)
    : ITenantCapsSource
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(15);

    private readonly TenantCaps fallback = TenantCaps.From(options.Value.Caps);
    private readonly ConcurrentDictionary<string, (TenantCaps Caps, DateTimeOffset Until)> cache = new(StringComparer.Ordinal);

    public async ValueTask<TenantCaps> GetCapsAsync(string tenantId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var known = cache.TryGetValue(tenantId, out var entry) ? entry.Caps : null;
        if (known is not null && now < entry.Until)
        {
            return known;
        }

        TenantCaps caps;
        try
        {
            caps = await publisher.GetConfigAsync(tenantId, cancellationToken) is { } config ? TenantCaps.From(config) : fallback;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            caps = known ?? fallback;
            logger.LogWarning("Caps of tenant {TenantId} could not be read from Redis ({Reason}); admission uses {Source} for {Seconds} s.",
                tenantId, ex.GetType().Name, caps.Source, CacheFor.TotalSeconds);
        }

        cache[tenantId] = (caps, now + CacheFor);
        return caps;
    }

    public void Invalidate(string tenantId) => cache.TryRemove(tenantId, out _);
}
