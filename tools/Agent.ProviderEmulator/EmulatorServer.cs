using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Agent.ProviderEmulator;

/// <summary>Settings of a running emulator; mutable so tests can change delays between requests.</summary>
public sealed class EmulatorSettings
{
    /// <summary>Pause between streamed events unless the request asks otherwise ([delay:N] or X-Emulator-Chunk-Delay-Ms).</summary>
    public int ChunkDelayMs { get; set; } = 5;

    /// <summary>How long "slow-first-byte" waits before sending anything.</summary>
    public int SlowFirstByteMs { get; set; } = 3_000;

    /// <summary>Seconds sent in Retry-After by the 429 scenarios (retry-after-ms carries RetryAfterMs).</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    public int RetryAfterMs { get; set; } = 300;
}

/// <summary>The emulator as a real Kestrel server on 127.0.0.1 (port 0 picks a free port). Used by the CLI and by tests.</summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private EmulatorServer(WebApplication app, Uri baseAddress, RequestLog requests, EmulatorSettings settings)
    {
        this.app = app;
        BaseAddress = baseAddress;
        Requests = requests;
        Settings = settings;
    }

    /// <summary>What GET /v1/models lists: the test configs' models and one no config lists (a "listed-only" model).</summary>
    public static IReadOnlyList<string> ListedModels { get; } = ["emulator-model", "gpt-emu", "emulator-listed-model"];

    public Uri BaseAddress { get; }

    /// <summary>Base URL for an OpenAI-compatible provider (…/v1).</summary>
    public Uri OpenAIBaseUrl => new(BaseAddress, "v1");

    /// <summary>Base URL for an Anthropic provider (the adapter appends v1/messages).</summary>
    public Uri AnthropicBaseUrl => BaseAddress;

    public RequestLog Requests { get; }

    public EmulatorSettings Settings { get; }

    public static async Task<EmulatorServer> StartAsync(EmulatorSettings? settings = null, string urls = "http://127.0.0.1:0", bool quiet = true, CancellationToken cancellationToken = default)
    {
        settings ??= new EmulatorSettings();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.WebHost.UseUrls(urls);
        // The "disconnect" fault aborts right after a flush, and an abort drops what the socket transport's output
        // pipe still holds (so a reply sometimes lost its last event). With a 2-byte write buffer a flush waits until
        // the pipe is empty, i.e. until the socket has taken every byte the emulator says it sent.
        builder.WebHost.UseSockets(sockets => sockets.MaxWriteBufferSize = 2);
        builder.Logging.ClearProviders();
        if (!quiet)
        {
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        }

        var requests = new RequestLog();
        var wire = new WireEmulator(settings, requests);
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", wire.OpenAIAsync);
        app.MapPost("/v1/messages", wire.AnthropicAsync);
        app.MapGet("/v1/models", (HttpContext context) =>
        {
            var record = requests.Add(context.Request, "");
            record.Status = StatusCodes.Status200OK;
            record.Completed = true;
            return Results.Json(new
            {
                @object = "list",
                data = ListedModels.Select(id => new { id, @object = "model", created = 1_700_000_000, owned_by = "emulator" }),
            });
        });
        app.MapGet("/emulator/requests", () => Results.Json(requests.All()));
        app.MapDelete("/emulator/requests", () =>
        {
            requests.Clear();
            return Results.NoContent();
        });
        app.MapGet("/emulator/scenarios", () => Results.Json(Scenario.All));
        app.MapGet("/health", () => Results.Json(new { status = "ok" }));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EmulatorServer(app, new Uri(address.EndsWith('/') ? address : address + "/"), requests, settings);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
