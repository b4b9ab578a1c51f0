using Agent.Domain.Storage;
using Agent.Runtime.Services;

namespace Agent.Web.Tests;

/// <summary>The person's switches are read once per tenant and scope, and read again after a change through the cache.</summary>
public sealed class ConfigOverridesTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Switches_are_read_once_until_one_changes_and_each_tenant_and_scope_is_apart()
    {
        var store = new CountingStore();
        var overrides = new ConfigOverrides(store);

        Assert.Empty(await overrides.EnabledAsync("alice", "skill", None));
        Assert.Empty(await overrides.EnabledAsync("alice", "skill", None));
        Assert.Equal(1, store.Reads);

        await overrides.SetEnabledAsync("alice", "skill", "summarize", false, None);
        Assert.False((await overrides.EnabledAsync("alice", "skill", None))["summarize"]);
        Assert.Equal(2, store.Reads);

        Assert.Empty(await overrides.EnabledAsync("bob", "skill", None));
        Assert.Empty(await overrides.EnabledAsync("alice", "tool", None));
        Assert.Equal(4, store.Reads);
    }

    [Fact]
    public async Task A_read_that_overlaps_a_change_is_not_kept()
    {
        var store = new CountingStore();
        var overrides = new ConfigOverrides(store);
        store.BeforeRead = () => overrides.SetEnabledAsync("alice", "skill", "summarize", false, None).GetAwaiter().GetResult();

        await overrides.EnabledAsync("alice", "skill", None);
        store.BeforeRead = null;

        Assert.False((await overrides.EnabledAsync("alice", "skill", None))["summarize"]);
        Assert.Equal(2, store.Reads);
    }

    private sealed class CountingStore : IConfigOverrideStore
    {
        private readonly Dictionary<(string, string), Dictionary<string, bool>> values = [];

        public int Reads { get; private set; }

        public Action? BeforeRead { get; set; }

        public Task<IReadOnlyDictionary<string, bool>> EnabledOverridesAsync(string tenantId, string scope, CancellationToken cancellationToken)
        {
            Reads++;
            var snapshot = values.TryGetValue((tenantId, scope), out var found) ? new Dictionary<string, bool>(found) : [];
            BeforeRead?.Invoke();
            return Task.FromResult<IReadOnlyDictionary<string, bool>>(snapshot);
        }

        public Task SetEnabledAsync(string tenantId, string scope, string name, bool enabled, CancellationToken cancellationToken)
        {
            if (!values.TryGetValue((tenantId, scope), out var scoped))
            {
                values[(tenantId, scope)] = scoped = [];
            }

            scoped[name] = enabled;
            return Task.CompletedTask;
        }
    }
}
