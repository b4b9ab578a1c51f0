using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>The Runs panel on the real app: a long execution progresses live and is cancelled from the panel.</summary>
public sealed class RunsTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_diagnostic_task_progresses_live_and_cancel_stops_it()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/runs");
        await page.Locator("[data-interactive=true]").WaitForAsync();

        await page.Locator("button[data-action=start-diagnostic]").ClickAsync();

        var row = page.Locator("tr[data-execution]").First;
        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "running");
        await Assertions.Expect(row.Locator("progress")).Not.ToHaveAttributeAsync("value", "0", new() { Timeout = 15_000 });
        var progressBefore = double.Parse((await row.Locator("progress").GetAttributeAsync("value"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(progressBefore > 0, "the panel showed progress without a reload");

        await row.Locator("button[data-action=cancel]").ClickAsync();

        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "cancelled");
        var progressAfter = double.Parse((await row.Locator("progress").GetAttributeAsync("value"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(progressAfter, progressBefore, 0.99);
        await Assertions.Expect(page.Locator("section[data-panel=runs]")).ToHaveAttributeAsync("data-state", "ready");

        await row.Locator("button[data-action=details]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-detail]")).ToContainTextAsync("execution.cancelled");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "runs-cancelled.png"), FullPage = true });
        await page.Context.CloseAsync();
    }
}
