using Agent.Data.Stores;
using Agent.Domain.Configuration;
using Agent.Domain.Memory;
using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Agent.Domain.Tools;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Agent.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>Registers the SQLite context factory and every store behind its Domain interface.</summary>
    public static IServiceCollection AddAgentData(this IServiceCollection services, string databasePath) =>
        services.AddAgentData(_ => databasePath);

    /// <summary>As above, with the path resolved when the first context is created (after all configuration is loaded).</summary>
    public static IServiceCollection AddAgentData(this IServiceCollection services, Func<IServiceProvider, string> databasePath)
    {
        services.AddPooledDbContextFactory<AgentDbContext>((sp, o) => o.UseSqlite(AgentDatabase.ConnectionStringFor(databasePath(sp))).AddInterceptors(new SqlitePragmas()));
        services.AddSingleton<AgentDatabase>();
        services.AddSingleton<ISessionStore, SessionStore>();
        services.AddSingleton<IMessageStore, MessageStore>();
        services.AddSingleton<ICheckpointStore, CheckpointStore>();
        services.AddSingleton<ITurnContextStore, TurnContextStore>();
        services.AddSingleton<IMemoryStore, MemoryStore>();
        services.AddSingleton<IAttachmentStore, AttachmentStore>();
        services.AddSingleton<IMemoryRecall>(sp => new MemoryRecall(
            sp.GetRequiredService<IDbContextFactory<AgentDbContext>>(),
            sp.GetService<IOptions<AgentOptions>>()?.Value.Memory ?? new MemoryOptions(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddSingleton<ITraceStore, TraceStore>();
        services.AddSingleton<ITokenUsageStore, TokenUsageStore>();
        services.AddSingleton<ITokenReportStore, TokenReportStore>();
        services.AddSingleton<IConfigOverrideStore, ConfigOverrideStore>();
        services.AddSingleton<IExecutionStore, ExecutionStore>();
        services.AddSingleton<IArtifactStore, ArtifactStore>();
        services.AddSingleton<IWalStore, WalStore>();
        services.AddSingleton<IExecutionJournal, ExecutionJournal>();
        services.AddSingleton<IStateStore, StateStore>();
        services.AddSingleton<IToolApprovalStore, ToolApprovalStore>();
        services.AddSingleton<IAccessTokenStore, AccessTokenStore>();
        services.AddSingleton<ITeamTaskStore, TeamTaskStore>();
        services.AddSingleton<ITenantOwnership, TenantOwnership>();
        return services;
    }
}
