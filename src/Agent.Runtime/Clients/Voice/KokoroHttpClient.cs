using System.Net.Http.Headers;
using System.Text.Json.Serialization;
using Agent.Domain.Voice;

namespace Agent.Runtime.Clients.Voice;

public interface ITextToSpeech
{
    VoiceAvailability Availability { get; }

    /// <summary>The spoken text as audio; throws <see cref="VoiceException"/> when blocked or when the server fails.</summary>
    Task<SpeechAudio> SpeakAsync(string text, CancellationToken cancellationToken);
}

/// <summary>The JSON body of POST /v1/audio/speech (OpenAI-compatible, as Kokoro-FastAPI serves it).</summary>
public sealed record SpeechRequest(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("input")] string Input,
    [property: JsonPropertyName("voice")] string Voice,
    [property: JsonPropertyName("response_format")] string ResponseFormat,
    [property: JsonPropertyName("sample_rate")] int SampleRate,
    [property: JsonPropertyName("speed")] double Speed = 1.0);

/// <summary>
/// TTS mode kokoro_http: POSTs {model, input, voice, response_format, sample_rate, speed} as JSON and reads the audio
/// bytes. A WAV answer must be a well-formed 16-bit PCM file. Wire contract:
/// .sentinel/contracts/voice/kokoro-http.speech.v1.yaml.
/// </summary>
public sealed class KokoroHttpClient(IHttpClientFactory httpClientFactory, VoiceServices voice, ILogger<KokoroHttpClient> logger) : ITextToSpeech
{
    public const string HttpClientName = "voice-tts";
    public const string Contract = "kokoro-http.speech.v1";
    private const int MaxAudioBytes = 50 * 1024 * 1024;

    public VoiceAvailability Availability => voice.TtsAvailability;

    public async Task<SpeechAudio> SpeakAsync(string text, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var endpoint = voice.TtsEndpoint();
        var options = voice.Options.Tts;
        var body = new SpeechRequest(options.Model, text, options.Voice, options.Format, options.SampleRate);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = JsonContent.Create(body) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypeOf(options.Format)));
        using var response = await VoicePipelines.SendAsync(httpClientFactory.CreateClient(HttpClientName), request, VoiceServices.Tts, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var error = VoiceError.FromStatus(VoiceServices.Tts, response.StatusCode, VoiceError.ServerMessage(await VoicePipelines.ReadErrorBodyAsync(response, cancellationToken)));
            logger.LogWarning("TTS call failed: {Code} HTTP {Status}", error.Code, error.Status);
            throw new VoiceException(error);
        }

        var bytes = await VoicePipelines.ReadBoundedAsync(response, MaxAudioBytes, VoiceServices.Tts, cancellationToken);
        return ReadAudio(bytes, response.Content.Headers.ContentType?.MediaType, options.Format, options.SampleRate, logger);
    }

    public static string MediaTypeOf(string format) => format switch
    {
        "mp3" => "audio/mpeg",
        "opus" => "audio/ogg",
        "flac" => "audio/flac",
        _ => "audio/wav",
    };

    /// <summary>Checks a contract answer: audio bytes, and for wav a 16-bit PCM RIFF file.</summary>
    public static SpeechAudio ReadAudio(byte[] bytes, string? contentType, string format, int sampleRate, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(logger);
        if (contentType is not null && !contentType.StartsWith("audio/", StringComparison.OrdinalIgnoreCase) && contentType != "application/octet-stream")
        {
            throw new VoiceException(VoiceError.Malformed(VoiceServices.Tts, $"the answer is {contentType}, not audio"));
        }

        if (bytes.Length == 0)
        {
            throw new VoiceException(VoiceError.Malformed(VoiceServices.Tts, "the answer is empty"));
        }

        if (format == "wav")
        {
            var info = WavFormat.TryRead(bytes, out var problem)
                ?? throw new VoiceException(VoiceError.Malformed(VoiceServices.Tts, $"the WAV answer {problem}"));
            if (info.AudioFormat != WavFormat.Pcm || info.BitsPerSample != 16 || info.Channels != 1)
            {
                throw new VoiceException(VoiceError.Malformed(VoiceServices.Tts, $"the WAV answer is format {info.AudioFormat}, {info.BitsPerSample} bits, {info.Channels} channels, not 16-bit PCM mono"));
            }

            // Kokoro-FastAPI always renders 24 kHz and ignores sample_rate: play what came, say so in the log.
            if (info.SampleRate != sampleRate)
            {
                logger.LogInformation("TTS answered {Actual} Hz where {Requested} Hz was asked for", info.SampleRate, sampleRate);
            }
        }

        return new SpeechAudio(bytes, MediaTypeOf(format));
    }
}
