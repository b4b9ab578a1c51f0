using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// The session sidebar in Chromium, by clicks and keys only: two chats made by sending messages, one pinned (it moves
/// under "Pinned"), one renamed from its row menu, a search that marks the match, delete with Undo, delete and restore
/// from the trash, and Export Markdown downloading the chat. Screenshots of the grouped list at two widths and themes.
/// </summary>
public sealed class SessionSidebarTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Pin_rename_search_delete_with_undo_restore_from_trash_and_export_from_the_row_menu()
    {
        var page = await fixture.NewPageAsync(1280, 800);
        try
        {
            await Workbench.OpenAsync(page);
            var sidebar = page.Locator("[data-sessions]");

            var alpine = await NewChatAsync(page, "Plan the alpine trip");
            var alpineUrl = page.Url;
            var budget = await NewChatAsync(page, "Draft the budget memo");
            await Assertions.Expect(page).Not.ToHaveURLAsync(alpineUrl);
            var budgetUrl = page.Url;
            await Assertions.Expect(sidebar.Locator("[data-session-group=today] .session-title")).ToHaveTextAsync(["Draft the budget memo", "Plan the alpine trip"]);

            // Pin: the older chat moves under "Pinned", above today's.
            await ChooseFromRowMenuAsync(page, alpine, "Pin");
            await Assertions.Expect(sidebar.Locator("[data-session-group=pinned] .session-title")).ToHaveTextAsync(["Plan the alpine trip"]);
            await Assertions.Expect(sidebar.Locator("[data-session-group]").First).ToHaveAttributeAsync("data-session-group", "pinned");
            await Assertions.Expect(sidebar.Locator("h3.session-group-title")).ToHaveTextAsync(["Pinned", "Today"]);

            // Rename in place from the row menu.
            await ChooseFromRowMenuAsync(page, budget, "Rename");
            var title = page.Locator("#session-rename-input");
            await title.FillAsync("Budget memo for March");
            await title.PressAsync("Enter");
            budget = Row(page, "Budget memo for March");
            await Assertions.Expect(budget).ToHaveCountAsync(1);

            await page.Mouse.MoveAsync(900, 700);
            await Workbench.ScreenshotsInBothThemesAsync(page, "sidebar-groups-desktop");

            // Search marks the matched text in the title.
            await page.Locator("#session-search").FillAsync("memo");
            await Assertions.Expect(sidebar.Locator(".session-title")).ToHaveTextAsync(["Budget memo for March"]);
            await Assertions.Expect(sidebar.Locator(".session-title mark")).ToHaveTextAsync(["memo"]);
            await page.Locator("#session-search").FillAsync("");
            await Assertions.Expect(sidebar.Locator(".session-title")).ToHaveCountAsync(2);
            await Assertions.Expect(sidebar.Locator(".session-title mark")).ToHaveCountAsync(0);

            // Delete the open chat: it leaves the list and the page; Undo brings both back.
            await ChooseFromRowMenuAsync(page, budget, "Delete");
            var snackbar = page.Locator(".mud-snackbar").Filter(new() { HasText = "Chat moved to trash" });
            await Assertions.Expect(snackbar).ToBeVisibleAsync();
            await Assertions.Expect(budget).ToHaveCountAsync(0);
            await Assertions.Expect(page).Not.ToHaveURLAsync(budgetUrl);
            await snackbar.GetByRole(AriaRole.Button, new() { Name = "Undo" }).ClickAsync();
            await Assertions.Expect(budget).ToHaveCountAsync(1);
            await Assertions.Expect(page).ToHaveURLAsync(budgetUrl);

            // Delete again, then restore it from the trash.
            await ChooseFromRowMenuAsync(page, budget, "Delete");
            await Assertions.Expect(budget).ToHaveCountAsync(0);
            await sidebar.Locator("[data-show-shelf=trash]").ClickAsync();
            await Assertions.Expect(sidebar).ToHaveAttributeAsync("data-sidebar-view", "trash");
            var trashed = sidebar.Locator("[data-session-id]").Filter(new() { HasText = "Budget memo for March" });
            await Assertions.Expect(trashed).ToHaveCountAsync(1);
            await trashed.Locator("[data-restore]").ClickAsync();
            await Assertions.Expect(sidebar.Locator("[data-state=empty]")).ToHaveTextAsync("The trash is empty.");
            await sidebar.Locator("[data-back-to-chats]").ClickAsync();
            await Assertions.Expect(budget).ToHaveCountAsync(1);

            // Export Markdown downloads the chat as a file.
            var download = await page.RunAndWaitForDownloadAsync(() => ChooseFromRowMenuAsync(page, alpine, "Export Markdown"));
            Assert.Equal("plan-the-alpine-trip.md", download.SuggestedFilename);
            var markdown = await File.ReadAllTextAsync(await download.PathAsync());
            Assert.StartsWith("# Plan the alpine trip", markdown, StringComparison.Ordinal);
            Assert.Contains("## User", markdown, StringComparison.Ordinal);
            Assert.Contains("Plan the alpine trip", markdown.Split("## User")[1], StringComparison.Ordinal);
            Assert.Contains("## Assistant", markdown, StringComparison.Ordinal);
        }
        finally
        {
            await page.Context.CloseAsync();
        }

        // The same list on a phone, in the drawer.
        var phone = await fixture.NewPageAsync(390, 844);
        try
        {
            await Workbench.OpenAsync(phone);
            foreach (var theme in new[] { "light", "dark" })
            {
                // The open drawer covers the theme toggle: switch with it closed.
                await Workbench.SetThemeAsync(phone, theme);
                await Workbench.SetDrawerAsync(phone, open: true);
                await Assertions.Expect(phone.Locator("[data-sessions] h3.session-group-title")).ToHaveTextAsync(["Pinned", "Today"]);
                await phone.ScreenshotAsync(new PageScreenshotOptions
                {
                    Path = Path.Combine(BrowserFixture.PanelScreenshotFolder, $"sidebar-groups-phone-{theme}.png"),
                    Animations = ScreenshotAnimations.Disabled,
                });
                // A tap on the shade beside the drawer closes it, as on a phone.
                await phone.Mouse.ClickAsync(375, 420);
                await Workbench.SetDrawerAsync(phone, open: false);
            }
        }
        finally
        {
            await phone.Context.CloseAsync();
        }
    }

    private static ILocator Row(IPage page, string title) =>
        page.Locator("[data-sessions] li[data-session-id]").Filter(new() { Has = page.Locator(".session-title", new() { HasText = title }) });

    /// <summary>Starts a chat with New chat, sends its first message and waits for the reply; returns its sidebar row.</summary>
    private static async Task<ILocator> NewChatAsync(IPage page, string message)
    {
        var before = page.Url;
        await page.Locator("[data-new-chat]").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/chat/[0-9a-f-]{36}$"));
        await Assertions.Expect(page).Not.ToHaveURLAsync(before);
        // The new chat is shown (not the previous one's composer, still on screen for a moment).
        await Assertions.Expect(page.Locator("section[data-panel=chat] .chat-title")).ToHaveTextAsync("New chat");
        await Assertions.Expect(page.Locator("article.role-assistant")).ToHaveCountAsync(0);
        await Workbench.SendAsync(page, message);
        await Assertions.Expect(page.Locator("article.role-assistant").Last).ToHaveAttributeAsync("data-status", "complete");
        var row = Row(page, message);
        await Assertions.Expect(row).ToHaveCountAsync(1);
        return row;
    }

    /// <summary>Opens the row's menu (its button shows on hover) and clicks an item.</summary>
    private static async Task ChooseFromRowMenuAsync(IPage page, ILocator row, string item)
    {
        await row.HoverAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Session actions" }).ClickAsync();
        await page.Locator(".mud-popover-open .mud-menu-item").Filter(new() { HasTextRegex = new Regex($"^\\s*{Regex.Escape(item)}\\s*$") }).ClickAsync();
    }
}
