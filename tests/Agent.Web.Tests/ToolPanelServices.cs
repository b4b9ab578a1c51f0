using Agent.Domain.Configuration;
using Agent.Domain.Memory;
using Agent.Domain.Storage;
using Agent.Domain.Tools;
using Agent.Runtime.Hosting;
using Agent.Runtime.Mcp;
using Agent.Runtime.Memories;
using Agent.Runtime.Services;
using Agent.Runtime.Tools;
using Agent.Tests.Shared;
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
        services.AddSingleton<ConfigOverrides>();
        services.AddSingleton<SkillCatalog>();
        services.AddSingleton<IToolApprovalStore, StateToolApprovalStore>();
        services.AddSingleton<ToolApprovalService>();
        services.AddSingleton<McpServerManager>();
        services.AddSingleton<ITurnToolSource>(sp => sp.GetRequiredService<McpServerManager>());
        services.AddSingleton<IMemoryStore>(new FakeMemoryStore(new Dictionary<MemoryTier, int>()));
        services.AddSingleton<IMemoryRecall, NoRecall>();
        services.AddSingleton<IAttachmentStore, NoAttachments>();
        services.AddSingleton<MemoryService>();
        services.AddSingleton<ToolRegistry>();
    }
}

/// <summary>A pending approval for the Tools panel tests.</summary>
internal static class PendingApprovals
{
    public static ToolApprovalRequest Write(string arguments) =>
        new(Guid.NewGuid(), "local", Guid.NewGuid(), null, "call-1", BuiltInTools.WorkspaceWrite, arguments, "tool has effects Writes", DateTimeOffset.UtcNow);
}
