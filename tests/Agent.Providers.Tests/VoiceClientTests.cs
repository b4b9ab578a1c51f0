using System.Diagnostics;
using Agent.Domain.Configuration;
using Agent.Domain.Voice;
using Agent.Runtime.Clients.Voice;
using Agent.Runtime.Hosting;
using Agent.VoiceEmulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Agent.Providers.Tests;

public sealed class VoiceEmulatorFixture : IAsyncLifetime
{
    public VoiceEmulatorServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await VoiceEmulatorServer.StartAsync(new VoiceEmulatorSettings { RetryAfterSeconds = 1 });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The app's voice set-up (AddVoice) with the given Agent:Voice settings and environment.</summary>
public sealed class VoiceHarness : IDisposable
{
    private readonly ServiceProvider services;

    public VoiceHarness(Action<VoiceOptions> configure, Dictionary<string, string?>? environment = null)
    {
        var options = new AgentOptions();
        options.Voice.Stt.Resilience.RetryBaseDelayMs = 20;
        options.Voice.Tts.Resilience.RetryBaseDelayMs = 20;
        configure(options.Voice);
        Assert.Empty(VoiceErrors(options));
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddSingleton(TimeProvider.System);
        collection.AddSingleton(new EnvironmentVariables(name => environment?.GetValueOrDefault(name)));
        collection.AddSingleton(Options.Create(options));
        collection.AddVoice();
        services = collection.BuildServiceProvider();
    }

    public static IEnumerable<ConfigError> VoiceErrors(AgentOptions options) =>
        AgentOptionsValidator.Validate(options).Where(e => e.Key.StartsWith("Agent:Voice", StringComparison.Ordinal));

    public ISpeechToText Stt => services.GetRequiredService<ISpeechToText>();

    public ITextToSpeech Tts => services.GetRequiredService<ITextToSpeech>();

    public void Dispose() => services.Dispose();
}

/// <summary>The whisper_http and kokoro_http clients over real HTTP against tools/Agent.VoiceEmulator.</summary>
public sealed class VoiceClientTests(VoiceEmulatorFixture fixture) : IClassFixture<VoiceEmulatorFixture>
{
    private static readonly VoiceAudio OneSecond = new(WavFormat.Tone(TimeSpan.FromSeconds(1), 16_000, 300), "audio/wav");

    private VoiceEmulatorServer Emulator => fixture.Server;

    private VoiceHarness Stt(string scenario = VoiceScenario.Ok) =>
        new(v => v.Stt.Url = VoiceEmulatorServer.WithScenario(Emulator.SttUrl, scenario).ToString());

    private VoiceHarness Tts(string scenario = VoiceScenario.Ok, int sampleRate = 24_000) =>
        new(v =>
        {
            v.Tts.Url = VoiceEmulatorServer.WithScenario(Emulator.TtsUrl, scenario).ToString();
            v.Tts.SampleRate = sampleRate;
        });

    private static byte[] Unique() => WavFormat.Tone(TimeSpan.FromMilliseconds(200 + Random.Shared.Next(1, 500)), 16_000, 200 + Random.Shared.Next(1, 800));

    [Fact]
    public async Task Stt_transcribes_a_wav_recording()
    {
        using var harness = Stt();
        Assert.True(harness.Stt.Availability.Ready);
        var text = await harness.Stt.TranscribeAsync(OneSecond, CancellationToken.None);
        Assert.Equal("Hello from the voice emulator: 1.0 seconds of audio at 16000 Hz.", text);
    }

    [Fact]
    public async Task Stt_is_blocked_with_the_action_when_no_url_is_configured()
    {
        using var harness = new VoiceHarness(_ => { });
        var availability = harness.Stt.Availability;
        Assert.False(availability.Ready);
        Assert.Equal("blocked", availability.State);
        Assert.Contains("set Agent:Voice:Stt:Url or WHISPER_URL", availability.Action, StringComparison.Ordinal);
        var before = Emulator.Requests.All().Count;
        var ex = await Assert.ThrowsAsync<VoiceException>(() => harness.Stt.TranscribeAsync(OneSecond, CancellationToken.None));
        Assert.True(ex.Error.IsBlocked);
        Assert.Equal(before, Emulator.Requests.All().Count);
    }

    [Fact]
    public async Task Stt_url_can_come_from_the_environment_variable_and_a_bad_one_blocks()
    {
        using (var fromEnv = new VoiceHarness(_ => { }, new() { ["WHISPER_URL"] = Emulator.SttUrl.ToString() }))
        {
            Assert.True(fromEnv.Stt.Availability.Ready);
            Assert.StartsWith("Hello from the voice emulator", await fromEnv.Stt.TranscribeAsync(OneSecond, CancellationToken.None), StringComparison.Ordinal);
        }

        using var bad = new VoiceHarness(_ => { }, new() { ["WHISPER_URL"] = "not a url" });
        Assert.False(bad.Stt.Availability.Ready);
        Assert.Equal("WHISPER_URL is not an absolute http(s) URL.", bad.Stt.Availability.Reason);
    }

