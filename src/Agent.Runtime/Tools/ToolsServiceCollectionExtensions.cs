using Agent.Domain.Tools;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Agent.Runtime.Tools;

public static class ToolsServiceCollectionExtensions
{
    /// <summary>The tool registry, approvals and the agent loop (MCP servers add their tools with AddMcpServers).</summary>
    public static IServiceCollection AddAgentTools(this IServiceCollection services)
    {
        // Agent.Data registers the SQLite store (table tool_approvals); the state-store one is the fallback.
        services.TryAddSingleton<IToolApprovalStore, StateToolApprovalStore>();
        services.AddSingleton<ToolApprovalService>();
        services.AddSingleton<IToolApprovalNotifications>(sp => sp.GetRequiredService<ToolApprovalService>());
        services.AddSingleton<ToolRegistry>();
        services.AddSingleton<AgentLoop>();
        services.AddFetchClient();
        return services;
    }

    /// <summary>The fetch_url HttpClient: no proxy, and every connection (redirects too) checked by <see cref="FetchGuard"/>.</summary>
    public static IServiceCollection AddFetchClient(this IServiceCollection services)
    {
        services.AddSingleton(sp => FetchGuard.FromConfig(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Agent.Domain.Configuration.AgentOptions>>().Value.Tools.FetchAllowedNetworks));
        services.AddHttpClient(BuiltInTools.FetchUrl, c => c.Timeout = TimeSpan.FromSeconds(30))
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<FetchGuard>().CreateHandler());
        return services;
    }
}
