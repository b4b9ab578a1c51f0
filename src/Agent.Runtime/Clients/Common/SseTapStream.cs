using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Agent.Runtime.Clients.Common;

/// <summary>The stream ended before its terminating event (for example [DONE] or message_stop).</summary>
internal sealed class StreamTruncatedException(string message) : Exception(message);

/// <summary>A stream event does not have the shape the provider contract pins.</summary>
internal sealed class ProviderContractException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The provider reported an error in the middle of a stream (its code and words, and whether trying again may help).</summary>
internal sealed class ProviderStreamErrorException(string code, string message, bool retryable) : Exception(message)
{
    public string Code => code;

    public bool Retryable => retryable;
}

/// <summary>
/// Hands an event stream to the SDK event by event, for what the SDKs cannot do themselves:
/// a stream that ends without its terminating event ends both SDKs quietly, as if the reply were complete (here:
/// <see cref="StreamTruncatedException"/>); an event that is not JSON fails them without saying which one (here:
/// <see cref="ProviderContractException"/> naming it, after every event before it was handed over); and the Anthropic
/// SDK throws on a message_start whose usage lacks input_tokens or output_tokens and on a message_delta without usage,
/// which servers that report usage late or not at all send (here: the missing counts are sent as 0 and <see cref="InputReported"/> /
/// <see cref="OutputReported"/> / <see cref="CacheReadReported"/> tell the caller they were never reported). An error
/// the provider sends mid-stream (Anthropic's error event, an OpenAI data event with an error object) reaches the SDKs
/// as an exception of their own without the provider's code; here it is a <see cref="ProviderStreamErrorException"/>.
/// </summary>
internal sealed class SseTapStream(Stream inner, bool anthropic) : Stream
{
    private readonly byte[] readBuffer = new byte[8192];
    private readonly List<byte> line = new(256);
    private readonly List<byte> rawEvent = new(512);
    private readonly List<byte> data = new(256);
    private byte[] output = new byte[8192];
    private int outputStart;
    private int outputEnd;
    private bool hasData;
    private string? eventName;
    private bool terminated;
    private bool ended;
    private int events;
    private Exception? fault;

    public bool InputReported { get; private set; }

    public bool OutputReported { get; private set; }

    public bool CacheReadReported { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (outputEnd > outputStart)
            {
                var n = Math.Min(buffer.Length, outputEnd - outputStart);
                output.AsSpan(outputStart, n).CopyTo(buffer.Span);
                outputStart += n;
                return n;
            }

            if (fault is not null)
            {
                throw fault;
            }

            if (ended)
            {
                return 0;
            }

            outputStart = outputEnd = 0;
            var read = await inner.ReadAsync(readBuffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                ended = true;
                if (!terminated)
                {
                    fault = new StreamTruncatedException($"the stream ended after {events} events without {(anthropic ? "message_stop" : "data: [DONE]")}.");
                }

                continue;
            }

            if (terminated)
            {
                Emit(readBuffer.AsSpan(0, read));
                continue;
            }

            Feed(readBuffer.AsSpan(0, read));
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void Feed(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0 && fault is null && !terminated)
        {
            var newline = bytes.IndexOf((byte)'\n');
            var piece = newline < 0 ? bytes : bytes[..(newline + 1)];
            rawEvent.AddRange(piece);
            if (newline < 0)
            {
                line.AddRange(bytes);
                return;
            }

            line.AddRange(bytes[..newline]);
            bytes = bytes[(newline + 1)..];
            Line();
        }

        if (terminated)
        {
            Emit(bytes);
        }
    }

    private void Line()
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(line);
        if (span.Length > 0 && span[^1] == (byte)'\r')
        {
            span = span[..^1];
        }

        if (span.Length == 0)
        {
            line.Clear();
            if (hasData)
            {
                Dispatch();
            }
            else
            {
                Emit(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rawEvent));
                rawEvent.Clear();
            }

