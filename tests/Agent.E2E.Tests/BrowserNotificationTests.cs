using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// Browser notifications, turned on in Settings, tell a person who left the tab when a reply ends. Headless Chromium
/// keeps every tab visible and shows no system notifications, so the page runs with two stand-ins set up before it
/// loads: a tab that can be marked hidden (what switching tabs does), and the browser's Notification wrapped so the test
/// can read what the app showed (the real constructor still runs).
/// </summary>
public sealed class BrowserNotificationTests(ChatFixture fixture) : IClassFixture<ChatFixture>
{
    private const string HiddenTabAndRecordedNotifications = """
        (() => {
          window.__notifications = [];
          const Real = window.Notification;
          if (Real) {
            window.Notification = class extends Real {
              constructor(title, options) {
                window.__notifications.push({ title, body: options && options.body, tag: options && options.tag });
                super(title, options);
              }
            };
          }
          let hidden = false;
          Object.defineProperty(document, "visibilityState", { get: () => (hidden ? "hidden" : "visible") });
          Object.defineProperty(document, "hidden", { get: () => hidden });
          window.__leaveTab = () => { hidden = true; document.dispatchEvent(new Event("visibilitychange")); };
        })();
        """;

    [Fact]
    public async Task Turned_on_in_Settings_a_reply_that_ends_while_the_tab_is_in_the_background_shows_a_notification()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 }, BaseURL = fixture.App.BaseAddress.ToString() });
        try
        {
            await context.AddInitScriptAsync(HiddenTabAndRecordedNotifications);
            var page = await context.NewPageAsync();
            await Workbench.OpenAsync(page);

            var settings = await Workbench.GoToAsync(page, "settings");
            var section = settings.Locator("[data-notifications]");
            await Assertions.Expect(section).ToHaveAttributeAsync("data-notifications", "off");
            await Screens(page, section, "settings-notifications-off");

            // The browser's own prompt is not part of the page: allowing there is granting the permission.
            await context.GrantPermissionsAsync(["notifications"]);
            await section.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
            await Assertions.Expect(section).ToHaveAttributeAsync("data-notifications", "on");
            await Assertions.Expect(section).ToContainTextAsync("Notifications are on in this browser");
            await Screens(page, section, "settings-notifications-on");

            await page.Locator("[data-new-chat]").ClickAsync();
            await Workbench.ExpectChatOpenAsync(page);
            await page.Locator("[data-composer-ready=true]").WaitForAsync();
            await Workbench.SendAsync(page, "Plan the week [scenario:long][delay:25]");
            var reply = page.Locator("article.role-assistant").Last;
            await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "streaming");

            await page.EvaluateAsync("window.__leaveTab()");
            await page.WaitForFunctionAsync("() => window.__notifications.length > 0", null, new() { Timeout = 60_000 });
            var shown = await page.EvaluateAsync<Shown[]>("window.__notifications");
            var notification = Assert.Single(shown);
            Assert.Equal("Personal Agent Chat", notification.Title);
            Assert.StartsWith("“Plan the week", notification.Body, StringComparison.Ordinal);
            Assert.EndsWith("” has a new reply.", notification.Body, StringComparison.Ordinal);
            Assert.StartsWith("notice-", notification.Tag, StringComparison.Ordinal);

            // No toast for the chat on screen: the person comes back to the finished reply itself.
            await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "complete");
            await Assertions.Expect(page.Locator(".mud-snackbar").Filter(new() { HasText = "has a new reply." })).ToHaveCountAsync(0);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    private static async Task Screens(IPage page, ILocator section, string name)
    {
        await Workbench.AtEachScreenAsync(page, async (size, theme) =>
        {
            await section.ScrollIntoViewIfNeededAsync();
            await section.ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(BrowserFixture.PanelScreenshotFolder, $"{name}-{size}-{theme}.png"), Animations = ScreenshotAnimations.Disabled });
            await Workbench.ExpectNoSeriousAxeViolationsAsync(page);
            foreach (var button in size == "phone" ? await section.Locator("button").AllAsync() : [])
            {
                Assert.True(await button.BoundingBoxAsync() is { Height: >= 44 }, $"{name}: a button is under 44 px tall on a phone");
            }

            Assert.False(await Workbench.ScrollsSidewaysAsync(page), $"{name} at {size} scrolls sideways");
        });

        await Workbench.SetDesktopViewportAsync(page);
        await Workbench.SetThemeAsync(page, "light");
    }

    /// <summary>A notification the app showed (Playwright fills it by its property setters).</summary>
    private sealed class Shown
    {
        public string Title { get; set; } = "";

        public string Body { get; set; } = "";

        public string Tag { get; set; } = "";
    }
}
