using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Agent.Runtime.Telemetry;

/// <summary>
/// The app's own OpenTelemetry sources: spans and metrics for tool calls and runtime executions (provider calls are
/// traced by Microsoft.Extensions.AI's OpenTelemetryChatClient under <see cref="GenAiSourceName"/>). Names follow the
/// GenAI semantic conventions where one exists (execute_tool, gen_ai.tool.name).
/// </summary>
public sealed class AgentInstrumentation : IDisposable
{
    public const string SourceName = "Agent.Web";

    /// <summary>The ActivitySource and Meter name given to UseOpenTelemetry for provider calls.</summary>
    public const string GenAiSourceName = "Agent.Web.GenAI";

    private readonly Meter meter;

    public AgentInstrumentation(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        meter = meters.Create(SourceName);
        ToolCalls = meter.CreateCounter<long>("agent.tool.calls", "{call}", "Tool calls by tool and outcome.");
        ToolCallDuration = meter.CreateHistogram<double>("agent.tool.call.duration", "s", "How long a tool call ran.");
        Executions = meter.CreateCounter<long>("agent.executions", "{execution}", "Runtime executions by intent and final status.");
        ExecutionDuration = meter.CreateHistogram<double>("agent.execution.duration", "s", "How long an execution ran.");
    }

    public ActivitySource Source { get; } = new(SourceName);

    public Counter<long> ToolCalls { get; }

    public Histogram<double> ToolCallDuration { get; }

    public Counter<long> Executions { get; }

    public Histogram<double> ExecutionDuration { get; }

    public void Dispose()
    {
        Source.Dispose();
        meter.Dispose();
    }
}