            return;
        }

        if (span[0] != (byte)':')
        {
            var colon = span.IndexOf((byte)':');
            var field = colon < 0 ? span : span[..colon];
            var value = colon < 0 ? [] : span[(colon + 1)..];
            if (value.Length > 0 && value[0] == (byte)' ')
            {
                value = value[1..];
            }

            if (field.SequenceEqual("data"u8))
            {
                if (hasData)
                {
                    data.Add((byte)'\n');
                }

                data.AddRange(value);
                hasData = true;
            }
            else if (field.SequenceEqual("event"u8))
            {
                eventName = Encoding.UTF8.GetString(value);
            }
        }

        line.Clear();
    }

    private void Dispatch()
    {
        events++;
        var payload = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(data);
        var name = eventName;
        byte[]? patched = null;
        if (anthropic ? name == "message_stop" : payload.SequenceEqual("[DONE]"u8))
        {
            terminated = true;
        }
        else if (!IsJson(payload))
        {
            var text = Encoding.UTF8.GetString(payload);
            try
            {
                using var _ = JsonDocument.Parse(text);
            }
            catch (JsonException ex)
            {
                fault = new ProviderContractException($"event {events} is not valid JSON ({ex.Message}): {(text.Length <= 60 ? text : text[..60] + "...")}", ex);
            }
        }
        else if (StreamError(payload, name) is { } reported)
        {
            fault = reported;
        }
        else if (anthropic && name is "message_start" or "message_delta")
        {
            patched = Usage(payload, name == "message_start");
        }

        if (fault is null)
        {
            Emit(patched is null ? System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rawEvent) : patched);
        }

        rawEvent.Clear();
        data.Clear();
        hasData = false;
        eventName = null;
    }

    /// <summary>The error a provider reported in an event, or null for any other event.</summary>
    private ProviderStreamErrorException? StreamError(ReadOnlySpan<byte> payload, string? name)
    {
        if (anthropic ? name != "error" : payload.IndexOf("\"error\""u8) < 0)
        {
            return null;
        }

        using var document = JsonDocument.Parse(payload.ToArray());
        if (!document.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var message = Text(error, "message") ?? "the provider reported an error mid-stream.";
        if (anthropic)
        {
            var type = Text(error, "type") ?? "stream_error";
            return new ProviderStreamErrorException(type, message, type is "overloaded_error" or "api_error" or "rate_limit_error");
        }

        return new ProviderStreamErrorException(Text(error, "code") ?? Text(error, "type") ?? "stream_error", message, retryable: true);

        static string? Text(JsonElement element, string property) =>
            element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    /// <summary>
    /// Notes which usage counts the provider reported. A message_start without input or output tokens, or a message_delta
    /// without usage or output tokens, is re-encoded with zeros for them (the Anthropic SDK requires them); null otherwise.
    /// </summary>
    private byte[]? Usage(ReadOnlySpan<byte> payload, bool start)
    {
        var root = JsonNode.Parse(payload);
        var holder = start ? root?["message"] as JsonObject : root as JsonObject;
        if (holder is null)
        {
            return null;
        }

        var counts = holder["usage"] as JsonObject;
        InputReported |= counts?["input_tokens"] is JsonValue;
        OutputReported |= counts?["output_tokens"] is JsonValue;
        CacheReadReported |= counts?["cache_read_input_tokens"] is JsonValue;
        if (counts?["output_tokens"] is JsonValue && (!start || counts["input_tokens"] is JsonValue))
        {
            return null;
        }

        if (counts is null)
        {
            holder["usage"] = counts = [];
        }

        counts["output_tokens"] ??= 0;
        if (start)
        {
            counts["input_tokens"] ??= 0;
        }

        return Encoding.UTF8.GetBytes($"event: {(start ? "message_start" : "message_delta")}\ndata: {root!.ToJsonString()}\n\n");
    }

    private void Emit(ReadOnlySpan<byte> bytes)
    {
        if (outputEnd + bytes.Length > output.Length)
        {
            Array.Resize(ref output, Math.Max(output.Length * 2, outputEnd + bytes.Length));
        }

        bytes.CopyTo(output.AsSpan(outputEnd));
        outputEnd += bytes.Length;
    }

    private static bool IsJson(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
