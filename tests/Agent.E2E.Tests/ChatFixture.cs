using Agent.ProviderEmulator;
using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>The provider emulator on 127.0.0.1 and the real app pointed at it as a sandbox provider.</summary>
public sealed class ChatFixture : IAsyncLifetime
{
    private IPlaywright? playwright;

    public EmulatorServer Emulator { get; private set; } = null!;

    public AppProcess App { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Assertions wait for the state they need; on a loaded machine a circuit can take longer than 5 s to start.
        Assertions.SetDefaultExpectTimeout(20_000);
        Emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 5 });
        App = await StartAppAsync(null);
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(BrowserFixture.LaunchOptions);
    }

    /// <summary>Starts (or restarts, with the same data folder) the app on the emulator; <paramref name="extra"/> adds or overrides settings.</summary>
    public Task<AppProcess> StartAppAsync(string? dataFolder, IReadOnlyDictionary<string, string>? extra = null) => AppProcess.StartAsync(
        new Dictionary<string, string>
        {
            ["Agent:Providers:3:Name"] = "emulator",
            ["Agent:Providers:3:Kind"] = "OpenAICompatible",
            ["Agent:Providers:3:Mode"] = "Sandbox",
            ["Agent:Providers:3:BaseUrl"] = Emulator.OpenAIBaseUrl.ToString(),
            ["Agent:Providers:3:Models:0:Id"] = "emulator-model",
            ["Agent:Providers:3:Models:0:ContextWindow"] = "8192",
            ["Agent:DefaultProvider"] = "emulator",
            ["Agent:Streaming:FlushIntervalMs"] = "100",
        }.Concat(extra ?? new Dictionary<string, string>()).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value),
        dataFolder);

    public async Task RestartAppAsync()
    {
        var folder = App.DataFolder;
        await App.KillAsync();
        App = await StartAppAsync(folder);
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 }, BaseURL = App.BaseAddress.ToString() });
        return await context.NewPageAsync();
    }

    /// <summary>Opens the app and starts a new chat.</summary>
    public async Task<IPage> OpenNewChatAsync()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await page.Locator("[data-new-chat]").ClickAsync();
        await Workbench.ExpectChatOpenAsync(page);
        await page.Locator("[data-composer-ready=true]").WaitForAsync();
        return page;
    }

    /// <summary>
    /// Picks an option by clicking, as a person does: a model from the model chip's menu, or the agent, team or tool
    /// mode (profile, team, tool-mode) from the chat options, unfolded first with their button.
    /// </summary>
    public static async Task ChooseAsync(IPage page, string control, string option)
    {
        if (control == "model")
        {
            await page.Locator("[data-control=model]").ClickAsync();
            await page.Locator(".mud-popover-open [data-model-option]").Filter(new() { HasText = option }).ClickAsync();
            return;
        }

        var toggle = page.Locator("[data-chat-options]");
        if (await toggle.GetAttributeAsync("aria-expanded") != "true")
        {
            await toggle.ClickAsync();
            await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        }

        await page.Locator($"[data-control={control}]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = option }).ClickAsync();
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright?.Dispose();
        await App.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
