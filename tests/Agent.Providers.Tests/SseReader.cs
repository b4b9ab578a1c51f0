using System.Runtime.CompilerServices;
using System.Text;

namespace Agent.Providers.Tests;

/// <summary>One server-sent event: the event name (null when absent) and its data lines joined by '\n'.</summary>
public readonly record struct SseEvent(string? Event, string Data);

/// <summary>
/// A strict server-sent-events reader (https://html.spec.whatwg.org/multipage/server-sent-events.html).
/// Decodes UTF-8 across read boundaries (a character split between two network chunks is reassembled) and
/// rejects invalid UTF-8 with <see cref="SseFormatException"/> instead of replacing it.
/// </summary>
public static class SseReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static async IAsyncEnumerable<SseEvent> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        string? eventName = null;
        StringBuilder? data = null;
        var lineNumber = 0;
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DecoderFallbackException ex)
            {
                throw new SseFormatException($"the stream is not valid UTF-8 after line {lineNumber}.", ex);
            }

            if (line is null)
            {
                // End of stream: an event without its terminating blank line is incomplete and is dropped (per spec).
                yield break;
            }

            lineNumber++;
            if (line.Length == 0)
            {
                if (data is not null)
                {
                    yield return new SseEvent(eventName, data.ToString());
                }

                eventName = null;
                data = null;
                continue;
            }

            if (line[0] == ':')
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.Length > 0 && value[0] == ' ')
            {
                value = value[1..];
            }

            switch (field)
            {
                case "data":
                    if (data is null)
                    {
                        data = new StringBuilder(value);
                    }
                    else
                    {
                        data.Append('\n').Append(value);
                    }

                    break;
                case "event":
                    eventName = value;
                    break;
                case "id" or "retry":
                    break;
                default:
                    throw new SseFormatException($"line {lineNumber} has the unknown field '{Truncate(field)}'.");
            }
        }
    }

    internal static string Truncate(string value) => value.Length <= 60 ? value : value[..60] + "...";
}

/// <summary>The bytes received do not form a valid event stream.</summary>
public sealed class SseFormatException(string message, Exception? inner = null) : Exception(message, inner);
