using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// The Tools panel through clicks and keys: reached by its link, tools under their source's heading with a count,
/// a typed search that narrows the list, and a tool set to ask that is still set to ask after a reload.
/// </summary>
public sealed class ToolsPanelTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Tools_are_grouped_searchable_and_a_tool_set_to_ask_stays_so_after_a_reload()
    {
        var page = await fixture.NewPageAsync(1280, 800);
        try
        {
            await Workbench.OpenAsync(page);
            var panel = await Workbench.GoToAsync(page, "tools");
            await Assertions.Expect(panel).ToHaveAttributeAsync("data-state", "ready");
            var builtIn = panel.Locator("[data-tool-group=built-in]");
            await Assertions.Expect(builtIn.Locator("h4")).ToHaveTextAsync("Built-in");
            await Assertions.Expect(builtIn.Locator("[data-tool-count]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+ tools$"));
            await Assertions.Expect(panel.Locator("[data-tool=calculator]")).ToHaveAttributeAsync("data-setting", "auto");
            await Workbench.ScreenshotsInBothThemesAsync(page, "tools-grouped-desktop");

            var search = panel.GetByRole(AriaRole.Textbox, new() { Name = "Search tools" });
            await search.PressSequentiallyAsync("calcul");
            await Assertions.Expect(panel.Locator("[data-tool]")).ToHaveCountAsync(1);
            await Assertions.Expect(builtIn.Locator("[data-tool-count]")).ToHaveTextAsync("1 tool");

            await panel.Locator("[data-tool=calculator] [data-setting-option=ask]").ClickAsync();
            await Assertions.Expect(panel.Locator("[data-tool=calculator]")).ToHaveAttributeAsync("data-setting", "ask");

            await search.PressAsync("End");
            await search.PressSequentiallyAsync("-nothing");
            await Assertions.Expect(panel.Locator("[data-no-match]")).ToHaveTextAsync("No tool matches “calcul-nothing”.");

            await page.ReloadAsync();
            await page.Locator("[data-interactive=true]").WaitForAsync();
            panel = await Workbench.ExpectPanelAsync(page, "tools");
            await Assertions.Expect(panel.Locator("[data-tool=calculator]")).ToHaveAttributeAsync("data-setting", "ask");
            await Assertions.Expect(panel.Locator("[data-tool=current_time]")).ToHaveAttributeAsync("data-setting", "auto");

            await page.SetViewportSizeAsync(390, 844);
            await Assertions.Expect(panel.Locator("[data-tool=calculator]")).ToBeVisibleAsync();
            await Workbench.ScreenshotsInBothThemesAsync(page, "tools-grouped-phone");
            await Workbench.ExpectNoSeriousAxeViolationsAsync(page);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
