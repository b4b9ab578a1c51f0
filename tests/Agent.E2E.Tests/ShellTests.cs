using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>The real app process in Debian Chromium: every panel's state, screenshots at two widths, axe.</summary>
public sealed class ShellTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    public static TheoryData<string, string, string> Panels => new()
    {
        { "", "chat", "No session selected. Start a new chat; it will use deterministic · scripted-echo (deterministic)." },
        { "tools", "tools", "current_time" },
        { "mcp", "mcp", "No MCP servers configured." },
        { "memory", "memory", "No memory yet." },
        { "tokens", "tokens", "No token usage recorded yet." },
        { "team", "team", "No team tasks." },
        { "runs", "runs", "No runs yet." },
        { "settings", "settings", "New chats use deterministic" },
    };

    [Theory]
    [MemberData(nameof(Panels))]
    public async Task Every_panel_shows_its_real_state_at_desktop_and_phone_width_and_passes_axe(string path, string panel, string expectedText)
    {
        foreach (var (width, height, label) in new[] { (1280, 800, "desktop"), (390, 844, "phone") })
        {
            var page = await fixture.NewPageAsync(width, height);
            await page.GotoAsync("/" + path);
            await page.Locator("[data-interactive=true]").WaitForAsync();
            var section = page.Locator($"section[data-panel={panel}]");
            await Assertions.Expect(section).Not.ToHaveAttributeAsync("data-state", "loading");
            await Assertions.Expect(section).ToContainTextAsync(expectedText);

            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"{panel}-{label}.png"), FullPage = true });
            var axe = await page.RunAxe();
            var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
            Assert.True(serious.Count == 0, $"{panel} at {label}: " + string.Join("; ", serious.Select(Describe)));
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Settings_shows_blocked_providers_with_the_variable_to_set()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/settings");

        await Assertions.Expect(page.Locator("[data-provider=openai]")).ToHaveAttributeAsync("data-provider-state", "blocked");
        await Assertions.Expect(page.Locator("[data-provider=openai] .blocked-reason")).ToContainTextAsync("set OPENAI_API_KEY and restart the app");
        await Assertions.Expect(page.Locator("[data-provider=anthropic] .blocked-reason")).ToContainTextAsync("set ANTHROPIC_API_KEY and restart the app");
        await Assertions.Expect(page.Locator("[data-provider=deterministic]")).ToHaveAttributeAsync("data-provider-state", "deterministic");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task New_chat_creates_a_session_that_survives_a_reload()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/");
        await page.Locator("[data-interactive=true]").WaitForAsync();

        await page.Locator("section[data-panel=chat]").GetByRole(AriaRole.Button, new() { Name = "New chat" }).ClickAsync();

        await page.WaitForURLAsync("**/chat/*");
        await Assertions.Expect(page.Locator("section[data-panel=chat] .badge")).ToContainTextAsync("deterministic · scripted-echo (deterministic)");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator(".session-link.active")).ToContainTextAsync("New chat");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Theme_toggle_switches_to_dark_and_the_choice_survives_a_reload()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/settings");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        var themeLink = page.Locator("#radzen-theme-link");
        await Assertions.Expect(themeLink).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("material-base"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch between light and dark theme" }).ClickAsync();

        await Assertions.Expect(themeLink).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("material-dark"));
        await page.ReloadAsync();
        await Assertions.Expect(themeLink).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("material-dark"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "settings-dark.png") });
        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(Describe).ToList();
        Assert.True(serious.Count == 0, string.Join("; ", serious));
        await page.Context.CloseAsync();
    }

    private static string Describe(AxeResultItem violation) =>
        $"{violation.Id} ({violation.Impact}): {violation.Help} at {string.Join(", ", violation.Nodes.Select(n => n.Target?.ToString()))}";
}
