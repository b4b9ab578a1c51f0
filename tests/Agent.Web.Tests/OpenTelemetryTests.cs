using System.Diagnostics;
using Agent.ProviderEmulator;
using Agent.Runtime.Telemetry;
using Agent.Web.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Agent.Web.Tests;

/// <summary>Spans and metrics of the real host captured with OpenTelemetry's in-memory exporter.</summary>
public sealed class OpenTelemetryTests
{
    private const string Secret = "my-very-private-question";

    [Fact]
    public async Task With_an_OTLP_endpoint_set_HTTP_provider_tool_and_execution_spans_and_metrics_are_emitted_without_prompt_text()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 1 });
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        await using var app = UsageHostTests.Emulated(new AgentAppFactory(), emulator, "OpenAICompatible")
            .WithSetting(OpenTelemetrySetup.EndpointVariable, "http://127.0.0.1:9")
            .WithServices(services => services
                .ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans))
                .ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(metrics)));
        var (reply, client) = await UsageHostTests.SendAsync(app, $"[scenario:tool-call] {Secret}");
        using var _ = client;
        Assert.Equal(Domain.Sessions.MessageStatus.Complete, reply.Status);
        app.Services.GetRequiredService<MeterProvider>().ForceFlush();
        app.Services.GetRequiredService<TracerProvider>().ForceFlush();

        Activity[] finished;
        lock (spans)
        {
            finished = spans.ToArray();
        }

        // Listeners are process-wide (other tests and the emulator's own host run alongside): pick this turn's spans by ids.
        var http = Assert.Single(finished, s => s.Kind == ActivityKind.Server && (s.GetTagItem("url.path") as string) == $"/api/sessions/{reply.SessionId}/messages");
        Assert.Equal("POST /api/sessions/{id:guid}/messages", http.DisplayName);
        Assert.Equal(202, http.GetTagItem("http.response.status_code"));
        var execution = Assert.Single(finished, s => s.DisplayName == "execution send_message" && (s.GetTagItem("agent.execution.id") as string) == reply.ExecutionId?.ToString());
        Assert.Equal("completed", execution.GetTagItem("agent.execution.outcome"));
        var run = finished.Where(s => s.TraceId == execution.TraceId).ToList();
        var chats = run.Where(s => s.Source.Name == AgentInstrumentation.GenAiSourceName && s.DisplayName == "chat emulator-model").ToList();
        Assert.Equal(2, chats.Count); // the tool call, then the answer
        Assert.All(chats, c => Assert.Equal("emulator-model", c.GetTagItem("gen_ai.request.model")));
        Assert.Contains(chats, c => c.GetTagItem("gen_ai.usage.input_tokens") is int or long);
        var tool = Assert.Single(run, s => s.Source.Name == AgentInstrumentation.SourceName && s.DisplayName.StartsWith("execute_tool ", StringComparison.Ordinal));
        Assert.Equal("execute_tool", tool.GetTagItem("gen_ai.operation.name"));
        Assert.NotNull(tool.GetTagItem("agent.tool.outcome"));
        Assert.Contains(run, s => s.Kind == ActivityKind.Client && s.Source.Name.StartsWith("System.Net.Http", StringComparison.Ordinal));

        // No prompt text in telemetry unless Agent:Telemetry:OtelIncludeSensitiveData is on.
        foreach (var span in finished)
        {
            Assert.DoesNotContain(span.TagObjects, t => t.Value?.ToString()?.Contains(Secret, StringComparison.Ordinal) == true);
            Assert.DoesNotContain(span.Events.SelectMany(e => e.Tags), t => t.Value?.ToString()?.Contains(Secret, StringComparison.Ordinal) == true);
        }

        string[] names;
        lock (metrics)
        {
            names = metrics.Select(m => m.Name).Distinct().ToArray();
        }

        Assert.Contains("gen_ai.client.token.usage", names);
        Assert.Contains("gen_ai.client.operation.duration", names);
        Assert.Contains("agent.tool.calls", names);
        Assert.Contains("agent.executions", names);
        Assert.Contains("http.server.request.duration", names);
    }

    [Fact]
    public async Task Without_an_OTLP_endpoint_no_telemetry_pipeline_is_registered()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();
        Assert.Null(app.Services.GetService<TracerProvider>());
        Assert.Null(app.Services.GetService<MeterProvider>());
        var health = await client.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.True(health.IsSuccessStatusCode);
    }
}
