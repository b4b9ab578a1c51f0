using Agent.Domain.Runtime;

namespace Agent.Runtime.Runtime;

/// <summary>An intent to register at boot; add with <see cref="RuntimeServiceCollectionExtensions.AddIntent"/>.</summary>
public sealed record IntentDefinition(string IntentType, string HandlerName, Func<IServiceProvider, IIntentHandler> Handler, IntentMetadata Metadata);

public static partial class RuntimeServiceCollectionExtensions
{
    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial System.Text.RegularExpressions.Regex SolutionIdPattern();

    /// <summary>The execution runtime, its stores' services, the diagnostic intents, and its hosted start-up recovery.</summary>
    public static IServiceCollection AddExecutionRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ExecutionRuntimeOptions>()
            .Bind(configuration.GetSection(ExecutionRuntimeOptions.SectionName))
            .Validate(o => o.MaxQueuedPerTenant >= 1, "Agent:Runtime:MaxQueuedPerTenant must be at least 1 (executions of one tenant that may wait for a slot).")
            .Validate(o => o.ShutdownDrainMilliseconds >= 0, "Agent:Runtime:ShutdownDrainMilliseconds must be 0 or more.")
            .Configure(o => o.SolutionId = configuration["Agent:SolutionId"] ?? ExecutionRuntimeOptions.DefaultSolutionId)
            .Validate(o => SolutionIdPattern().IsMatch(o.SolutionId), "Agent:SolutionId must be 1-64 characters of lower-case letters, digits, '.', '_' or '-' (default personal-agent-chat).")
            .Validate(o => o.SseHeartbeatSeconds is > 0 and <= 3600, "Agent:Runtime:SseHeartbeatSeconds must be more than 0 and at most 3600 (seconds between keep-alive comments on an execution's event stream; the default is 15).")
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var registry = new IntentRegistry();
            foreach (var definition in sp.GetServices<IntentDefinition>())
            {
                registry.Register(definition.IntentType, definition.HandlerName, definition.Handler(sp), definition.Metadata);
            }

            return registry;
        });
        services.AddSingleton<ExecutionFeed>();
        services.AddSingleton<ExecutionAdmission>();
        services.AddSingleton<StateSurfaceService>();
        services.AddSingleton<ArtifactRegistry>();
        services.AddSingleton<ExecutionRuntime>();
        services.AddSingleton<ExecutionStatusReader>();
        services.AddSingleton<ExecutionSubscription>();
        services.AddSingleton<IExecutionEventSource>(sp => sp.GetRequiredService<ExecutionSubscription>());
        services.AddHostedService(sp => sp.GetRequiredService<ExecutionRuntime>());

        services.AddIntent(DiagnosticIntents.LongTask, nameof(DemoLongTaskHandler), sp => new DemoLongTaskHandler(sp.GetRequiredService<TimeProvider>()), DiagnosticIntents.LongTaskMetadata);
        services.AddIntent(DiagnosticIntents.Sleep, nameof(DiagnosticSleepHandler), sp => new DiagnosticSleepHandler(sp.GetRequiredService<TimeProvider>()), DiagnosticIntents.SleepMetadata);
        return services;
    }

    public static IServiceCollection AddIntent(this IServiceCollection services, string intentType, string handlerName, Func<IServiceProvider, IIntentHandler> handler, IntentMetadata metadata) =>
        services.AddSingleton(new IntentDefinition(intentType, handlerName, handler, metadata));
}
