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
/// wall-clock instant each chunk was flushed, so the page's arrival times can be compared with them. It also records
/// when it has read each request (on this process's <see cref="Stopwatch"/>), and can hold every stream after its first
/// chunk until released, so a reading can be taken while many replies are streaming.
/// </summary>
public sealed class PacedSseServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Dictionary<int, double> sentAt = [];
    private readonly Lock gate = new();
    private long lastRequestReadAt;
    private int lastRequestBytes;
    private TaskCompletionSource? release;
    private TaskCompletionSource? allHeld;
    private int heldWanted;
    private int held;

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

    /// <summary>The <see cref="Stopwatch"/> timestamp at which the latest request had been read, and its size in bytes.</summary>
    public (long ReadAt, int Bytes) LastRequest()
    {
        lock (gate)
        {
            return (lastRequestReadAt, lastRequestBytes);
        }
    }

    /// <summary>From now on each stream stops after its first chunk; the returned task completes once <paramref name="streams"/> are held.</summary>
    public Task HoldAsync(int streams)
    {
        lock (gate)
        {
            release = new(TaskCreationOptions.RunContinuationsAsynchronously);
            allHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
            heldWanted = streams;
            held = 0;
            return allHeld.Task;
        }
    }

    /// <summary>Lets the held streams (and any later one) run to their end.</summary>
    public void Release()
    {
        TaskCompletionSource? released;
        lock (gate)
        {
            released = release;
            release = null;
        }

        released?.TrySetResult();
    }

    private async Task StreamAsync(HttpContext context)
    {
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            lock (gate)
            {
                lastRequestReadAt = Stopwatch.GetTimestamp();
                lastRequestBytes = Encoding.UTF8.GetByteCount(body);
            }
        }

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

            if (i == 1)
            {
                await WaitWhileHeldAsync(context.RequestAborted);
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

    private Task WaitWhileHeldAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (release is null)
            {
                return Task.CompletedTask;
            }

            if (++held >= heldWanted)
            {
                allHeld?.TrySetResult();
            }

            return release.Task.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
