namespace Agent.Runtime.Clients.Voice;

public static class VoiceServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="VoiceServices"/>, the whisper_http STT and kokoro_http TTS clients and their HttpClients,
    /// each with its own resilience pipeline. HttpClient.Timeout is infinite: the pipeline owns timeouts.
    /// Needs EnvironmentVariables, TimeProvider and IOptions&lt;AgentOptions&gt;.
    /// </summary>
    public static IServiceCollection AddVoice(this IServiceCollection services)
    {
        services.AddHttpClient(WhisperHttpClient.HttpClientName)
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("voice-stt", VoicePipelines.ConfigureStt);
        services.AddHttpClient(KokoroHttpClient.HttpClientName)
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("voice-tts", VoicePipelines.ConfigureTts);
        services.AddSingleton<VoiceServices>();
        services.AddSingleton<ISpeechToText, WhisperHttpClient>();
        services.AddSingleton<ITextToSpeech, KokoroHttpClient>();
        return services;
    }
}
