using Agent.Tests.Shared;
using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>The chat as people see it: a code block, a branch switcher and a tool card, in both themes at both widths; and a 10,000-message session.</summary>
public sealed class ChatScreensTests(ChatFixture fixture) : IClassFixture<ChatFixture>
{
    // ChatSessionViewModel.PageSize and MaxShown: the newest page on opening, and the most messages the transcript holds.
    private const int FirstPage = 20;
    private const int MaxShown = 40;

    [Fact]
    public async Task A_chat_with_a_code_block_a_branch_switcher_and_a_tool_card_reads_well_in_both_themes_at_both_widths()
    {
        var page = await fixture.OpenNewChatAsync();
        await ChatFixture.ChooseAsync(page, "tool-mode", "Ask for every call");
        await Assertions.Expect(page.Locator("section[data-panel=chat]")).ToHaveAttributeAsync("data-tool-mode", "Manual");

        await Workbench.SendAsync(page, "Show me a program [scenario:code-block] [delay:1]");
        var reply = page.Locator("article.role-assistant").Last;
        await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "complete");
        await Assertions.Expect(reply.Locator("pre code.hljs.language-csharp")).ToBeVisibleAsync();
        await Assertions.Expect(reply.Locator("pre code .hljs-keyword").First).ToBeVisibleAsync();
        await Assertions.Expect(reply.Locator(".copy-code")).ToBeVisibleAsync();

        await reply.GetByRole(AriaRole.Button, new() { Name = "Regenerate" }).ClickAsync();
        await Assertions.Expect(page.Locator("article.role-assistant [data-branch-position]")).ToHaveTextAsync("2 / 2");
        await Assertions.Expect(page.Locator("article.role-assistant").Last).ToHaveAttributeAsync("data-status", "complete");

        await Workbench.SendAsync(page, "Use your tools [scenario:tool-call]");
        await Assertions.Expect(page.Locator("[data-tool-state=awaiting-approval]")).ToHaveCountAsync(1);

        await Workbench.AtEachScreenAsync(page, async (size, theme) =>
        {
            // The reply with its code block and branch switcher, then the tool card awaiting approval.
            await page.Locator("article.role-assistant [data-branch-position]").ScrollIntoViewIfNeededAsync();
            await Workbench.SaveScreenshotAsync(page, $"chat-session-{size}-{theme}-code");
            await page.Locator("[data-tool-state=awaiting-approval]").ScrollIntoViewIfNeededAsync();
            await Workbench.SaveScreenshotAsync(page, $"chat-session-{size}-{theme}-tool");
            await Workbench.ExpectNoSeriousAxeViolationsAsync(page, $"chat at {size} in {theme}");
        });

        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_ten_thousand_message_session_among_a_thousand_opens_at_its_newest_message_and_loads_older_ones_on_request()
    {
        var dataFolder = Directory.CreateTempSubdirectory("agent-e2e-long").FullName;
        var seeded = await WorkbenchSeeder.SeedAsync(Path.Combine(dataFolder, "agent.db"), 1_000, [10_000], "emulator", "emulator-model");
        await using var app = await fixture.StartAppAsync(dataFolder);
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 }, BaseURL = app.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.Locator("[data-interactive=true]").WaitForAsync();

        // The drawer holds one page of sessions, not a thousand.
        await Assertions.Expect(page.Locator(".session-link")).ToHaveCountAsync(50);
        await Assertions.Expect(page.Locator("[data-more-sessions]")).ToBeVisibleAsync();

        await page.Locator(".session-link").Filter(new() { HasText = "Long session of 10000 messages" }).ClickAsync();
        await Workbench.ExpectChatOpenAsync(page, seeded.LongSessions[0].Session.ToString());
        var newest = page.Locator($"article[data-message-id='{seeded.LongSessions[0].Last}']");
        await Assertions.Expect(newest).ToContainTextAsync("Seeded message 9999");
        var shown = page.Locator("article.message");
        await Assertions.Expect(shown).ToHaveCountAsync(FirstPage);
        await page.Locator("[data-composer-ready=true]").WaitForAsync();

        // Scrolling up with the wheel, as a person does, loads older pages above; past the window's bound the newest are
        // let go, so the page stays small however far back the reader goes.
        await page.Locator(".transcript").HoverAsync();
        var newer = page.Locator("[data-newer-sentinel]");
        for (var scrolls = 0; scrolls < 10 && await newer.CountAsync() == 0; scrolls++)
        {
            var first = await shown.First.GetAttributeAsync("data-message-id");
            await page.Mouse.WheelAsync(0, -100_000);
            await Assertions.Expect(shown.First).Not.ToHaveAttributeAsync("data-message-id", first!);
        }

        await Assertions.Expect(newer).ToBeAttachedAsync();
        await Assertions.Expect(shown).ToHaveCountAsync(MaxShown);
        await Assertions.Expect(newest).Not.ToBeAttachedAsync();
        var nodes = await page.EvaluateAsync<int>("document.querySelector('.transcript').getElementsByTagName('*').length");
        Assert.True(nodes <= 1_500, $"The transcript holds {nodes} elements with {MaxShown} messages.");

        // The button loads one more older page; the window keeps its bound.
        var oldest = await shown.First.GetAttributeAsync("data-message-id");
        await page.Locator("[data-load-older]").ClickAsync();
        await Assertions.Expect(shown.First).Not.ToHaveAttributeAsync("data-message-id", oldest!);
        await Assertions.Expect(shown).ToHaveCountAsync(MaxShown);

        // Scrolling down reads the next newer page below; "Jump to newest" goes back to the end.
        var last = await shown.Last.GetAttributeAsync("data-message-id");
        await page.Mouse.WheelAsync(0, 100_000);
        await Assertions.Expect(shown.Last).Not.ToHaveAttributeAsync("data-message-id", last!);
        await Assertions.Expect(page.Locator("[data-jump-newest]")).ToBeInViewportAsync();
        await Workbench.ScreenshotsInBothThemesAsync(page, "chat-window-newer-desktop");
        await Workbench.SetPhoneViewportAsync(page);
        await Assertions.Expect(page.Locator("[data-jump-newest]")).ToBeInViewportAsync();
        await Workbench.ScreenshotsInBothThemesAsync(page, "chat-window-newer-phone");
        await Workbench.SetDesktopViewportAsync(page);
        await page.Locator("[data-jump-newest]").ClickAsync();
        await Assertions.Expect(newest).ToBeInViewportAsync();
        await Assertions.Expect(newer).ToHaveCountAsync(0);

        await Workbench.SendAsync(page, "One more turn [delay:1]");
        await Assertions.Expect(page.Locator("article.role-assistant").Last).ToHaveAttributeAsync("data-status", "complete");
        await Assertions.Expect(page.Locator("article.role-assistant").Last.Locator(".message-body")).ToContainTextAsync("One more turn");

        foreach (var panel in new[] { "tools", "mcp", "runs", "settings" })
        {
            await page.Locator($"a[data-panel-link={panel}]").ClickAsync();
            await Assertions.Expect(page.Locator($"section[data-panel={panel}]")).Not.ToHaveAttributeAsync("data-state", "loading");
        }

        await context.CloseAsync();
    }
}
