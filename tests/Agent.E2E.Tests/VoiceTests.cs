using Agent.Domain.Voice;
using Agent.ProviderEmulator;
using Agent.VoiceEmulator;
using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// The provider and voice emulators, the real app pointed at both, and a Chromium whose microphone plays a WAV
/// generated here (--use-file-for-fake-audio-capture; the permission prompt is accepted by the fake UI flag).
/// </summary>
public sealed class VoiceFixture : IAsyncLifetime
{
    private IPlaywright? playwright;
    private string? audioFile;

    public EmulatorServer Emulator { get; private set; } = null!;

    public VoiceEmulatorServer Voice { get; private set; } = null!;

    public AppProcess App { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(20_000);
        audioFile = Path.Combine(Directory.CreateTempSubdirectory("agent-voice-e2e").FullName, "speech.wav");
        await File.WriteAllBytesAsync(audioFile, WavFormat.Tone(TimeSpan.FromSeconds(2), 16_000, 440));
        Emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 1 });
        Voice = await VoiceEmulatorServer.StartAsync();
        App = await AppProcess.StartAsync(new Dictionary<string, string>
        {
            ["Agent:Providers:3:Name"] = "emulator",
            ["Agent:Providers:3:Kind"] = "OpenAICompatible",
            ["Agent:Providers:3:Mode"] = "Sandbox",
            ["Agent:Providers:3:BaseUrl"] = Emulator.OpenAIBaseUrl.ToString(),
            ["Agent:Providers:3:Models:0:Id"] = "emulator-model",
            ["Agent:Providers:3:Models:0:ContextWindow"] = "8192",
            ["Agent:DefaultProvider"] = "emulator",
            ["Agent:Voice:Stt:Url"] = Voice.SttUrl.ToString(),
            ["Agent:Voice:Tts:Url"] = Voice.TtsUrl.ToString(),
        });
        playwright = await Playwright.CreateAsync();
        var launch = BrowserFixture.LaunchOptions;
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = launch.ExecutablePath,
            Headless = true,
            Args = [.. launch.Args!, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", $"--use-file-for-fake-audio-capture={audioFile}", "--autoplay-policy=no-user-gesture-required"],
        });
    }

    public async Task<IPage> OpenNewChatAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 }, BaseURL = App.BaseAddress.ToString() });
        await context.GrantPermissionsAsync(["microphone"]);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await page.Locator("[data-new-chat]").ClickAsync();
        await Workbench.ExpectChatOpenAsync(page);
        await page.Locator("[data-composer-ready=true]").WaitForAsync();
        return page;
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright?.Dispose();
        await App.DisposeAsync();
        await Voice.DisposeAsync();
        await Emulator.DisposeAsync();
        if (audioFile is not null)
        {
            Directory.Delete(Path.GetDirectoryName(audioFile)!, recursive: true);
        }
    }
}

/// <summary>Talking to the agent: the microphone fills the composer (never sends), and a reply can be read aloud.</summary>
public sealed class VoiceTests(VoiceFixture fixture) : IClassFixture<VoiceFixture>
{
    [Fact]
    public async Task The_microphone_puts_the_transcript_in_the_composer_without_sending_it()
    {
        var page = await fixture.OpenNewChatAsync();
        var mic = page.Locator("[data-voice-record]");
        await Assertions.Expect(mic).ToHaveAttributeAsync("aria-label", "Record a voice message");
        await mic.ClickAsync();
        await Assertions.Expect(mic).ToHaveAttributeAsync("data-voice-state", "recording");
        await Assertions.Expect(mic).ToHaveAttributeAsync("aria-pressed", "true");

        // Record until the browser has captured about a second of audio, then stop by clicking again.
        await page.WaitForFunctionAsync("() => Number(document.getElementById('composer-input').dataset.recordedChunks || 0) >= 4");
        await mic.ClickAsync();

        var composer = page.Locator("#composer-input");
        await Assertions.Expect(composer).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(@"^Hello from the voice emulator: \d+\.\d seconds of audio at 16000 Hz\.$"));
        await Assertions.Expect(mic).ToHaveAttributeAsync("data-voice-state", "idle");
        await Assertions.Expect(page.Locator("article.message")).ToHaveCountAsync(0);
        var transcribed = fixture.Voice.Requests.All().Last(r => r.Path.EndsWith("transcriptions", StringComparison.Ordinal));
        Assert.Equal(200, transcribed.Status);
        Assert.Contains("audio/wav", System.Text.Encoding.ASCII.GetString(transcribed.Body.AsSpan(0, Math.Min(600, transcribed.Body.Length))), StringComparison.Ordinal);

        // Only the person's Enter sends it.
        await composer.PressAsync("Enter");
        await Assertions.Expect(page.Locator("article.role-user")).ToContainTextAsync("Hello from the voice emulator");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Read_aloud_plays_the_reply_in_an_audio_player()
    {
        var page = await fixture.OpenNewChatAsync();
        var composer = page.Locator("#composer-input");
        await composer.FillAsync("Say something short");
        await composer.PressAsync("Enter");
        var reply = page.Locator("article.role-assistant").Last;
        await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "complete");

        await reply.GetByRole(AriaRole.Button, new() { Name = "Read aloud" }).ClickAsync();

        var audio = reply.Locator("audio[data-voice-audio]");
        await Assertions.Expect(audio).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("^blob:"));
        await Assertions.Expect(audio).ToHaveAttributeAsync("controls", "");
        var duration = await audio.EvaluateAsync<double>("a => new Promise(r => a.readyState >= 1 ? r(a.duration) : a.addEventListener('loadedmetadata', () => r(a.duration), { once: true }))");
        Assert.True(duration > 0.25, $"the speech lasts {duration} s");
        var spoken = fixture.Voice.Requests.All().Last(r => r.Path.EndsWith("speech", StringComparison.Ordinal));
        Assert.Equal(200, spoken.Status);
        Assert.Contains("Say something short", System.Text.Encoding.UTF8.GetString(spoken.Body), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }
}
