using System.Buffers;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Agent.Runtime.Runtime;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Agent.Web.Api;

/// <summary>
/// Writes an execution's subscription (<see cref="ExecutionSubscription"/>) as server-sent events: "event:" the event's
/// name, "data:" its JSON (camelCase, the API's options), "id:" its cursor. It formats only; what is sent, and when the
/// stream ends, is the subscription's. It stops when the client goes (RequestAborted). Not TypedResults.ServerSentEvents:
/// that result writes nothing but SseItems, and the keep-alive must be a comment (see below); it uses the same
/// SseFormatter and sends the same headers.
/// </summary>
public sealed class ExecutionEventStream(IAsyncEnumerable<ExecutionStreamEvent> events) : IResult
{
    public const string MediaType = "text/event-stream";
    public const string LastEventIdHeader = "Last-Event-ID";

    private static readonly byte[] KeepAlive = ": keep-alive\n\n"u8.ToArray();

    /// <summary>Whether the request asks for the event stream (Accept names text/event-stream) rather than the JSON list.</summary>
    public static bool IsAccepted(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase));
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        var aborted = httpContext.RequestAborted;
        var json = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

        // The headers TypedResults.ServerSentEvents sends, and the same unbuffered body.
        response.ContentType = MediaType;
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers.Pragma = "no-cache";
        response.Headers.ContentEncoding = "identity";
        response.Headers.Vary = HeaderNames.Accept;
        httpContext.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();

        try
        {
            await response.StartAsync(aborted);
            await foreach (var item in events.WithCancellation(aborted))
            {
                if (item is ExecutionKeepAliveEvent)
                {
                    // The one line written by hand: SseItem has no comment field, so SseFormatter cannot write a comment
                    // (": keep-alive"), the keep-alive that no client treats as an event.
                    await response.Body.WriteAsync(KeepAlive, aborted);
                }
                else
                {
                    var sse = new SseItem<object?>(item.Data, item.Name) { EventId = item.Cursor.ToString() };
                    await SseFormatter.WriteAsync(new[] { sse }.ToAsyncEnumerable(), response.Body, (i, writer) => Write(i.Data, writer, json), aborted);
                }

                await response.Body.FlushAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away: the subscription is disposed with the enumeration, and there is nobody to answer.
        }
        catch (IOException) when (aborted.IsCancellationRequested)
        {
            // The connection closed while an event was being written.
        }
    }

    private static void Write(object? data, IBufferWriter<byte> writer, JsonSerializerOptions json)
    {
        if (data is not null)
        {
            writer.Write(JsonSerializer.SerializeToUtf8Bytes(data, data.GetType(), json));
        }
    }
}
