using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// The chat on a 390 × 844 phone, by taps only: the drawer closes once a chat or panel is chosen, ☰ opens and closes
/// it every time (its scrim never covers the button), the chat's toolbar and composer stay inside the screen, nothing
/// scrolls sideways, the controls are at least 44 px tall to touch, and the Chat link returns to the chat last shown.
/// </summary>
public sealed class PhoneTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const int Width = 390;
    private const int Height = 844;

    [Fact]
    public async Task On_a_phone_the_drawer_gives_way_to_the_chat_and_every_control_is_on_screen()
    {
        var page = await fixture.NewPageAsync(Width, Height);
        try
        {
            await Workbench.OpenAsync(page);
            var menu = page.GetByRole(AriaRole.Button, new() { Name = "Show or hide sessions" });
            await Assertions.Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");

            // A new chat from the drawer: the drawer closes by itself and the chat is in view.
            await Workbench.SetDrawerAsync(page, open: true);
            await page.Locator("[data-new-chat]").ClickAsync();
            await Workbench.ExpectChatOpenAsync(page);
            await Assertions.Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");
            var chatUrl = page.Url;
            await Workbench.SendAsync(page, "Packing list for a phone test");
            await Assertions.Expect(page.Locator("article.role-assistant").Last).ToHaveAttributeAsync("data-status", "complete");

            // ☰ works while the drawer is open: tapped twice, it opens and then closes the drawer.
            await menu.ClickAsync();
            await Assertions.Expect(menu).ToHaveAttributeAsync("aria-expanded", "true");
            await menu.ClickAsync();
            await Assertions.Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");

            // Choosing the session in the drawer closes it too.
            await Workbench.SetDrawerAsync(page, open: true);
            await page.Locator(".session-link").Filter(new() { HasText = "Packing list" }).ClickAsync();
            await Assertions.Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");

            // The toolbar, the composer and its send button are inside the screen, and large enough to tap.
            foreach (var selector in new[] { "[data-control=model]", "[data-chat-options]", "section[data-panel=chat] [aria-label='Session actions']", ".composer-box", "[data-attach]", "[data-voice-record]", "[data-send]" })
            {
                var box = await page.Locator(selector).First.BoundingBoxAsync();
                Assert.NotNull(box);
                Assert.True(box.X >= 0 && box.X + box.Width <= Width && box.Y >= 0 && box.Y + box.Height <= Height, $"{selector} is at {box.X},{box.Y} {box.Width}×{box.Height}, outside the {Width}×{Height} screen");
                Assert.True(box.Height >= 44, $"{selector} is {box.Height} px tall");
            }

            Assert.False(await Workbench.ScrollsSidewaysAsync(page), "the chat scrolls sideways on a phone");

            // In the drawer, each chat's actions are large enough to tap too.
            await Workbench.SetDrawerAsync(page, open: true);
            var rowActions = await page.Locator("[data-sessions] [aria-label='Session actions']").First.BoundingBoxAsync();
            Assert.True(rowActions is { Height: >= 44, Width: >= 44 }, $"a session's actions are {rowActions?.Width}×{rowActions?.Height} px");
            await Workbench.SetDrawerAsync(page, open: false);
            await Workbench.ScreenshotsInBothThemesAsync(page, "phone-chat");

            // The chat options unfold inside the screen.
            await page.Locator("[data-chat-options]").ClickAsync();
            await Assertions.Expect(page.Locator("[data-control=tool-mode]")).ToBeVisibleAsync();
            Assert.False(await Workbench.ScrollsSidewaysAsync(page), "the chat options scroll sideways on a phone");
            await Workbench.ScreenshotsInBothThemesAsync(page, "phone-chat-options");

            // Another panel, then the Chat link: the same chat, not an empty page.
            await Workbench.GoToAsync(page, "tools");
            await Workbench.SetDrawerAsync(page, open: true);
            await page.Locator("[data-drawer-panel-link=chat]").ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(chatUrl);
            await Assertions.Expect(page.Locator("article.role-user").Last).ToContainTextAsync("Packing list for a phone test");
            await Assertions.Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
