using Agent.Runtime.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Agent.Web.Telemetry;

/// <summary>
/// OpenTelemetry traces and metrics (HTTP server and client, provider calls with the GenAI conventions, tool calls and
/// executions), exported over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set; without it nothing is collected.
/// The exporter reads the standard OTEL_* variables (protocol, headers, service name) itself.
/// </summary>
public static class OpenTelemetrySetup
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public const string ServiceName = "personal-agent-chat";

    public static IServiceCollection AddAgentTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton<AgentInstrumentation>();
        if (string.IsNullOrWhiteSpace(configuration[EndpointVariable]))
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceVersion: typeof(OpenTelemetrySetup).Assembly.GetName().Version?.ToString()))
            .WithTracing(tracing => tracing
                .AddSource(AgentInstrumentation.SourceName, AgentInstrumentation.GenAiSourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/_blazor") && !http.Request.Path.StartsWithSegments("/_framework"))
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(AgentInstrumentation.SourceName, AgentInstrumentation.GenAiSourceName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation())
            .UseOtlpExporter();
        return services;
    }
}
