using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>A reply that ends in a chat the person left says so in a toast, and its Open button goes back to that chat.</summary>
public sealed class OtherChatNoticeTests(ChatFixture fixture) : IClassFixture<ChatFixture>
{
    [Fact]
    public async Task A_reply_that_ends_in_another_chat_is_told_and_Open_returns_to_it()
    {
        var page = await fixture.OpenNewChatAsync();
        try
        {
            var first = page.Url;
            await Workbench.SendAsync(page, "Tell me a long story [scenario:long][delay:25]");
            var reply = page.Locator("article.role-assistant").Last;
            await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "streaming");

            // Another chat while the first one still streams.
            await page.Locator("[data-new-chat]").ClickAsync();
            await Assertions.Expect(page).Not.ToHaveURLAsync(first);
            await Workbench.ExpectChatOpenAsync(page);

            var toast = page.Locator(".mud-snackbar").Filter(new() { HasText = "has a new reply." });
            await Assertions.Expect(toast).ToHaveCountAsync(1, new() { Timeout = 60_000 });
            await Assertions.Expect(toast).ToContainTextAsync("“Tell me a long story");
            await Workbench.SaveScreenshotAsync(page, "notice-other-chat-desktop-light");

            await toast.GetByRole(AriaRole.Button, new() { Name = "Open" }).ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(first);
            await Assertions.Expect(page.Locator("article.role-assistant").Last).ToHaveAttributeAsync("data-status", "complete");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
