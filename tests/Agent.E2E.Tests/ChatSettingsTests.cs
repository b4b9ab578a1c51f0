using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// A chat's own instructions and temperature, through the chat options: typed, the temperature set with the keys,
/// saved, shown in the folded options, sent with the next turn (what the model saw) and still there after a reload.
/// </summary>
public sealed class ChatSettingsTests(ChatFixture fixture) : IClassFixture<ChatFixture>
{
    private const string Instructions = "Answer in one short sentence.";

    [Fact]
    public async Task Instructions_and_temperature_are_saved_for_the_chat_and_sent_with_its_next_turn()
    {
        var page = await fixture.OpenNewChatAsync();
        try
        {
            var toggle = page.Locator("[data-chat-options]");
            await toggle.ClickAsync();
            await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
            var settings = page.Locator("[data-chat-settings]");
            var save = settings.Locator("[data-save-chat-settings]");
            await Assertions.Expect(save).ToBeDisabledAsync();

            await settings.GetByLabel("Instructions for this chat").FillAsync(Instructions);
            await settings.GetByLabel("Set the temperature").CheckAsync();
            var slider = settings.GetByRole(AriaRole.Slider, new() { Name = "Temperature" });
            await slider.FocusAsync();
            for (var i = 0; i < 5; i++)
            {
                await slider.PressAsync("ArrowLeft");
            }

            await Assertions.Expect(settings.Locator("[data-temperature-value]")).ToHaveTextAsync("0.5");
            await Workbench.ScreenshotsInBothThemesAsync(page, "chat-settings-desktop");
            await save.ClickAsync();
            await Assertions.Expect(settings.Locator("[data-settings-saved]")).ToHaveTextAsync("Saved for this chat");
            await Assertions.Expect(save).ToBeDisabledAsync();
            await Assertions.Expect(toggle).ToContainTextAsync("own instructions · temperature 0.5");

            // The next turn carries them: "what the model saw" lists the chat's instructions after the agent's.
            await Workbench.SendAsync(page, "Where do we start?");
            var reply = page.Locator("article.role-assistant").Last;
            await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "complete");
            await reply.Locator("[data-show-context]").ClickAsync();
            var dialog = page.GetByRole(AriaRole.Dialog);
            var instructionsPart = dialog.Locator("[data-context-part=system]").Filter(new() { HasText = "Instructions for this chat" });
            await Assertions.Expect(instructionsPart).ToHaveCountAsync(1);
            await instructionsPart.Locator("summary").ClickAsync();
            await Assertions.Expect(instructionsPart).ToContainTextAsync(Instructions);
            await dialog.Locator("[data-context-close]").ClickAsync();
            await Assertions.Expect(dialog).ToHaveCountAsync(0);

            // Kept with the chat: after a reload the options show them again.
            await page.ReloadAsync();
            await page.Locator("[data-interactive=true]").WaitForAsync();
            await Assertions.Expect(page.Locator("[data-chat-options]")).ToContainTextAsync("own instructions · temperature 0.5");
            await page.Locator("[data-chat-options]").ClickAsync();
            await Assertions.Expect(page.GetByLabel("Instructions for this chat")).ToHaveValueAsync(Instructions);
            await Assertions.Expect(page.Locator("[data-temperature-value]")).ToHaveTextAsync("0.5");

            // An edit can be undone before it is saved.
            await page.GetByLabel("Instructions for this chat").FillAsync("Something else");
            await page.Locator("[data-reset-chat-settings]").ClickAsync();
            await Assertions.Expect(page.GetByLabel("Instructions for this chat")).ToHaveValueAsync(Instructions);

            await Workbench.SetPhoneViewportAsync(page);
            await Assertions.Expect(page.Locator("[data-save-chat-settings]")).ToBeInViewportAsync(new() { Ratio = 0.5f });
            Assert.False(await Workbench.ScrollsSidewaysAsync(page), "the chat options scroll sideways at 390 px");
            await Workbench.ScreenshotsInBothThemesAsync(page, "chat-settings-phone");
            await Workbench.ExpectNoSeriousAxeViolationsAsync(page);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
