namespace Agent.VoiceEmulator;

/// <summary>Per-request behaviour, chosen by the header X-Emulator-Scenario or the query ?scenario=NAME.</summary>
public static class VoiceScenario
{
    public const string Header = "X-Emulator-Scenario";

    /// <summary>Header (or ?phrase=) that replaces the transcript's fixed phrase.</summary>
    public const string PhraseHeader = "X-Emulator-Phrase";

    public const string Ok = "ok";
    public const string RateLimited = "429";
    public const string RateLimitedThenOk = "429-then-ok";
    public const string ServerError = "500";
    public const string ServerErrorThenOk = "500-then-ok";
    public const string Malformed = "malformed";
    public const string SlowFirstByte = "slow-first-byte";

    /// <summary>The fixed start of every emulated transcript.</summary>
    public const string Phrase = "Hello from the voice emulator";

    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>
    {
        [Ok] = "STT: {\"text\": \"<phrase>: N.N seconds of audio at R Hz.\"} (WAV) or \"...: N bytes of audio/webm.\"; TTS: a 16-bit mono WAV tone at the requested sample_rate, 80 ms per word",
        [RateLimited] = "always 429 with Retry-After and an OpenAI-style error body",
        [RateLimitedThenOk] = "429 with Retry-After for the first attempt of a body, then ok",
        [ServerError] = "always 500",
        [ServerErrorThenOk] = "500 for the first attempt of a body, then ok",
        [Malformed] = "STT: 200 with a body that is not JSON; TTS: 200 audio/wav whose bytes are not a WAV file",
        [SlowFirstByte] = "waits SlowFirstByteMs before answering, then ok",
    };

    public static string From(HttpRequest request)
    {
        if (request.Headers.TryGetValue(Header, out var header) && !string.IsNullOrWhiteSpace(header))
        {
            return header.ToString().Trim().ToLowerInvariant();
        }

        return request.Query.TryGetValue("scenario", out var query) && !string.IsNullOrWhiteSpace(query) ? query.ToString().Trim().ToLowerInvariant() : Ok;
    }
}
