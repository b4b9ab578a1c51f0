using Agent.Tests.Shared;
using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>The chat as people see it: a code block, a branch switcher and a tool card, in both themes at both widths; and a 10,000-message session.</summary>
public sealed class ChatScreensTests(ChatFixture fixture) : IClassFixture<ChatFixture>
{
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
        await Assertions.Expect(page.Locator("article.message")).ToHaveCountAsync(50);
        await page.Locator("[data-composer-ready=true]").WaitForAsync();

        // Scrolling up with the wheel, as a person does, loads older pages above; then the button loads one more.
        await page.Locator(".transcript").HoverAsync();
        await page.Mouse.WheelAsync(0, -100_000);
        await Assertions.Expect(page.Locator("article.message").Nth(99)).ToBeAttachedAsync();
        var loaded = await page.Locator("article.message").CountAsync();
        await page.Mouse.WheelAsync(0, -100_000);
        await page.Locator("[data-load-older]").ClickAsync();
        await Assertions.Expect(page.Locator("article.message").Nth(loaded + 49)).ToBeAttachedAsync();
        await Assertions.Expect(page.Locator($"article[data-message-id='{seeded.LongSessions[0].Last}']")).ToBeAttachedAsync();

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
