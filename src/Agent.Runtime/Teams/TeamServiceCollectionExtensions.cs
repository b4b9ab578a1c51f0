using Agent.Domain.Runtime;
using Agent.Runtime.Runtime;
using Agent.Runtime.Services;
using Agent.Runtime.Tools;
using ExecutionContext = Agent.Domain.Runtime.ExecutionContext;

namespace Agent.Runtime.Teams;

public static class TeamServiceCollectionExtensions
{
    /// <summary>Profiles and teams, ask_agent, the run_team_task intent, run trees and resume.</summary>
    public static IServiceCollection AddTeams(this IServiceCollection services)
    {
        services.AddSingleton<TeamCatalog>();
        services.AddSingleton<TeamTaskService>();
        services.AddSingleton<TeamRunQueries>();
        services.AddSingleton<TeamRecovery>();
        services.AddSingleton<ITurnToolSource, AskAgentToolSource>();
        services.AddSingleton<RunTeamTaskHandler>();
        services.AddIntent(RunTeamTaskIntent.Name, nameof(RunTeamTaskHandler), sp => new DeferredIntentHandler(() => sp.GetRequiredService<RunTeamTaskHandler>()), RunTeamTaskIntent.Metadata);
        return services;
    }
}

/// <summary>
/// Resolves its handler on first use: the member's handler depends on the runtime itself (a member may delegate
/// again through ask_agent), and the runtime's intent registry is built while the runtime is being created.
/// </summary>
internal sealed class DeferredIntentHandler(Func<IIntentHandler> resolve) : IIntentHandler
{
    private readonly Lazy<IIntentHandler> handler = new(resolve);

    public Task<IntentResult> HandleAsync(ExecutionContext context, CancellationToken cancellationToken) => handler.Value.HandleAsync(context, cancellationToken);
}
