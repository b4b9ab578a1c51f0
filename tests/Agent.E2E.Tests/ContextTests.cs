using Agent.Data;
using Agent.Domain.Memory;
using Agent.Domain.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// A long session on a model with a small context window (600 tokens): it compacts visibly, the marker opens the
/// summary, the next answer still carries the pinned fact, "what the model saw" lists the parts, and checkpoints
/// rewind and fork, all through clicks.
/// </summary>
public sealed class ContextTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string PinnedFact = "The person's favourite colour is teal.";

    [Fact]
    public async Task A_long_session_compacts_visibly_keeps_the_pinned_fact_and_rewinds_and_forks_from_a_checkpoint()
    {
        var dataFolder = Directory.CreateTempSubdirectory("agent-e2e-context").FullName;
        await SeedPinnedFactAsync(Path.Combine(dataFolder, "agent.db"));
        await using var app = await AppProcess.StartAsync(
            new Dictionary<string, string>
            {
                ["Agent:DefaultProvider"] = "deterministic",
                ["Agent:Providers:0:Models:0:ContextWindow"] = "600",
                ["Agent:Providers:0:ChunkDelayMs"] = "2",
            },
            dataFolder);
        var page = await fixture.NewPageAsync(app);
        try
        {
            await page.GotoAsync("/");
            await page.Locator("[data-interactive=true]").WaitForAsync();
            await page.Locator("[data-new-chat]").ClickAsync();
            await Workbench.ExpectChatOpenAsync(page);
            await page.Locator("[data-composer-ready=true]").WaitForAsync();
            var gauge = page.Locator("[data-context-gauge]");
            await Assertions.Expect(gauge).ToHaveAttributeAsync("data-window", "600");
            await Assertions.Expect(gauge).ToHaveAttributeAsync("data-estimate", "true");

            // Turn after turn until the session compacts; each reply is complete before the next message.
            var marker = page.Locator("[data-compaction-marker]");
            var replies = page.Locator("article.role-assistant");
            for (var turn = 0; turn < 14 && await marker.CountAsync() == 0; turn++)
            {
                await Workbench.SendAsync(page, $"Turn {turn}: more about my garden, the roses and the old apple tree by the wall.");
                await Assertions.Expect(replies).ToHaveCountAsync(turn + 1);
                await Assertions.Expect(replies.Last).ToHaveAttributeAsync("data-status", "complete");
            }

            await Assertions.Expect(marker).ToHaveCountAsync(1);
            await Assertions.Expect(marker).ToContainTextAsync("Compacted here");
            await Assertions.Expect(replies.Last.Locator(".message-body")).ToContainTextAsync(PinnedFact);

            // The marker opens the summary (scripted and labelled, since the provider is deterministic).
            var dialog = page.GetByRole(AriaRole.Dialog);
            async Task OpenSummary()
            {
                await marker.Locator("[data-open-summary]").ClickAsync();
                await Assertions.Expect(dialog.Locator("[data-summary-text]")).ToContainTextAsync("[deterministic] Scripted summary");
            }

            async Task CloseDialog(string close)
            {
                await dialog.Locator(close).ClickAsync();
                await Assertions.Expect(dialog).ToHaveCountAsync(0);
            }

            await OpenSummary();
            await Assertions.Expect(dialog.Locator("[data-summary-text]")).ToContainTextAsync("Turn 0");
            await CloseDialog("[data-summary-close]");
            await Screens(page, "context-summary", phoneToo: true, OpenSummary, () => CloseDialog("[data-summary-close]"));

            // The next answer still carries the pinned fact.
            await Workbench.SendAsync(page, "And what colour do I like?");
            var last = replies.Last;
            await Assertions.Expect(last).ToHaveAttributeAsync("data-status", "complete");
            await Assertions.Expect(last.Locator(".message-body")).ToContainTextAsync("And what colour do I like?");
            await Assertions.Expect(last.Locator(".message-body")).ToContainTextAsync(PinnedFact);

            // What the model saw: pinned, the summary, the recent turns, in order, with estimate marks.
            var parts = dialog.Locator("[data-context-part]");
            async Task OpenContext()
            {
                await last.Locator("[data-show-context]").ClickAsync();
                await Assertions.Expect(parts).ToHaveCountAsync(3);
            }

            await OpenContext();
            Assert.Equal(["pinned", "compaction_summary", "recent_turns"], await parts.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.contextPart)"));
            await Assertions.Expect(parts.First.Locator("[data-part-tokens]")).ToContainTextAsync("≈");
            await Assertions.Expect(dialog.Locator("[data-context-tokenizer]")).ToContainTextAsync("estimates");
            await CloseDialog("[data-context-close]");
            await Screens(page, "context-what-the-model-saw", phoneToo: true, OpenContext, () => CloseDialog("[data-context-close]"));
            await Screens(page, "context-compacted-chat", phoneToo: true, () => marker.ScrollIntoViewIfNeededAsync());

            // Checkpoints: rewind to the compaction (later messages stay as a branch), then fork from it.
            var messagesBefore = await page.Locator("article.message").CountAsync();
            var compaction = dialog.Locator("[data-checkpoint][data-kind=compaction]");
            async Task OpenCheckpoints()
            {
                await page.Locator("[data-open-checkpoints]").ClickAsync();
                await Assertions.Expect(compaction).ToHaveCountAsync(1);
            }

            await Screens(page, "context-checkpoints", phoneToo: true, OpenCheckpoints, () => CloseDialog("[data-checkpoints-close]"));
            await OpenCheckpoints();
            await compaction.Locator("[data-checkpoint-rewind]").ClickAsync();
            await Assertions.Expect(dialog).ToHaveCountAsync(2); // the confirmation over the list
            await dialog.Last.GetByRole(AriaRole.Button, new() { Name = "Rewind", Exact = true }).ClickAsync();
            await Assertions.Expect(dialog).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("article.message").Last).ToHaveAttributeAsync("data-message-id",
                await marker.EvaluateAsync<string>("m => m.previousElementSibling.dataset.messageId"));
            Assert.True(await page.Locator("article.message").CountAsync() < messagesBefore);

            await Workbench.SendAsync(page, "Starting again from the summary.");
            await Assertions.Expect(replies.Last).ToHaveAttributeAsync("data-status", "complete");
            await Assertions.Expect(page.Locator("article.role-user").Last.Locator("[data-branch-position]")).ToHaveTextAsync("2 / 2");
            await Assertions.Expect(replies.Last.Locator(".message-body")).ToContainTextAsync(PinnedFact);

            var original = page.Url;
            await page.Locator("[data-open-checkpoints]").ClickAsync();
            await Assertions.Expect(dialog.Locator("[data-checkpoint][data-kind=beforerewind]")).ToHaveCountAsync(1);
            await dialog.Locator("[data-checkpoint][data-kind=compaction] [data-checkpoint-fork]").ClickAsync();
            await Assertions.Expect(dialog).ToHaveCountAsync(2);
            await dialog.Last.GetByRole(AriaRole.Button, new() { Name = "Fork", Exact = true }).ClickAsync();
            await Assertions.Expect(page).Not.ToHaveURLAsync(original);
            await Workbench.ExpectChatOpenAsync(page);
            await Assertions.Expect(page.Locator("#panel-title-chat")).ToContainTextAsync("Fork of");
            await Assertions.Expect(page.Locator("[data-compaction-marker]")).ToHaveCountAsync(1); // the summary came along
            await page.Locator("[data-composer-ready=true]").WaitForAsync();
            await Workbench.SendAsync(page, "In the fork now.");
            await Assertions.Expect(page.Locator("article.role-assistant").Last.Locator(".message-body")).ToContainTextAsync(PinnedFact);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private static async Task SeedPinnedFactAsync(string databasePath)
    {
        var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddAgentData(databasePath).BuildServiceProvider();
        await using (services)
        {
            await services.GetRequiredService<AgentDatabase>().InitializeAsync(CancellationToken.None);
            var now = DateTimeOffset.UtcNow;
            await services.GetRequiredService<IMemoryStore>().AddAsync(
                new MemoryItem(Guid.NewGuid(), "local", null, MemoryTier.PinnedBlock, "Favourite colour", PinnedFact, now, now), CancellationToken.None);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    /// <summary>
    /// Screenshots in both themes (and at phone width when asked), each checked with axe. The theme is switched with
    /// its toggle while no dialog is open, so a dialog is opened again for each picture.
    /// </summary>
    private static async Task Screens(IPage page, string name, bool phoneToo, Func<Task>? open = null, Func<Task>? close = null)
    {
        var sizes = phoneToo ? Workbench.ScreenSizes : Workbench.ScreenSizes.Take(1);
        foreach (var (width, height, size) in sizes)
        {
            await page.SetViewportSizeAsync(width, height);
            if (Workbench.IsPhone(page))
            {
                await Workbench.SetDrawerAsync(page, open: false); // the sessions drawer would cover the chat
            }

            foreach (var theme in new[] { "light", "dark" })
            {
                await Workbench.SetThemeAsync(page, theme);
                if (open is not null)
                {
                    await open();
                }

                await Workbench.SaveScreenshotAsync(page, $"{name}-{size}-{theme}");
                await Workbench.ExpectNoSeriousAxeViolationsAsync(page, $"{name} at {size} in {theme}");
                if (close is not null)
                {
                    await close();
                }
            }
        }

        await Workbench.SetDesktopViewportAsync(page);
        await Workbench.SetThemeAsync(page, "light");
    }
}
