using System.Net.Http.Headers;
using System.Text.Json;
using Agent.Domain.Voice;

namespace Agent.Runtime.Clients.Voice;

public interface ISpeechToText
{
    VoiceAvailability Availability { get; }

    /// <summary>The transcript; throws <see cref="VoiceException"/> when blocked or when the server fails.</summary>
    Task<string> TranscribeAsync(VoiceAudio audio, CancellationToken cancellationToken);
}

/// <summary>
/// STT mode whisper_http: POSTs the recording as multipart/form-data (file, model, response_format=json, language)
/// to a whisper-compatible endpoint and reads {"text": "..."}. Wire contract:
/// .sentinel/contracts/voice/whisper-http.transcriptions.v1.yaml.
/// </summary>
public sealed class WhisperHttpClient(IHttpClientFactory httpClientFactory, VoiceServices voice, ILogger<WhisperHttpClient> logger) : ISpeechToText
{
    public const string HttpClientName = "voice-stt";
    public const string Contract = "whisper-http.transcriptions.v1";
    private const int MaxAnswerBytes = 1_048_576;

    public VoiceAvailability Availability => voice.SttAvailability;

    public async Task<string> TranscribeAsync(VoiceAudio audio, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audio);
        var endpoint = voice.SttEndpoint();
        var options = voice.Options.Stt;
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = BuildContent(audio, options.Model, options.Language) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await VoicePipelines.SendAsync(httpClientFactory.CreateClient(HttpClientName), request, VoiceServices.Stt, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await VoicePipelines.ReadErrorBodyAsync(response, cancellationToken);
            var error = VoiceError.FromStatus(VoiceServices.Stt, response.StatusCode, VoiceError.ServerMessage(body));
            logger.LogWarning("STT call failed: {Code} HTTP {Status}", error.Code, error.Status);
            throw new VoiceException(error);
        }

        var bytes = await VoicePipelines.ReadBoundedAsync(response, MaxAnswerBytes, VoiceServices.Stt, cancellationToken);
        return ReadTranscript(bytes);
    }

    /// <summary>The multipart body of the contract; field parts carry no Content-Type, as curl -F sends them.</summary>
    public static MultipartFormDataContent BuildContent(VoiceAudio audio, string model, string language)
    {
        ArgumentNullException.ThrowIfNull(audio);
        var boundary = "voice-" + Guid.NewGuid().ToString("N");
        var content = new MultipartFormDataContent(boundary);

        // .NET quotes the boundary parameter; some multipart parsers (cpp-httplib in whisper.cpp's server) keep the quotes.
        content.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary").Value = boundary;
        var mediaType = MediaTypeHeaderValue.Parse(audio.ContentType).MediaType ?? "application/octet-stream";
        var file = new ReadOnlyMemoryContent(audio.Bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        content.Add(file, "file", mediaType.Contains("webm", StringComparison.Ordinal) ? "audio.webm" : mediaType.Contains("ogg", StringComparison.Ordinal) ? "audio.ogg" : "audio.wav");
        AddField(content, "model", model);
        AddField(content, "response_format", "json");
        if (!string.Equals(language, "auto", StringComparison.Ordinal))
        {
            AddField(content, "language", language);
        }

        return content;
    }

    /// <summary>The transcript of a contract response body; throws a malformed-response error otherwise.</summary>
    public static string ReadTranscript(byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
            {
                throw new VoiceException(VoiceError.Malformed(VoiceServices.Stt, "the body has no string field \"text\""));
            }

            return text.GetString()!.Trim();
        }
        catch (JsonException ex)
        {
            throw new VoiceException(VoiceError.Malformed(VoiceServices.Stt, $"the body is not JSON ({ex.Message})"));
        }
    }

    private static void AddField(MultipartFormDataContent content, string name, string value)
    {
        var part = new StringContent(value);
        part.Headers.ContentType = null;
        content.Add(part, name);
    }
}
