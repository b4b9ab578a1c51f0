using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Agent.Domain.Telemetry;
using Agent.ProviderEmulator;
using Agent.Runtime.Chat;
using Agent.Runtime.Services;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

/// <summary>
/// A turn on the real host (SQLite file, the provider emulator over HTTP) records its stages before the model call in
/// its trace: the wait for the runtime, each read the context needs, and the tools, each ending before the model call began.
/// </summary>
public sealed class TurnStagesTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_turns_trace_holds_each_stage_before_its_model_call_for_its_own_tenant_only()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 1 });
        await using var app = UsageHostTests.Emulated(new AgentAppFactory(), emulator, "OpenAICompatible")
            .WithSetting("Agent:Memory:EpisodeJob", "false");
        using var http = app.CreateClient();
        using var created = await http.PostAsJsonAsync(new Uri("/api/sessions", UriKind.Relative), new { title = "stages" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var session = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        using var sent = await http.PostAsJsonAsync(new Uri($"/api/sessions/{session}/messages", UriKind.Relative), new { text = "What do you remember about the garden?" });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var executionId = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("executionId").GetGuid();
        await app.Services.GetRequiredService<ChatCoordinator>().WhenIdleAsync(session).WaitAsync(Patience);

        var traces = app.Services.GetRequiredService<ExecutionTraceService>();
        var timeline = await traces.TimelineAsync("local", executionId, CancellationToken.None);
        var stages = timeline.Entries.Where(e => e.Kind == TraceKinds.TurnStage).ToDictionary(e => e.Name);
        Assert.Subset(stages.Keys.ToHashSet(),
            new HashSet<string> { "admission", "read reply", "read chat settings", "context: branch", "context: skills", "context: pinned memory", "context: episodes", "context: recall", "mark turn in flight", "tools" });
        Assert.All(stages.Values, s => Assert.True(s.DurationMs >= 0, s.Name));

        // Every stage ended before the model call began; the first stage is the runtime's admission, which starts the run.
        var call = Assert.Single(timeline.Entries, e => e.Kind == TraceKinds.ProviderCall);
        Assert.All(stages.Values, s => Assert.True(s.StartMs + s.DurationMs <= call.StartMs + 1, $"{s.Name} ends at {s.StartMs + s.DurationMs} ms, the call starts at {call.StartMs} ms"));
        Assert.Equal("admission", timeline.Entries[0].Name);

        Assert.Empty((await traces.TimelineAsync("someone-else", executionId, CancellationToken.None)).Entries);
    }
}