    [Fact]
    public async Task Stt_retries_a_429_after_its_Retry_After_then_succeeds()
    {
        using var harness = Stt(VoiceScenario.RateLimitedThenOk);
        var audio = new VoiceAudio(Unique(), "audio/wav");
        var clock = Stopwatch.StartNew();
        var text = await harness.Stt.TranscribeAsync(audio, CancellationToken.None);
        Assert.StartsWith("Hello from the voice emulator", text, StringComparison.Ordinal);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), $"Retry-After (1 s) was not honoured: {clock.Elapsed}");
        var attempts = Emulator.Requests.All().Where(r => r.Scenario == VoiceScenario.RateLimitedThenOk && r.Path.EndsWith("transcriptions", StringComparison.Ordinal)).Select(r => r.Status).ToList();
        Assert.Contains(429, attempts);
        Assert.Contains(200, attempts);
    }

    [Fact]
    public async Task Stt_500_is_retried_then_reported_with_an_action()
    {
        using var harness = Stt(VoiceScenario.ServerError);
        var audio = new VoiceAudio(Unique(), "audio/wav");
        var ex = await Assert.ThrowsAsync<VoiceException>(() => harness.Stt.TranscribeAsync(audio, CancellationToken.None));
        Assert.Equal("server_error", ex.Error.Code);
        Assert.Equal(500, ex.Error.Status);
        Assert.Contains("The server had an error (emulated).", ex.Error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(ex.Error.Action);
        Assert.Equal(3, Emulator.Requests.All().Count(r => r.Scenario == VoiceScenario.ServerError && r.Body.AsSpan().IndexOf(audio.Bytes.Span[44..200]) >= 0));
    }

    [Fact]
    public async Task Stt_malformed_answer_is_a_contract_error()
    {
        using var harness = Stt(VoiceScenario.Malformed);
        var ex = await Assert.ThrowsAsync<VoiceException>(() => harness.Stt.TranscribeAsync(OneSecond, CancellationToken.None));
        Assert.Equal("malformed_response", ex.Error.Code);
        Assert.Contains("not JSON", ex.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tts_returns_a_pcm_wav_at_the_requested_sample_rate()
    {
        using var harness = Tts(sampleRate: 16_000);
        var audio = await harness.Tts.SpeakAsync("Hello there, this is a test.", CancellationToken.None);
        Assert.Equal("audio/wav", audio.ContentType);
        var info = WavFormat.TryRead(audio.Bytes, out var problem);
        Assert.True(info is not null, problem);
        Assert.Equal(16_000, info.SampleRate);
        Assert.Equal(16, info.BitsPerSample);
        Assert.True(info.Duration > TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public async Task Tts_is_blocked_with_the_action_when_no_url_is_configured()
    {
        using var harness = new VoiceHarness(_ => { });
        Assert.Contains("set Agent:Voice:Tts:Url or KOKORO_URL", harness.Tts.Availability.Action, StringComparison.Ordinal);
        var ex = await Assert.ThrowsAsync<VoiceException>(() => harness.Tts.SpeakAsync("hi", CancellationToken.None));
        Assert.True(ex.Error.IsBlocked);
    }

    [Fact]
    public async Task Tts_retries_a_429_then_succeeds_and_reports_500_and_malformed()
    {
        using (var limited = Tts(VoiceScenario.RateLimitedThenOk))
        {
            var audio = await limited.Tts.SpeakAsync($"retry me {Guid.NewGuid():N}", CancellationToken.None);
            Assert.NotNull(WavFormat.TryRead(audio.Bytes, out _));
        }

        using (var failing = Tts(VoiceScenario.ServerError))
        {
            var ex = await Assert.ThrowsAsync<VoiceException>(() => failing.Tts.SpeakAsync("fail", CancellationToken.None));
            Assert.Equal("server_error", ex.Error.Code);
        }

        using var malformed = Tts(VoiceScenario.Malformed);
        var bad = await Assert.ThrowsAsync<VoiceException>(() => malformed.Tts.SpeakAsync("bad", CancellationToken.None));
        Assert.Equal("malformed_response", bad.Error.Code);
        Assert.Contains("does not start with a RIFF/WAVE header", bad.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Voice_settings_are_validated_with_key_and_fix()
    {
        var options = new AgentOptions();
        options.Voice.Stt.Mode = "whisper";
        options.Voice.Stt.Url = "ftp://x";
        options.Voice.Stt.Language = "English";
        options.Voice.Tts.SampleRate = 12_345;
        options.Voice.Tts.Format = "aac";
        options.Voice.Tts.UrlEnvVar = "http://oops";
        var keys = VoiceHarness.VoiceErrors(options).Select(e => e.Key).ToList();
        Assert.Equal(
            ["Agent:Voice:Stt:Mode", "Agent:Voice:Stt:Url", "Agent:Voice:Stt:Language", "Agent:Voice:Tts:UrlEnvVar", "Agent:Voice:Tts:Format", "Agent:Voice:Tts:SampleRate"],
            keys);
        Assert.Empty(VoiceHarness.VoiceErrors(new AgentOptions()));
    }
}
