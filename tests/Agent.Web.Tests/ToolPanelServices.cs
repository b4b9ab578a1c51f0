using System.Collections.Concurrent;
using Agent.Domain.Configuration;
using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Agent.Domain.Tools;
using Agent.Web.Hosting;
using Agent.Web.Mcp;
using Agent.Web.Services;
using Agent.Web.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Agent.Web.Tests;

/// <summary>The services the Tools and MCP panels inject, over in-memory stores and a temporary content root.</summary>
internal static class ToolPanelServices
{
    public static void Add(IServiceCollection services, AgentOptions options, string contentRoot)
    {
        services.AddSingleton<IOptions<AgentOptions>>(Options.Create(options));
        services.AddSingleton(new AppInfo("0.1.0", contentRoot, Path.Combine(contentRoot, "agent.db")));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new EnvironmentVariables(_ => null));
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddHttpClient();
        services.AddSingleton<IStateStore, MemoryStateStore>();
        services.AddSingleton<IConfigOverrideStore, MemoryOverrideStore>();
        services.AddSingleton<SkillCatalog>();
        services.AddSingleton<IToolApprovalStore, StateToolApprovalStore>();
        services.AddSingleton<ToolApprovalService>();
        services.AddSingleton<McpServerManager>();
        services.AddSingleton<IToolProvider>(sp => sp.GetRequiredService<McpServerManager>());
        services.AddSingleton<ToolRegistry>();
    }
}

internal sealed class MemoryStateStore : IStateStore
{
    private readonly ConcurrentDictionary<(string Scope, string Key), StateEntry> entries = new();

    public Task<string?> GetAsync(string scope, string key, CancellationToken cancellationToken) =>
        Task.FromResult(entries.TryGetValue((scope, key), out var e) ? e.Value : null);

    public Task SetAsync(StateEntry entry, CancellationToken cancellationToken)
    {
        entries[(entry.Scope, entry.Key)] = entry;
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string scope, string key, CancellationToken cancellationToken)
    {
        entries.TryRemove((scope, key), out _);
        return Task.CompletedTask;
    }

    public Task ClearScopeAsync(string scope, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<StateEntry>> ListAsync(string scope, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StateEntry>>(entries.Values.Where(e => e.Scope == scope).ToList());
}

internal sealed class MemoryOverrideStore : IConfigOverrideStore
{
    private readonly ConcurrentDictionary<(string, string, string), bool> values = new();

    public Task<IReadOnlyDictionary<string, bool>> EnabledOverridesAsync(string tenantId, string scope, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, bool>>(values.Where(v => v.Key.Item1 == tenantId && v.Key.Item2 == scope).ToDictionary(v => v.Key.Item3, v => v.Value));

    public Task SetEnabledAsync(string tenantId, string scope, string name, bool enabled, CancellationToken cancellationToken)
    {
        values[(tenantId, scope, name)] = enabled;
        return Task.CompletedTask;
    }
}

/// <summary>A pending approval for the Tools panel tests.</summary>
internal static class PendingApprovals
{
    public static ToolApprovalRequest Write(string arguments) =>
        new(Guid.NewGuid(), "local", Guid.NewGuid(), null, "call-1", BuiltInTools.WorkspaceWrite, arguments, "tool has effects Writes", DateTimeOffset.UtcNow);
}
