namespace Agent.Domain.Configuration;

/// <summary>Agent:Voice: the STT and TTS servers (the same modes as the runtime contract's stt and tts).</summary>
public sealed class VoiceOptions
{
    /// <summary>The largest recording /api/voice/transcribe accepts.</summary>
    public int MaxAudioBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>The longest text /api/voice/speak accepts.</summary>
    public int MaxSpeakChars { get; set; } = 4_000;

    public SttOptions Stt { get; set; } = new();

    public TtsOptions Tts { get; set; } = new();
}

public sealed class SttOptions
{
    public const string WhisperHttp = "whisper_http";

    public string Mode { get; set; } = WhisperHttp;

    /// <summary>The full transcription endpoint, for example http://127.0.0.1:8080/v1/audio/transcriptions.</summary>
    public string? Url { get; set; }

    /// <summary>The NAME of the environment variable holding the URL when Url is not set.</summary>
    public string? UrlEnvVar { get; set; } = "WHISPER_URL";

    /// <summary>The model field sent to the server; whisper.cpp ignores it, OpenAI-style servers need it.</summary>
    public string Model { get; set; } = "whisper-1";

    /// <summary>ISO 639-1 code, or "auto" to let the server detect the language.</summary>
    public string Language { get; set; } = "en";

    /// <summary>Chunk length the runtime streams with (runtime contract stt.chunkMs); the workbench sends whole recordings.</summary>
    public int ChunkMs { get; set; } = 500;

    public VoiceResilienceOptions Resilience { get; set; } = new();
}

public sealed class TtsOptions
{
    public const string KokoroHttp = "kokoro_http";

    public static readonly IReadOnlyList<string> Formats = ["wav", "mp3", "opus", "flac"];

    public static readonly IReadOnlyList<int> SampleRates = [8_000, 16_000, 22_050, 24_000, 44_100, 48_000];

    public string Mode { get; set; } = KokoroHttp;

    /// <summary>The full speech endpoint, for example http://127.0.0.1:8880/v1/audio/speech.</summary>
    public string? Url { get; set; }

    /// <summary>The NAME of the environment variable holding the URL when Url is not set.</summary>
    public string? UrlEnvVar { get; set; } = "KOKORO_URL";

    public string Model { get; set; } = "kokoro";

    public string Voice { get; set; } = "af_heart";

    public string Format { get; set; } = "wav";

    public int SampleRate { get; set; } = 24_000;

    public VoiceResilienceOptions Resilience { get; set; } = new();
}

/// <summary>Timeouts and retries of one voice server; retries happen only before the response headers arrive.</summary>
public sealed class VoiceResilienceOptions
{
    public int TotalTimeoutMs { get; set; } = 120_000;

    /// <summary>Per attempt, until the response headers arrive (a long recording takes a while to transcribe).</summary>
    public int AttemptTimeoutMs { get; set; } = 60_000;

    public int MaxRetries { get; set; } = 2;

    public int RetryBaseDelayMs { get; set; } = 500;

    public int RetryMaxDelayMs { get; set; } = 8_000;

    /// <summary>A Retry-After longer than this is not waited for: the error goes to the person instead.</summary>
    public int MaxRetryAfterMs { get; set; } = 15_000;
}
