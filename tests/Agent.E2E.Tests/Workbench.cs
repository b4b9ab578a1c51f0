using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// Drives the workbench as a person does: open it once at "/", then reach every panel by its link in the app bar
/// (or, at phone width, in the sessions drawer), never by typing a URL.
/// </summary>
internal static class Workbench
{
    public static IReadOnlyList<(string Slug, string Title)> Panels { get; } =
    [
        ("chat", "Chat"), ("tools", "Tools"), ("mcp", "MCP"), ("memory", "Memory"), ("tokens", "Tokens"), ("team", "Team"), ("runs", "Runs"), ("settings", "Settings"),
    ];

    public static string TitleOf(string slug) => $"{Panels.Single(p => p.Slug == slug).Title} · Personal Agent Chat";

    public static bool IsPhone(IPage page) => page.ViewportSize is { Width: < 960 };

    /// <summary>Opens the app once by URL and waits until clicks count.</summary>
    public static async Task OpenAsync(IPage page)
    {
        await page.GotoAsync("/");
        await page.Locator("[data-interactive=true]").WaitForAsync();
    }

    /// <summary>
    /// Types into the composer and presses Enter, once the composer's keys are attached: text typed before that stays
    /// in the box unsent, as a person would see it.
    /// </summary>
    public static async Task SendAsync(IPage page, string text)
    {
        var composer = page.Locator("#composer-input[data-composer-ready=true]");
        await composer.FillAsync(text);
        await composer.PressAsync("Enter");
    }

