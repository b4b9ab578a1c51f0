using System.Net.Http.Json;
using System.Text.Json;
using Agent.Domain.Runtime;
using Agent.ProviderEmulator;
using Agent.Runtime.Chat;
using Agent.Runtime.Runtime;
using Agent.Runtime.Services;
using Agent.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

/// <summary>
/// The real host with the provider emulator as its default provider, a skills folder, the store calls counted and a
/// <see cref="TurnStartProbe"/>: for tests of what a turn does before the provider request.
/// </summary>
internal sealed class EmulatedTurns : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly AgentAppFactory app;
    private readonly HttpClient client;
    private readonly TurnStartProbe probe;

    private EmulatedTurns(AgentAppFactory app, HttpClient client, TurnStartProbe probe, string skillsFolder, Guid sessionId)
    {
        this.app = app;
        this.client = client;
        this.probe = probe;
        SkillsFolder = skillsFolder;
        SessionId = sessionId;
    }

    public string SkillsFolder { get; }

    public Guid SessionId { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>A client of the host's API, as the local owner.</summary>
    public HttpClient Client => client;

    public SkillCatalog Skills => app.Services.GetRequiredService<SkillCatalog>();

    /// <summary>Starts the host with a skills folder holding <paramref name="skills"/> skills (skill-1...) and creates a session.</summary>
    public static async Task<EmulatedTurns> StartAsync(EmulatorServer emulator, int skills = 3)
    {
        var skillsFolder = Path.Combine(Path.GetTempPath(), "agent-web-tests", "skills-" + Guid.NewGuid().ToString("N"), "skills");
        for (var i = 1; i <= skills; i++)
        {
            SkillFolders.Write(skillsFolder, $"skill-{i}", $"Test skill number {i}.");
        }

        var app = UsageHostTests.Emulated(new AgentAppFactory(), emulator, "OpenAICompatible")
            .WithSetting("Agent:Skills:Folders:0", skillsFolder)
            .WithSetting("Agent:Memory:EpisodeJob", "false")
            .WithServices(services => StoreCallCounter.AddTo(services));
        var client = app.CreateClient();
        using var created = await client.PostAsJsonAsync("/api/sessions", new { title = "Turn start" });
        created.EnsureSuccessStatusCode();
        var sessionId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var catalog = app.Services.GetRequiredService<SkillCatalog>();
        var probe = new TurnStartProbe(app.Services.GetRequiredService<StoreCallCounter>(), emulator.Requests, () => catalog.SkillFilesRead);
        return new EmulatedTurns(app, client, probe, skillsFolder, sessionId);
    }

    /// <summary>Sends a message and waits until its turn and its execution have ended.</summary>
    public async Task SendAndSettleAsync(string text)
    {
        var started = await app.Services.GetRequiredService<ChatCoordinator>().SendAsync("local", SessionId, text, null, CancellationToken.None);
        await SettleAsync(started.ExecutionId);
    }

    /// <summary>Sends a message, measuring from the send to the provider request, and waits until the turn has ended.</summary>
    public async Task<TurnStartSample> MeasureSendAsync(string text)
    {
        var chat = app.Services.GetRequiredService<ChatCoordinator>();
        var (sample, started) = await probe.MeasureAsync(() => chat.SendAsync("local", SessionId, text, null, CancellationToken.None), Timeout);
        await SettleAsync(started.ExecutionId);
        return sample;
    }

    public async ValueTask DisposeAsync()
    {
        probe.Dispose();
        client.Dispose();
        await app.DisposeAsync();
        try
        {
            Directory.Delete(Path.GetDirectoryName(SkillsFolder)!, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private async Task SettleAsync(Guid executionId)
    {
        await app.Services.GetRequiredService<ChatCoordinator>().WhenIdleAsync(SessionId).WaitAsync(Timeout);
        var runtime = app.Services.GetRequiredService<ExecutionRuntime>();
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = app.Services.GetRequiredService<ExecutionFeed>().Subscribe(change =>
        {
            if (change.Execution.Id == executionId && ExecutionLifecycle.IsTerminal(change.Execution.Status))
            {
                ended.TrySetResult();
            }
        });
        if (await runtime.FindAsync("local", executionId, CancellationToken.None) is { } now && ExecutionLifecycle.IsTerminal(now.Status))
        {
            return;
        }

        await ended.Task.WaitAsync(Timeout);
    }
}
