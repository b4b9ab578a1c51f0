using System.Collections.Concurrent;
using Agent.Domain.Storage;

namespace Agent.Runtime.Services;

/// <summary>
/// The person's enable/disable switches (tools, skills), read from <see cref="IConfigOverrideStore"/> once per tenant and
/// scope and kept until they change through here, so a turn does not read them again for every catalog that asks. Every
/// writer of these scopes goes through <see cref="SetEnabledAsync"/>. One process owns what it keeps: a switch another
/// process stores is seen here after a restart.
/// </summary>
public sealed class ConfigOverrides(IConfigOverrideStore store)
{
    private readonly ConcurrentDictionary<(string Tenant, string Scope), IReadOnlyDictionary<string, bool>> known = new();
    private readonly Lock gate = new();
    private long version;

    public async Task<IReadOnlyDictionary<string, bool>> EnabledAsync(string tenantId, string scope, CancellationToken cancellationToken)
    {
        if (known.TryGetValue((tenantId, scope), out var kept))
        {
            return kept;
        }

        var before = Interlocked.Read(ref version);
        var read = await store.EnabledOverridesAsync(tenantId, scope, cancellationToken);
        lock (gate)
        {
            // A change that began while this read ran may not be in it: keep nothing then, the next read is fresh.
            if (version == before)
            {
                known[(tenantId, scope)] = read;
            }
        }

        return read;
    }

    public async Task SetEnabledAsync(string tenantId, string scope, string name, bool enabled, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            version++;
        }

        try
        {
            await store.SetEnabledAsync(tenantId, scope, name, enabled, cancellationToken);
        }
        finally
        {
            lock (gate)
            {
                version++;
                known.TryRemove((tenantId, scope), out _);
            }
        }
    }
}
