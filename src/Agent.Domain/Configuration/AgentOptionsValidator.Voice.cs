using System.Text.RegularExpressions;

namespace Agent.Domain.Configuration;

public static partial class AgentOptionsValidator
{
    private static void ValidateVoice(VoiceOptions voice, List<ConfigError> errors)
    {
        const string key = Section + ":Voice";
        ValidatePositive($"{key}:MaxAudioBytes", voice.MaxAudioBytes, errors);
        ValidatePositive($"{key}:MaxSpeakChars", voice.MaxSpeakChars, errors);

        var stt = voice.Stt;
        if (!string.Equals(stt.Mode, SttOptions.WhisperHttp, StringComparison.Ordinal))
        {
            errors.Add(new($"{key}:Stt:Mode", $"'{stt.Mode}' is not an STT mode.", $"use {SttOptions.WhisperHttp}."));
        }

        ValidateVoiceUrl($"{key}:Stt", stt.Url, stt.UrlEnvVar, errors);
        if (string.IsNullOrWhiteSpace(stt.Model))
        {
            errors.Add(new($"{key}:Stt:Model", "is empty.", "use whisper-1 (whisper.cpp ignores it) or the server's model name."));
        }

        if (!LanguageCode().IsMatch(stt.Language ?? ""))
        {
            errors.Add(new($"{key}:Stt:Language", $"'{stt.Language}' is not a language code.", "use an ISO 639-1 code such as en, or auto."));
        }

        if (stt.ChunkMs is < 100 or > 30_000)
        {
            errors.Add(new($"{key}:Stt:ChunkMs", $"is {stt.ChunkMs}; it must be between 100 and 30000.", "use 500."));
        }

        ValidateVoiceResilience($"{key}:Stt:Resilience", stt.Resilience, errors);

        var tts = voice.Tts;
        if (!string.Equals(tts.Mode, TtsOptions.KokoroHttp, StringComparison.Ordinal))
        {
            errors.Add(new($"{key}:Tts:Mode", $"'{tts.Mode}' is not a TTS mode.", $"use {TtsOptions.KokoroHttp}."));
        }

        ValidateVoiceUrl($"{key}:Tts", tts.Url, tts.UrlEnvVar, errors);
        if (string.IsNullOrWhiteSpace(tts.Model))
        {
            errors.Add(new($"{key}:Tts:Model", "is empty.", "use kokoro."));
        }

        if (string.IsNullOrWhiteSpace(tts.Voice))
        {
            errors.Add(new($"{key}:Tts:Voice", "is empty.", "name a voice of the server, such as af_heart."));
        }

        if (!TtsOptions.Formats.Contains(tts.Format))
        {
            errors.Add(new($"{key}:Tts:Format", $"'{tts.Format}' is not an audio format.", $"use one of {string.Join(", ", TtsOptions.Formats)}."));
        }

        if (!TtsOptions.SampleRates.Contains(tts.SampleRate))
        {
            errors.Add(new($"{key}:Tts:SampleRate", $"is {tts.SampleRate}.", $"use one of {string.Join(", ", TtsOptions.SampleRates)} (Kokoro produces 24000)."));
        }

        ValidateVoiceResilience($"{key}:Tts:Resilience", tts.Resilience, errors);
    }

    private static void ValidateVoiceUrl(string key, string? url, string? urlEnvVar, List<ConfigError> errors)
    {
        // An empty URL is not an error: the service is then blocked with the action, and the rest of the app runs.
        if (!string.IsNullOrWhiteSpace(url) && !IsHttpUrl(url))
        {
            errors.Add(new($"{key}:Url", $"'{url}' is not an absolute http(s) URL.", "give the server's endpoint, for example http://127.0.0.1:8080/v1/audio/transcriptions, or leave it empty."));
        }

        ValidateEnvVarName($"{key}:UrlEnvVar", urlEnvVar, errors);
    }

    private static void ValidateVoiceResilience(string key, VoiceResilienceOptions r, List<ConfigError> errors)
    {
        ValidatePositive($"{key}:TotalTimeoutMs", r.TotalTimeoutMs, errors);
        ValidatePositive($"{key}:AttemptTimeoutMs", r.AttemptTimeoutMs, errors);
        ValidatePositive($"{key}:RetryBaseDelayMs", r.RetryBaseDelayMs, errors);
        ValidatePositive($"{key}:RetryMaxDelayMs", r.RetryMaxDelayMs, errors);
        if (r.MaxRetries is < 0 or > 10)
        {
            errors.Add(new($"{key}:MaxRetries", $"is {r.MaxRetries}; it must be between 0 and 10.", "use 2."));
        }

        if (r.MaxRetryAfterMs < 0)
        {
            errors.Add(new($"{key}:MaxRetryAfterMs", $"is {r.MaxRetryAfterMs}; it must not be negative.", "use 15000."));
        }

        if (r.AttemptTimeoutMs > r.TotalTimeoutMs)
        {
            errors.Add(new($"{key}:AttemptTimeoutMs", "is longer than TotalTimeoutMs.", "make the attempt timeout at most the total timeout."));
        }
    }

    [GeneratedRegex("^(auto|[a-z]{2,3}(-[A-Za-z]{2,4})?)$")]
    private static partial Regex LanguageCode();
}
