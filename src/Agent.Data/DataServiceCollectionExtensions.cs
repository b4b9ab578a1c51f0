using Agent.Data.Stores;
using Agent.Domain.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>Registers the SQLite context factory and every store behind its Domain interface.</summary>
    public static IServiceCollection AddAgentData(this IServiceCollection services, string databasePath)
    {
        services.AddPooledDbContextFactory<AgentDbContext>(o => o.UseSqlite(AgentDatabase.ConnectionStringFor(databasePath)));
        services.AddSingleton<AgentDatabase>();
        services.AddSingleton<ISessionStore, SessionStore>();
        services.AddSingleton<IMessageStore, MessageStore>();
        services.AddSingleton<ICheckpointStore, CheckpointStore>();
        services.AddSingleton<IMemoryStore, MemoryStore>();
        services.AddSingleton<ITraceStore, TraceStore>();
        services.AddSingleton<ITokenUsageStore, TokenUsageStore>();
        services.AddSingleton<IConfigOverrideStore, ConfigOverrideStore>();
        services.AddSingleton<IExecutionStore, ExecutionStore>();
        services.AddSingleton<IArtifactStore, ArtifactStore>();
        services.AddSingleton<IWalStore, WalStore>();
        services.AddSingleton<IExecutionJournal, ExecutionJournal>();
        services.AddSingleton<IStateStore, StateStore>();
        return services;
    }
}
