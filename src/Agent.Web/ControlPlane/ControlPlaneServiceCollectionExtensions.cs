using Agent.Domain.Configuration;
using Agent.Runtime.ControlPlane;
using Agent.Runtime.Hosting;
using Microsoft.Extensions.Options;

namespace Agent.Web.ControlPlane;

public static class ControlPlaneServiceCollectionExtensions
{
    /// <summary>
    /// The control plane: its env flags (validated at start), the Redis publisher, the admin operations (API and Settings page), the caps source for admission
    /// (published caps when REDIS_URL is set, Agent:Caps otherwise) and the start-up line that says whether admin is on.
    /// Needs EnvironmentVariables, TimeProvider and IOptions&lt;AgentOptions&gt;.
    /// </summary>
    public static IServiceCollection AddRuntimeControlPlane(this IServiceCollection services)
    {
        services.AddOptions<RuntimeAdminOptions>()
            .Configure<EnvironmentVariables>((options, environment) => options.Load(environment))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RuntimeAdminOptions>, RuntimeAdminOptionsValidation>();
        services.AddSingleton<RedisConnection>();
        services.AddSingleton<IRuntimePublisher, RedisRuntimePublisher>();
        services.AddSingleton<IRuntimeTenantDirectory, RedisTenantDirectory>();
        services.AddSingleton<RuntimeAdminService>();
        services.AddSingleton<ITenantCapsSource>(sp => sp.GetRequiredService<IOptions<RuntimeAdminOptions>>().Value.RedisConfigured
            ? ActivatorUtilities.CreateInstance<PublishedTenantCaps>(sp)
            : new ConfiguredTenantCaps(sp.GetRequiredService<IOptions<AgentOptions>>()));
        services.AddHostedService<RuntimeAdminStartupReport>();
        return services;
    }
}

/// <summary>Says at start whether the admin API answers, and if not, what turns it on.</summary>
public sealed class RuntimeAdminStartupReport(IOptions<RuntimeAdminOptions> options, ILogger<RuntimeAdminStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var admin = options.Value;
        var redis = admin.RedisConfigured ? RedisUrl.Describe(admin.RedisUrl!) : "not configured";
        if (admin.AdminEnabled)
        {
            logger.LogInformation("Runtime admin API is enabled at {Prefix} (Redis {Redis}; secret read {SecretRead}).",
                RuntimeAdminRoutes.Prefix, redis, admin.AllowSecretRead ? "allowed" : "refused");
        }
        else if (admin.EnableRuntimeAdmin && !admin.HasToken)
        {
            logger.LogWarning("Runtime admin API is disabled: {Enable} is true but {Token} is not set, so {Prefix} answers 503 {Error}. Fix: set {Token}.",
                RuntimeAdminOptions.EnableAdminVariable, RuntimeAdminOptions.AdminTokenVariable, RuntimeAdminRoutes.Prefix, RuntimeAdminRoutes.AdminDisabled, RuntimeAdminOptions.AdminTokenVariable);
        }
        else
        {
            logger.LogInformation("Runtime admin API is disabled ({Enable} is not true); tenant caps come from {Source} (Redis {Redis}).",
                RuntimeAdminOptions.EnableAdminVariable, admin.RedisConfigured ? "published configs" : TenantCaps.ConfiguredSource, redis);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
