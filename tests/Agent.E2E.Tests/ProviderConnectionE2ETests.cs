using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>Settings in the real app, reached by its link: provider modes and "Test connection" with its result.</summary>
public sealed class ProviderConnectionE2ETests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Theory]
    [InlineData(1280, 800)]
    [InlineData(390, 844)]
    public async Task Test_connection_shows_the_action_for_a_blocked_provider_and_ok_for_deterministic(int width, int height)
    {
        var page = await fixture.NewPageAsync(width, height);
        try
        {
            await Workbench.OpenAsync(page);
            await Workbench.GoToAsync(page, "settings");
            await Assertions.Expect(page.Locator("[data-provider=openai]")).ToHaveAttributeAsync("data-provider-mode", "live");
            await Assertions.Expect(page.Locator("[data-provider=deterministic]")).ToHaveAttributeAsync("data-provider-mode", "deterministic");

            await page.Locator("[data-test-connection=openai]").ClickAsync();
            var openai = page.Locator("[data-connection-test=openai] [data-connection-result]");
            await Assertions.Expect(openai).ToHaveAttributeAsync("data-connection-result", "failed");
            await Assertions.Expect(page.Locator("[data-connection-test=openai] [data-connection-action]")).ToHaveTextAsync("set OPENAI_API_KEY and restart the app");

            await page.Locator("[data-test-connection=deterministic]").ClickAsync();
            var deterministic = page.Locator("[data-connection-test=deterministic] [data-connection-result]");
            await Assertions.Expect(deterministic).ToHaveAttributeAsync("data-connection-result", "ok");
            await Assertions.Expect(deterministic).ToContainTextAsync("deterministic (offline, scripted)");

            // Back to the chat and forward again: Settings is shown afresh, with its cards.
            await page.GoBackAsync();
            await Workbench.ExpectPanelAsync(page, "chat");
            await page.GoForwardAsync();
            await Workbench.ExpectPanelAsync(page, "settings");
            await Assertions.Expect(page.Locator("[data-provider=openai]")).ToHaveAttributeAsync("data-provider-state", "blocked");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
