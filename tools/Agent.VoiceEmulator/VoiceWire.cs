using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Agent.Domain.Voice;

namespace Agent.VoiceEmulator;

/// <summary>Speaks the whisper transcription (multipart in, {"text"} out) and OpenAI/Kokoro speech (JSON in, audio out) wire formats.</summary>
public sealed class VoiceWire(VoiceEmulatorSettings settings, VoiceRequestLog log)
{
    private readonly ConcurrentDictionary<string, int> attempts = new();

    public async Task TranscribeAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        context.Request.EnableBuffering();
        var body = await ReadAllAsync(context.Request.Body, ct);
        context.Request.Body.Position = 0;
        var (scenario, attempt) = Begin(context, body);
        if (await FaultAsync(context, scenario, attempt, body, ct))
        {
            return;
        }

        if (!context.Request.HasFormContentType)
        {
            await ErrorAsync(context, body, scenario, attempt, 400, "The body must be multipart/form-data with a 'file' part.", ct);
            return;
        }

        var form = await context.Request.ReadFormAsync(ct);
        var file = form.Files.GetFile("file");
        if (file is null || file.Length == 0)
        {
            await ErrorAsync(context, body, scenario, attempt, 400, "The multipart body has no 'file' part.", ct);
            return;
        }

        if (form.TryGetValue("response_format", out var format) && format.ToString() is not ("json" or ""))
        {
            await ErrorAsync(context, body, scenario, attempt, 400, $"response_format '{format}' is not supported by the emulator; use json.", ct);
            return;
        }

        if (scenario == VoiceScenario.Malformed)
        {
            await WriteAsync(context, body, scenario, attempt, 200, "application/json", "{\"text\": \"cut off"u8.ToArray(), ct);
            return;
        }

        byte[] audio;
        await using (var stream = file.OpenReadStream())
        {
            audio = await ReadAllAsync(stream, ct);
        }

        var phrase = context.Request.Headers.TryGetValue(VoiceScenario.PhraseHeader, out var p) && !string.IsNullOrWhiteSpace(p) ? p.ToString()
            : context.Request.Query.TryGetValue("phrase", out var q) && !string.IsNullOrWhiteSpace(q) ? q.ToString()
            : VoiceScenario.Phrase;
        var type = file.ContentType ?? "application/octet-stream";
        string text;
        if (type.Contains("wav", StringComparison.OrdinalIgnoreCase))
        {
            var info = WavFormat.TryRead(audio, out var problem);
            if (info is null)
            {
                await ErrorAsync(context, body, scenario, attempt, 400, $"The file is not a valid WAV: it {problem}.", ct);
                return;
            }

            text = string.Create(CultureInfo.InvariantCulture, $"{phrase}: {info.Duration.TotalSeconds:F1} seconds of audio at {info.SampleRate} Hz.");
        }
        else
        {
            text = string.Create(CultureInfo.InvariantCulture, $"{phrase}: {audio.Length} bytes of {type}.");
        }

        await WriteAsync(context, body, scenario, attempt, 200, "application/json", JsonSerializer.SerializeToUtf8Bytes(new { text }), ct);
    }

    public async Task SpeakAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        var body = await ReadAllAsync(context.Request.Body, ct);
        var (scenario, attempt) = Begin(context, body);
        if (await FaultAsync(context, scenario, attempt, body, ct))
        {
            return;
        }

        JsonNode? request;
        try
        {
            request = JsonNode.Parse(body);
        }
        catch (JsonException ex)
        {
            await ErrorAsync(context, body, scenario, attempt, 400, $"Body is not JSON: {ex.Message}", ct);
            return;
        }

        var input = request?["input"] is JsonValue iv && iv.TryGetValue<string>(out var i) ? i : null;
        var voice = request?["voice"] is JsonValue vv && vv.TryGetValue<string>(out var v) ? v : null;
        var format = request?["response_format"] is JsonValue fv && fv.TryGetValue<string>(out var f) ? f : "mp3";
        var rate = request?["sample_rate"] is JsonValue rv && rv.TryGetValue<int>(out var r) ? r : 24_000;
        if (string.IsNullOrWhiteSpace(input) || string.IsNullOrWhiteSpace(voice))
        {
            await ErrorAsync(context, body, scenario, attempt, 400, "input and voice are required strings.", ct);
            return;
        }

        if (format != "wav")
        {
            await ErrorAsync(context, body, scenario, attempt, 400, $"response_format '{format}' is not supported by the emulator; use wav.", ct);
            return;
        }

        if (rate is < 8_000 or > 48_000)
        {
            await ErrorAsync(context, body, scenario, attempt, 400, $"sample_rate {rate} is out of range.", ct);
            return;
        }

        if (scenario == VoiceScenario.Malformed)
        {
            await WriteAsync(context, body, scenario, attempt, 200, "audio/wav", "this is not a RIFF file"u8.ToArray(), ct);
            return;
        }

        var words = input.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var duration = TimeSpan.FromMilliseconds(Math.Clamp(words * 80, 300, 5_000));
        await WriteAsync(context, body, scenario, attempt, 200, "audio/wav", WavFormat.Tone(duration, rate, 440), ct);
    }

    private (string Scenario, int Attempt) Begin(HttpContext context, byte[] body)
    {
        var scenario = VoiceScenario.From(context.Request);
        var attempt = attempts.AddOrUpdate($"{context.Request.Path}|{Convert.ToHexString(SHA256.HashData(body))}", 1, (_, n) => n + 1);
        return (scenario, attempt);
    }

    /// <summary>Answers the failure scenarios; false when the request should be served normally.</summary>
    private async Task<bool> FaultAsync(HttpContext context, string scenario, int attempt, byte[] body, CancellationToken ct)
    {
        switch (scenario)
        {
            case VoiceScenario.RateLimited:
            case VoiceScenario.RateLimitedThenOk when attempt == 1:
                context.Response.Headers.RetryAfter = settings.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await ErrorAsync(context, body, scenario, attempt, 429, "Rate limit reached (emulated).", ct);
                return true;
            case VoiceScenario.ServerError:
            case VoiceScenario.ServerErrorThenOk when attempt == 1:
                await ErrorAsync(context, body, scenario, attempt, 500, "The server had an error (emulated).", ct);
                return true;
            case VoiceScenario.SlowFirstByte:
                await Task.Delay(settings.SlowFirstByteMs, ct);
                return false;
            default:
                return false;
        }
    }

    private Task ErrorAsync(HttpContext context, byte[] body, string scenario, int attempt, int status, string message, CancellationToken ct)
    {
        var type = status switch
        {
            429 => "rate_limit_exceeded",
            >= 500 => "server_error",
            _ => "invalid_request_error",
        };
        return WriteAsync(context, body, scenario, attempt, status, "application/json", JsonSerializer.SerializeToUtf8Bytes(new { error = new { message, type } }), ct);
    }

    private async Task WriteAsync(HttpContext context, byte[] body, string scenario, int attempt, int status, string contentType, byte[] answer, CancellationToken ct)
    {
        log.Add(new VoiceRequest(log.NextId(), context.Request.Path, context.Request.ContentType ?? "", scenario, attempt, status, body));
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = answer.Length;
        await context.Response.Body.WriteAsync(answer, ct);
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }
}
