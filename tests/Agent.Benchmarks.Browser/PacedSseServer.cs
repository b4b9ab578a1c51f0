using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Agent.Benchmarks.Browser;

/// <summary>
/// A minimal OpenAI-compatible streaming endpoint that sends "tN " chunks at a fixed pace and records the
/// wall-clock instant each chunk was flushed, so the page's arrival times can be compared with them.
/// </summary>
public sealed class PacedSseServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Dictionary<int, double> sentAt = [];
    private readonly Lock gate = new();

    private PacedSseServer(WebApplication app, int chunks, int paceMs)
    {
        this.app = app;
        Chunks = chunks;
        PaceMs = paceMs;
    }

    public int Chunks { get; }

    public int PaceMs { get; }

    public Uri BaseUrl => new(app.Urls.First() + "/v1");

    public static async Task<PacedSseServer> StartAsync(int chunks, int paceMs)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new PacedSseServer(app, chunks, paceMs);
        app.MapPost("/v1/chat/completions", server.StreamAsync);
        await app.StartAsync();
        return server;
    }

    /// <summary>Epoch milliseconds at which chunk <paramref name="index"/> of the latest request was flushed.</summary>
    public IReadOnlyDictionary<int, double> SentAt()
    {
        lock (gate)
        {
            return new Dictionary<int, double>(sentAt);
        }
    }

    private async Task StreamAsync(HttpContext context)
    {
        lock (gate)
        {
            sentAt.Clear();
        }

        context.Response.ContentType = "text/event-stream";
        var origin = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency);
        for (var i = 1; i <= Chunks && !context.RequestAborted.IsCancellationRequested; i++)
        {
            var chunk = JsonSerializer.Serialize(new
            {
                id = "bench",
                @object = "chat.completion.chunk",
                model = "emulator-model",
                choices = new[] { new { index = 0, delta = new { content = $"t{i} " }, finish_reason = (string?)null } },
            });
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes($"data: {chunk}\n\n"), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            lock (gate)
            {
                sentAt[i] = origin + (Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency);
            }

            await Task.Delay(PaceMs, context.RequestAborted);
        }

        var done = JsonSerializer.Serialize(new
        {
            id = "bench",
            @object = "chat.completion.chunk",
            model = "emulator-model",
            choices = new[] { new { index = 0, delta = new { content = "" }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 5, completion_tokens = Chunks, total_tokens = Chunks + 5 },
        });
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes($"data: {done}\n\ndata: [DONE]\n\n"), context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