    /// <summary>A browser context for an app that asks for sign-in (reached at its non-loopback address).</summary>
    /// <summary>
    /// Waits until the page shows a chat session's address. Polls the page's URL instead of waiting for a navigation
    /// event: under load Playwright can see Blazor's client-side navigation (history.pushState) land between its URL
    /// check and its event subscription, and then waits for an event that already happened.
    /// </summary>
    public static Task ExpectChatOpenAsync(IPage page, string? sessionId = null) =>
        Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(sessionId is null ? "/chat/[0-9a-f-]{36}$" : $"/chat/{sessionId}$"));

    public static BrowserNewContextOptions ContextFor(AppProcess app, int width, int height, string? storageState = null) => new()
    {
        ViewportSize = new ViewportSize { Width = width, Height = height },
        BaseURL = app.BaseAddress.ToString(),
        ColorScheme = ColorScheme.Light,
        StorageState = storageState,
    };

    /// <summary>Fills the sign-in form on screen and submits it.</summary>
    public static async Task SubmitSignInAsync(IPage page, string user, string password)
    {
        await page.Locator("#signin-user").FillAsync(user);
        await page.Locator("#signin-password").FillAsync(password);
        await page.Locator("[data-signin-submit]").ClickAsync();
    }

    /// <summary>Opens the app (which shows the sign-in page), signs in and waits until the workbench is interactive.</summary>
    public static async Task OpenAndSignInAsync(IPage page, string user, string password)
    {
        await OpenAsync(page);
        await SubmitSignInAsync(page, user, password);
        await Assertions.Expect(page.Locator("[data-signed-in-as]")).ToContainTextAsync(user);
        await page.Locator("[data-interactive=true]").WaitForAsync();
    }

    /// <summary>Where every screen is looked at: desktop width, then phone width.</summary>
    public static IReadOnlyList<(int Width, int Height, string Size)> ScreenSizes { get; } = [(1280, 800, "desktop"), (390, 844, "phone")];

    /// <summary>Runs <paramref name="check"/> at each of <see cref="ScreenSizes"/> in light, then dark; the page stays at the last one.</summary>
    public static async Task AtEachScreenAsync(IPage page, Func<string, string, Task> check)
    {
        foreach (var (width, height, size) in ScreenSizes)
        {
            await page.SetViewportSizeAsync(width, height);
            foreach (var theme in new[] { "light", "dark" })
            {
                await SetThemeAsync(page, theme);
                await check(size, theme);
            }
        }
    }

    /// <summary>Saves the page as it is to the screenshot folder as <paramref name="name"/>.png, with animations finished.</summary>
    public static Task SaveScreenshotAsync(IPage page, string name, bool fullPage = false) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.PanelScreenshotFolder, $"{name}.png"), FullPage = fullPage, Animations = ScreenshotAnimations.Disabled });

    /// <summary>The page as it is, in light then dark (and back to light).</summary>
    public static async Task ScreenshotsInBothThemesAsync(IPage page, string name)
    {
        await SaveScreenshotAsync(page, $"{name}-light");
        await ToggleThemeAsync(page, "dark");
        await SaveScreenshotAsync(page, $"{name}-dark");
        await ToggleThemeAsync(page, "light");
    }

    /// <summary>Clicks the panel's link (drawer at phone width) and waits for its title and a settled state.</summary>
    public static async Task<ILocator> GoToAsync(IPage page, string slug)
    {
        if (IsPhone(page))
        {
            await SetDrawerAsync(page, open: true);
            await page.Locator($"[data-drawer-panel-link={slug}]").ClickAsync();
            var section = await ExpectPanelAsync(page, slug);
            await SetDrawerAsync(page, open: false);
            return section;
        }

        await page.Locator($"a[data-panel-link={slug}]").ClickAsync();
        return await ExpectPanelAsync(page, slug);
    }

    /// <summary>The panel is shown: its title, its section, and a state other than loading.</summary>
    public static async Task<ILocator> ExpectPanelAsync(IPage page, string slug)
    {
        await Assertions.Expect(page).ToHaveTitleAsync(TitleOf(slug));
        var section = page.Locator($"section[data-panel={slug}]");
        await Assertions.Expect(section).ToHaveCountAsync(1);
        await Assertions.Expect(section).Not.ToHaveAttributeAsync("data-state", "loading");
        if (!IsPhone(page))
        {
            // The app bar marks the panel shown.
            await Assertions.Expect(page.Locator($"a[data-panel-link={slug}]")).ToHaveAttributeAsync("aria-current", "page");
        }

        return section;
    }

    /// <summary>
    /// Opens or closes the phone drawer and waits until it has finished moving. The drawer may close by itself after
    /// a navigation, so a close first waits briefly for that before it clicks the toggle.
    /// </summary>
    public static async Task SetDrawerAsync(IPage page, bool open)
    {
        var toggle = page.GetByRole(AriaRole.Button, new() { Name = "Show or hide sessions" });
        var wanted = open ? "true" : "false";
        if (!open)
        {
            try
            {
                await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", wanted, new() { Timeout = 1500 });
            }
            catch (PlaywrightException)
            {
                // Still open: close it with the toggle below.
            }
        }

        if (await toggle.GetAttributeAsync("aria-expanded") != wanted)
        {
            await toggle.ClickAsync();
        }

        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", wanted);
        await page.WaitForFunctionAsync(
            "open => { const d = document.querySelector('.sessions-drawer'); if (!d) return !open; const r = d.getBoundingClientRect(); return open ? r.left >= 0 : r.right <= 0; }",
            open);
    }

    /// <summary>
    /// Phone width, with the sessions drawer closed off-screen: the drawer follows the width through a server round
    /// trip, and until it has gone the page is the desktop layout squeezed into 390 px.
    /// </summary>
    public static async Task SetPhoneViewportAsync(IPage page)
    {
        await page.SetViewportSizeAsync(390, 844);
        await SetDrawerAsync(page, open: false);
    }

    /// <summary>
    /// Back to desktop width after phone screenshots, and waits until the sessions drawer has opened beside the content:
    /// the drawer follows the width through a server round trip, so a click before that lands where the content was.
    /// </summary>
    public static async Task SetDesktopViewportAsync(IPage page)
    {
        await page.SetViewportSizeAsync(1280, 800);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Show or hide sessions" })).ToHaveAttributeAsync("aria-expanded", "true");
        await page.WaitForFunctionAsync(
            "() => { const d = document.querySelector('.sessions-drawer'); const m = document.querySelector('.main-content'); if (!d || !m) return false; const r = d.getBoundingClientRect(); return r.left >= 0 && m.getBoundingClientRect().left >= r.right - 1; }");
    }

    /// <summary>Switches to <paramref name="theme"/> when the page is in the other one; the pointer ends off the toggle either way.</summary>
    public static async Task SetThemeAsync(IPage page, string theme)
    {
        if (await page.Locator("html").GetAttributeAsync("data-theme") != theme)
        {
            await ToggleThemeAsync(page, theme);
        }
        else
        {
            await page.Mouse.MoveAsync(0, 400);
        }
    }

    public static async Task ToggleThemeAsync(IPage page, string expected)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Switch between light and dark theme" }).ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", expected);

        // The pointer left on the toggle keeps its tooltip fading in: in a picture, or half-transparent under axe's
        // contrast check (a serious finding that is the test's, not the page's).
        await page.Mouse.MoveAsync(0, 400);
        await Assertions.Expect(page.Locator(".mud-tooltip.mud-popover-open")).ToHaveCountAsync(0);
    }

    public static async Task<IReadOnlyList<string>> SeriousAxeViolationsAsync(IPage page)
    {
        var axe = await page.RunAxe();
        return [.. axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(Describe)];
    }

    /// <summary>Fails with every serious or critical axe finding, each with the elements it names.</summary>
    public static async Task ExpectNoSeriousAxeViolationsAsync(IPage page, string? where = null)
    {
        var serious = await SeriousAxeViolationsAsync(page);
        Assert.True(serious.Count == 0, (where is null ? "" : where + ": ") + string.Join("; ", serious));
    }

    /// <summary>True when the page is wider than the viewport (a phone would scroll sideways).</summary>
    public static Task<bool> ScrollsSidewaysAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");

    private static string Describe(AxeResultItem violation) =>
        $"{violation.Id} ({violation.Impact}): {violation.Help} at {string.Join(", ", violation.Nodes.Select(n => n.Target?.ToString()))}";
}
