using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Agent.VoiceEmulator;

/// <summary>Settings of a running voice emulator.</summary>
public sealed class VoiceEmulatorSettings
{
    /// <summary>Seconds sent in Retry-After by the 429 scenarios.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>How long "slow-first-byte" waits before answering.</summary>
    public int SlowFirstByteMs { get; set; } = 3_000;
}

/// <summary>
/// A whisper-compatible STT (POST /v1/audio/transcriptions) and a Kokoro/OpenAI-compatible TTS (POST /v1/audio/speech)
/// on 127.0.0.1 (port 0 picks a free port). Used by the CLI and by tests.
/// </summary>
public sealed class VoiceEmulatorServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private VoiceEmulatorServer(WebApplication app, Uri baseAddress, VoiceRequestLog requests, VoiceEmulatorSettings settings)
    {
        this.app = app;
        BaseAddress = baseAddress;
        Requests = requests;
        Settings = settings;
    }

    public Uri BaseAddress { get; }

    /// <summary>The STT endpoint (Agent:Voice:Stt:Url).</summary>
    public Uri SttUrl => new(BaseAddress, "v1/audio/transcriptions");

    /// <summary>The TTS endpoint (Agent:Voice:Tts:Url).</summary>
    public Uri TtsUrl => new(BaseAddress, "v1/audio/speech");

    public VoiceRequestLog Requests { get; }

    public VoiceEmulatorSettings Settings { get; }

    /// <summary>An endpoint that always answers with <paramref name="scenario"/> (the client posts to the URL verbatim).</summary>
    public static Uri WithScenario(Uri endpoint, string scenario)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new UriBuilder(endpoint) { Query = $"scenario={Uri.EscapeDataString(scenario)}" }.Uri;
    }

    public static async Task<VoiceEmulatorServer> StartAsync(VoiceEmulatorSettings? settings = null, string urls = "http://127.0.0.1:0", bool quiet = true, CancellationToken cancellationToken = default)
    {
        settings ??= new VoiceEmulatorSettings();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.WebHost.UseUrls(urls);
        builder.Logging.ClearProviders();
        if (!quiet)
        {
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        }

        var requests = new VoiceRequestLog();
        var wire = new VoiceWire(settings, requests);
        var app = builder.Build();
        app.MapPost("/v1/audio/transcriptions", wire.TranscribeAsync);
        app.MapPost("/inference", wire.TranscribeAsync);
        app.MapPost("/v1/audio/speech", wire.SpeakAsync);
        app.MapGet("/emulator/requests", () => Results.Json(requests.All()));
        app.MapDelete("/emulator/requests", () =>
        {
            requests.Clear();
            return Results.NoContent();
        });
        app.MapGet("/emulator/scenarios", () => Results.Json(VoiceScenario.All));
        app.MapGet("/health", () => Results.Json(new { status = "ok" }));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new VoiceEmulatorServer(app, new Uri(address.EndsWith('/') ? address : address + "/"), requests, settings);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
