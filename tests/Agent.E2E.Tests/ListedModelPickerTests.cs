using System.Text.Json;
using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// A model the OpenAI-compatible server lists at /v1/models (not in the configuration) appears in the model picker
/// under its provider, marked as listed by the server; picked, the chat's next turn goes to that model.
/// </summary>
public sealed class ListedModelPickerTests(ChatFixture fixture) : IClassFixture<ChatFixture>
{
    private const string Listed = "emulator-listed-model";

    [Fact]
    public async Task A_model_the_server_lists_can_be_picked_and_answers()
    {
        var page = await fixture.OpenNewChatAsync();
        try
        {
            var chip = page.Locator("[data-control=model]");
            await chip.ClickAsync();
            var menu = page.Locator(".mud-popover-open");
            await Assertions.Expect(menu.Locator("[data-listed-heading=emulator]")).ToHaveTextAsync("Listed by the server · no price set");
            var option = menu.Locator($"[data-listed-model='emulator/{Listed}']");
            await Assertions.Expect(option).ToHaveTextAsync(Listed);
            await Assertions.Expect(menu.Locator("[data-model-option='emulator/emulator-model']")).ToHaveCountAsync(1);

            // The emulator lists its configured model too; it is offered once, as configured.
            await Assertions.Expect(menu.Locator("[data-listed-model='emulator/emulator-model']")).ToHaveCountAsync(0);
            await CloseAsync(page, menu);
            await PickerScreensAsync(page, chip, menu);

            await chip.ClickAsync();
            await option.ClickAsync();
            await Assertions.Expect(chip).ToContainTextAsync($"emulator · {Listed}");

            await Workbench.SendAsync(page, "Hello from the listed model");
            var reply = page.Locator("article.role-assistant").Last;
            await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "complete");
            await Assertions.Expect(chip).ToContainTextAsync($"emulator · {Listed}");
            var call = fixture.Emulator.Requests.All().Last(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal) && r.Body.Contains("Hello from the listed model", StringComparison.Ordinal));
            Assert.Equal(Listed, JsonDocument.Parse(call.Body).RootElement.GetProperty("model").GetString());
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>Closes the menu the way a person who only looked does: picking the model the chat already has.</summary>
    private static async Task CloseAsync(IPage page, ILocator menu)
    {
        await menu.Locator("[data-model-option='emulator/emulator-model']").ClickAsync();
        await Assertions.Expect(menu).ToHaveCountAsync(0);
    }

    /// <summary>The open picker at desktop and phone width, light and dark; closed again after each.</summary>
    private static async Task PickerScreensAsync(IPage page, ILocator chip, ILocator menu)
    {
        await Workbench.AtEachScreenAsync(page, async (size, theme) =>
        {
            await chip.ClickAsync();
            await Assertions.Expect(menu.Locator($"[data-listed-model='emulator/{Listed}']")).ToBeVisibleAsync();
            await Workbench.SaveScreenshotAsync(page, $"model-picker-listed-{size}-{theme}");
            await Workbench.ExpectNoSeriousAxeViolationsAsync(page);
            await CloseAsync(page, menu);
        });

        await Workbench.SetDesktopViewportAsync(page);
        await Workbench.SetThemeAsync(page, "light");
    }
}
