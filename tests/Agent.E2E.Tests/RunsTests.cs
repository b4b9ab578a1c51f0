using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// The Runs panel on the real app, reached by its link: a long execution progresses live and is cancelled; a chat turn
/// is listed under its session's title with a status chip and a relative time, and the filters narrow the list.
/// </summary>
public sealed class RunsTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_diagnostic_task_progresses_live_and_cancel_stops_it()
    {
        var page = await fixture.NewPageAsync();
        try
        {
            await Workbench.OpenAsync(page);
            var runs = await Workbench.GoToAsync(page, "runs");
            await Assertions.Expect(runs).ToHaveAttributeAsync("data-state", "empty");

            await page.Locator("button[data-action=start-diagnostic]").ClickAsync();

            var marker = page.Locator("[data-execution]").First;
            var row = page.Locator("tr").Filter(new() { Has = page.Locator("[data-execution]") }).First;
            await Assertions.Expect(marker).ToHaveAttributeAsync("data-status", "running");
            await Assertions.Expect(runs).ToHaveAttributeAsync("data-state", "ready");
            var progress = row.Locator("[data-progress]");
            await Assertions.Expect(progress).Not.ToHaveAttributeAsync("data-progress", "0", new() { Timeout = 15_000 });
            var before = double.Parse((await progress.GetAttributeAsync("data-progress"))!, CultureInfo.InvariantCulture);
            Assert.True(before > 0, "the page showed progress without a reload");
            await Assertions.Expect(row).ToContainTextAsync("Diagnostic step");

            await row.Locator("button[data-action=cancel]").ClickAsync();

            await Assertions.Expect(marker).ToHaveAttributeAsync("data-status", "cancelled");
            await Assertions.Expect(row.Locator("button[data-action=retry]")).ToBeVisibleAsync();
            var after = double.Parse((await progress.GetAttributeAsync("data-progress"))!, CultureInfo.InvariantCulture);
            Assert.InRange(after, before, 0.99);

            await Workbench.SaveScreenshotAsync(page, "runs-ready-desktop-light");
            // Axe judges the page at rest: a snackbar fading out has, for a moment, too little contrast.
            await Assertions.Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0, new() { Timeout = 15_000 });
            var violations = await Workbench.SeriousAxeViolationsAsync(page);
            Assert.True(violations.Count == 0, string.Join("\n", violations));

            await row.Locator("button[data-action=details]").ClickAsync();
            var detail = page.Locator("[data-detail]");
            await Assertions.Expect(detail).ToContainTextAsync("execution.cancelled");
            await Workbench.SaveScreenshotAsync(page, "runs-detail-desktop-light");
            await page.Locator("button[data-action=close-detail]").ClickAsync();
            await Assertions.Expect(detail).ToHaveCountAsync(0);

            // Away and back with the browser: the grid shows the cancelled run again.
            await page.GoBackAsync();
            await Workbench.ExpectPanelAsync(page, "chat");
            await page.GoForwardAsync();
            runs = await Workbench.ExpectPanelAsync(page, "runs");
            await Assertions.Expect(runs).ToHaveAttributeAsync("data-state", "ready");
            await Assertions.Expect(page.Locator("[data-execution]").First).ToHaveAttributeAsync("data-status", "cancelled");

            // A chat turn is listed under its session's title, with the intent in words, a status chip and a relative time.
            const string Title = "Packing list for the trip";
            await Workbench.GoToAsync(page, "chat");
            await page.Locator("[data-new-chat]").ClickAsync();
            await Workbench.ExpectChatOpenAsync(page);
            await Workbench.SendAsync(page, Title);
            await Assertions.Expect(page.Locator("article.role-assistant").Last).ToHaveAttributeAsync("data-status", "complete");
            runs = await Workbench.GoToAsync(page, "runs");
            var turn = page.Locator("tr").Filter(new() { Has = page.Locator("[data-run-title]", new() { HasText = Title }) });
            await Assertions.Expect(turn).ToHaveCountAsync(1);
            await Assertions.Expect(turn.Locator("[data-execution]")).ToHaveAttributeAsync("data-status", "completed");
            await Assertions.Expect(turn.Locator("[data-run-intent]")).ToHaveTextAsync("Reply in chat");
            await Assertions.Expect(turn.Locator("[data-status-chip=completed]")).ToHaveTextAsync("Completed");
            await Assertions.Expect(turn.Locator("[data-run-when]")).ToHaveTextAsync(new Regex("^(just now|\\d+ min ago)$"));
            await Assertions.Expect(turn.Locator("[data-run-when]")).ToHaveAttributeAsync("title", new Regex("^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}"));
            await Assertions.Expect(turn.Locator("[data-run-duration]")).ToHaveTextAsync(new Regex("^\\d+(\\.\\d)? s$|min"));

            // The status filter: only cancelled runs, then all again.
            await page.Locator("[data-status-filter=cancelled]").ClickAsync();
            await Assertions.Expect(turn).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("[data-execution]")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator("[data-execution]").First).ToHaveAttributeAsync("data-status", "cancelled");
            await page.Locator("[data-status-filter=all]").ClickAsync();
            await Assertions.Expect(turn).ToHaveCountAsync(1);

            // The title filter: a word of the title keeps that run; text nothing has says so.
            var titleFilter = page.Locator("input[data-title-filter], [data-title-filter] input").First;
            await titleFilter.FillAsync("packing");
            await Assertions.Expect(page.Locator("[data-execution]")).ToHaveCountAsync(1);
            await Assertions.Expect(turn).ToHaveCountAsync(1);
            await titleFilter.FillAsync("no such run");
            await Assertions.Expect(page.Locator("[data-no-match]")).ToHaveTextAsync("No runs match.");
            await Assertions.Expect(runs).ToHaveAttributeAsync("data-state", "ready");
            await titleFilter.FillAsync("");
            await Assertions.Expect(page.Locator("[data-execution]")).ToHaveCountAsync(2);
            await Assertions.Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0, new() { Timeout = 15_000 });
            await Workbench.ScreenshotsInBothThemesAsync(page, "runs-people-desktop");
            await Workbench.ExpectNoSeriousAxeViolationsAsync(page);

            // On a phone the grid stacks each run as a card: readable, no sideways scroll, still axe clean.
            await page.SetViewportSizeAsync(390, 844);
            await Assertions.Expect(page.Locator("[data-execution]").First).ToBeVisibleAsync();
            await Workbench.SaveScreenshotAsync(page, "runs-ready-phone-light");
            await Workbench.ScreenshotsInBothThemesAsync(page, "runs-people-phone");
            Assert.False(await Workbench.ScrollsSidewaysAsync(page), "the Runs grid scrolls sideways at 390 px");
            violations = await Workbench.SeriousAxeViolationsAsync(page);
            Assert.True(violations.Count == 0, string.Join("\n", violations));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
