using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Agent.Domain.Voice;
using Agent.VoiceEmulator;

namespace Agent.Web.Tests;

/// <summary>/api/voice on the real host: blocked without configuration, real HTTP to the voice emulator when configured, every refusal with its reason.</summary>
public sealed class VoiceApiTests
{
    [Fact]
    public async Task Without_voice_urls_both_services_are_blocked_with_the_action_and_calls_answer_409()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();

        var state = await client.GetFromJsonAsync<JsonElement>("/api/voice");
        Assert.Equal("blocked", state.GetProperty("stt").GetProperty("state").GetString());
        Assert.Contains("WHISPER_URL", state.GetProperty("stt").GetProperty("action").GetString(), StringComparison.Ordinal);
        Assert.Equal("blocked", state.GetProperty("tts").GetProperty("state").GetString());
        Assert.Contains("KOKORO_URL", state.GetProperty("tts").GetProperty("action").GetString(), StringComparison.Ordinal);

        using var transcribe = await client.PostAsync("/api/voice/transcribe", Wav(TimeSpan.FromSeconds(1)));
        Assert.Equal(HttpStatusCode.Conflict, transcribe.StatusCode);
        Assert.Contains("WHISPER_URL", (await transcribe.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("action").GetString(), StringComparison.Ordinal);

        using var speak = await client.PostAsJsonAsync("/api/voice/speak", new { text = "hello" });
        Assert.Equal(HttpStatusCode.Conflict, speak.StatusCode);
    }

    [Fact]
    public async Task With_the_emulator_a_recording_becomes_text_and_text_becomes_a_wav()
    {
        await using var emulator = await VoiceEmulatorServer.StartAsync();
        await using var app = new AgentAppFactory()
            .WithSetting("Agent:Voice:Stt:Url", emulator.SttUrl.ToString())
            .WithSetting("Agent:Voice:Tts:Url", emulator.TtsUrl.ToString());
        using var client = app.CreateClient();

        using var transcribe = await client.PostAsync("/api/voice/transcribe", Wav(TimeSpan.FromSeconds(2)));
        Assert.Equal(HttpStatusCode.OK, transcribe.StatusCode);
        Assert.Contains("2.0 seconds of audio", (await transcribe.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("text").GetString(), StringComparison.Ordinal);

        using var speak = await client.PostAsJsonAsync("/api/voice/speak", new { text = "Hello from the assistant." });
        Assert.Equal(HttpStatusCode.OK, speak.StatusCode);
        Assert.Equal("audio/wav", speak.Content.Headers.ContentType?.MediaType);
        var audio = await speak.Content.ReadAsByteArrayAsync();
        Assert.Equal("RIFF"u8.ToArray(), audio[..4]);
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_their_reason()
    {
        await using var emulator = await VoiceEmulatorServer.StartAsync();
        await using var app = new AgentAppFactory()
            .WithSetting("Agent:Voice:Stt:Url", emulator.SttUrl.ToString())
            .WithSetting("Agent:Voice:Tts:Url", emulator.TtsUrl.ToString())
            .WithSetting("Agent:Voice:MaxSpeakChars", "20");
        using var client = app.CreateClient();

        using var wrongType = await client.PostAsync("/api/voice/transcribe", new StringContent("not audio"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        Assert.Contains("audio/wav", await wrongType.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var empty = new ByteArrayContent([]);
        empty.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        using var emptyRecording = await client.PostAsync("/api/voice/transcribe", empty);
        Assert.Equal(HttpStatusCode.BadRequest, emptyRecording.StatusCode);
        Assert.Contains("empty", await emptyRecording.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var noText = await client.PostAsJsonAsync("/api/voice/speak", new { text = " " });
        Assert.Equal(HttpStatusCode.BadRequest, noText.StatusCode);

        using var tooLong = await client.PostAsJsonAsync("/api/voice/speak", new { text = new string('a', 21) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLong.StatusCode);
        Assert.Contains("Agent:Voice:MaxSpeakChars", await tooLong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static ByteArrayContent Wav(TimeSpan duration)
    {
        var content = new ByteArrayContent(WavFormat.Tone(duration, 16_000, 440));
        content.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        return content;
    }
}
