using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>One Debian Chromium for the whole test run and one app process per fixture.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public AppProcess App { get; private set; } = null!;

    public static string ScreenshotFolder { get; } = Path.Combine(AppProcess.RepoRoot, "TestResults", "screenshots");

    /// <summary>Where the panel screenshots go, one per panel, width and theme: .buildprint/screenshots at the repo root.</summary>
    public static string PanelScreenshotFolder { get; } = Path.Combine(AppProcess.RepoRoot, ".buildprint", "screenshots");

    public async Task InitializeAsync()
    {
        // Assertions wait for the state they need; on a loaded machine a circuit can take longer than 5 s to start.
        Assertions.SetDefaultExpectTimeout(20_000);
        Directory.CreateDirectory(ScreenshotFolder);
        Directory.CreateDirectory(PanelScreenshotFolder);
        App = await AppProcess.StartAsync();
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(LaunchOptions);
    }

    /// <summary>Debian's Chromium; the background-networking flags keep it off this closed network.</summary>
    public static BrowserTypeLaunchOptions LaunchOptions { get; } = new()
    {
        ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    };

    public Task<IPage> NewPageAsync(int width = 1280, int height = 800) => NewPageAsync(App, width, height);

    /// <summary>A page in a fresh context (no theme cookie; the system prefers light) on the given app.</summary>
    public async Task<IPage> NewPageAsync(AppProcess app, int width = 1280, int height = 800)
    {
        ArgumentNullException.ThrowIfNull(app);
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            BaseURL = app.BaseAddress.ToString(),
            ColorScheme = ColorScheme.Light,
        });
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright?.Dispose();
        await App.DisposeAsync();
    }
}
