using Agent.Domain.Tools;
using Agent.Web.Mcp;

namespace Agent.Web.Tools;

public static class ToolsServiceCollectionExtensions
{
    /// <summary>The tool registry, approvals and the agent loop.</summary>
    public static IServiceCollection AddAgentTools(this IServiceCollection services)
    {
        services.AddSingleton<IToolApprovalStore, StateToolApprovalStore>();
        services.AddSingleton<ToolApprovalService>();
        services.AddSingleton<ToolRegistry>();
        services.AddSingleton<AgentLoop>();
        services.AddSingleton<McpServerManager>();
        services.AddSingleton<IToolProvider>(sp => sp.GetRequiredService<McpServerManager>());
        services.AddHostedService(sp => sp.GetRequiredService<McpServerManager>());
        return services;
    }
}
