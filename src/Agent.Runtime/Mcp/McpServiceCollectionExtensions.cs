using Agent.Runtime.Tools;

namespace Agent.Runtime.Mcp;

public static class McpServiceCollectionExtensions
{
    /// <summary>The MCP servers of the install and of each tenant, started at boot, whose tools join every turn's.</summary>
    public static IServiceCollection AddMcpServers(this IServiceCollection services)
    {
        services.AddSingleton<McpServerManager>();
        services.AddSingleton<ITurnToolSource>(sp => sp.GetRequiredService<McpServerManager>());
        services.AddHostedService(sp => sp.GetRequiredService<McpServerManager>());
        return services;
    }
}
