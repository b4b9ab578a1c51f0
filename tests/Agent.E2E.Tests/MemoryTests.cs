using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// Memory through clicks, on the real app with the provider emulator: a fact saved in the Memory panel reaches the model
/// in another session (read from the emulator's log of what it was sent), pin, edit and delete; a PDF attached with the
/// paperclip is read and its summary reaches the model with the question.
/// </summary>
public sealed class MemoryTests(ChatFixture fixture) : IClassFixture<ChatFixture>
{
    private static readonly string LeasePdf = Path.Combine(AppContext.BaseDirectory, "Fixtures", "lease.pdf");

    [Fact]
    public async Task A_fact_saved_in_the_panel_reaches_the_model_in_another_session_then_is_pinned_edited_and_deleted()
    {
        var page = await fixture.OpenNewChatAsync();
        await Workbench.SendAsync(page, "Hello from the first session");
        await Assertions.Expect(page.Locator("article.role-assistant").Last).ToHaveAttributeAsync("data-status", "complete");

        var panel = await Workbench.GoToAsync(page, "memory");
        await panel.Locator("[data-action=add-memory]").ClickAsync();
        var dialog = page.Locator(".mud-dialog");
        await dialog.Locator("textarea[data-memory-content], [data-memory-content] textarea").First.FillAsync("My sister Clara celebrates her birthday on 14 March at the lake house.");
        await dialog.Locator("[data-action=save-memory]").ClickAsync();
        var row = panel.Locator("[data-memory-item]").Filter(new() { HasText = "Clara celebrates" });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToHaveAttributeAsync("data-tier", "archival");
        await Assertions.Expect(panel.Locator("[data-tier-chip=archival]")).ToHaveAttributeAsync("data-count", "1");

        // Another session: the question's reply was generated from a prompt that carried the fact.
        await page.Locator("[data-new-chat]").ClickAsync();
        await Workbench.ExpectChatOpenAsync(page);
        await page.Locator("[data-composer-ready=true]").WaitForAsync();
        await Workbench.SendAsync(page, "When is the birthday party of Clara?");
        await Assertions.Expect(page.Locator("article.role-assistant").Last).ToHaveAttributeAsync("data-status", "complete");
        var sent = LastChatRequest("When is the birthday party of Clara?");
        Assert.Contains("Recalled memory: [fact] My sister Clara celebrates her birthday on 14 March at the lake house.", sent, StringComparison.Ordinal);

        // Pin, edit and delete from the panel.
        panel = await Workbench.GoToAsync(page, "memory");
        var item = panel.Locator("[data-memory-item]").Filter(new() { HasText = "Clara celebrates" });
        var id = await item.GetAttributeAsync("data-memory-item");
        await panel.Locator($"[data-action=pin][data-item='{id}']").ClickAsync();
        await Assertions.Expect(item).ToHaveAttributeAsync("data-tier", "pinned");
        await Assertions.Expect(panel.Locator("[data-tier-chip=pinned]")).ToHaveAttributeAsync("data-count", "1");

        await panel.Locator($"[data-action=edit][data-item='{id}']").ClickAsync();
        var content = page.Locator(".mud-dialog textarea[data-memory-content], [data-memory-content] textarea").First;
        await content.FillAsync("My sister Clara celebrates her birthday on 15 March at the lake house.");
        await page.Locator(".mud-dialog [data-action=save-memory]").ClickAsync();
        await Assertions.Expect(item.Locator("[data-memory-content]")).ToHaveTextAsync("My sister Clara celebrates her birthday on 15 March at the lake house.");

        await Screens(page, "memory-ready");

        await panel.Locator($"[data-action=delete][data-item='{id}']").ClickAsync();
        var confirm = page.Locator(".mud-dialog").Filter(new() { HasText = "Delete this memory?" });
        await Assertions.Expect(confirm.Locator("[data-confirm-detail]")).ToContainTextAsync("15 March");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(panel.Locator("[data-memory-item]").Filter(new() { HasText = "Clara celebrates" })).ToHaveCountAsync(0);
        await Assertions.Expect(panel.Locator("[data-tier-chip=pinned]")).ToHaveAttributeAsync("data-count", "0");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_pdf_attached_with_the_paperclip_is_read_and_its_summary_reaches_the_model_with_the_question()
    {
        var page = await fixture.OpenNewChatAsync();

        var chooser = await page.RunAndWaitForFileChooserAsync(() => page.Locator("[data-attach]").ClickAsync());
        await chooser.SetFilesAsync(LeasePdf);
        var chip = page.Locator("[data-attachment='lease.pdf']");
        await Assertions.Expect(chip).ToHaveAttributeAsync("data-attachment-state", "ready", new() { Timeout = 30_000 });
        await Screens(page, "chat-attachment-ready");

        await Workbench.SendAsync(page, "How much is the security deposit in this lease?");
        var question = page.Locator("article.role-user").Last;
        await Assertions.Expect(question.Locator("[data-message-attachment='lease.pdf']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("article.role-assistant").Last).ToHaveAttributeAsync("data-status", "complete");
        await Assertions.Expect(chip).ToHaveCountAsync(0);
        var sent = LastChatRequest("How much is the security deposit in this lease?");
        Assert.True(sent.Contains("[attachment]", StringComparison.Ordinal), sent);
        // The emulator wrote the summary (the session's client): the document's text went to it once, its summary with the question.
        var summarized = LastChatRequest("Summarize this document for long-term memory");
        Assert.Contains("Security deposit: 2,900 euros", summarized, StringComparison.Ordinal);
        Assert.Contains("One cat is allowed; no dogs.", summarized, StringComparison.Ordinal);

        // The summary is in the Memory panel, linked to the file.
        var panel = await Workbench.GoToAsync(page, "memory");
        await panel.Locator("[data-tier-chip=attachment]").ClickAsync();
        var summary = panel.Locator("[data-memory-item][data-tier=attachment]").First;
        await Assertions.Expect(summary).ToContainTextAsync("lease.pdf");
        await Assertions.Expect(panel.Locator("[data-memory-source=attachment] a[data-source-link]").First).ToHaveTextAsync("lease.pdf");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_markdown_file_dropped_on_the_composer_gets_its_chip_is_read_and_reaches_the_model_with_the_question()
    {
        var page = await fixture.OpenNewChatAsync();

        // A drag from the desktop, as the page sees it: a DataTransfer holding the file, built in the page.
        var transfer = await page.EvaluateHandleAsync("""
            () => {
              const transfer = new DataTransfer();
              transfer.items.add(new File(["# Island trip\n\nThe ferry to Vlieland leaves Harlingen at 08:45 from pier 3.\nBikes are rented at the harbour.\n"],
                "island-trip.md", { type: "text/markdown" }));
              return transfer;
            }
            """);
        await page.Locator("[data-drop-zone]").DispatchEventAsync("dragenter", new { dataTransfer = transfer });
        await Assertions.Expect(page.Locator(".drop-hint")).ToContainTextAsync("Drop to attach");
        await Screens(page, "chat-drop-hint");
        await page.Locator("#composer-input").DispatchEventAsync("drop", new { dataTransfer = transfer });

        var chip = page.Locator("[data-attachment='island-trip.md']");
        await Assertions.Expect(chip).ToHaveAttributeAsync("data-attachment-state", "ready", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator(".drop-hint")).ToHaveCountAsync(0);

        await Workbench.SendAsync(page, "When does the ferry to Vlieland leave?");
        var question = page.Locator("article.role-user").Last;
        await Assertions.Expect(question.Locator("[data-message-attachment='island-trip.md']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("article.role-assistant").Last).ToHaveAttributeAsync("data-status", "complete");
        await Assertions.Expect(chip).ToHaveCountAsync(0);
        var sent = LastChatRequest("When does the ferry to Vlieland leave?");
        Assert.True(sent.Contains("[attachment]", StringComparison.Ordinal), sent);
        // The file's text went once to the summarizer (the session's client); its summary went with the question.
        Assert.Contains(fixture.Emulator.Requests.All(), r => r.Body.Contains("this document for long-term memory", StringComparison.Ordinal)
            && r.Body.Contains("The ferry to Vlieland leaves Harlingen at 08:45 from pier 3.", StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_file_of_an_unsupported_type_is_refused_on_its_chip_with_the_reason()
    {
        var page = await fixture.OpenNewChatAsync();
        var chooser = await page.RunAndWaitForFileChooserAsync(() => page.Locator("[data-attach]").ClickAsync());
        await chooser.SetFilesAsync(new FilePayload { Name = "photo.png", MimeType = "image/png", Buffer = [137, 80, 78, 71] });
        await Assertions.Expect(page.Locator("[data-attachment='photo.png']")).ToHaveAttributeAsync("data-attachment-state", "rejected");
        await Assertions.Expect(page.Locator("[data-attachment-error='photo.png']")).ToContainTextAsync("photo.png is not a supported type (.png).");
        await page.Context.CloseAsync();
    }

    /// <summary>The body of the newest chat request the emulator received that carries <paramref name="question"/>: what the model saw.</summary>
    private string LastChatRequest(string question) =>
        fixture.Emulator.Requests.All().Last(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal) && r.Body.Contains(question, StringComparison.Ordinal)).Body;


    /// <summary>The panel at desktop and phone width in both themes, checked with axe.</summary>
    private static async Task Screens(IPage page, string name)
    {
        // The action's confirmation toast is gone first: it is not part of the panel.
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0, new() { Timeout = 20_000 });
        await Workbench.AtEachScreenAsync(page, async (size, theme) =>
        {
            await Workbench.SaveScreenshotAsync(page, $"{name}-{size}-{theme}");
            var serious = await Workbench.SeriousAxeViolationsAsync(page);
            Assert.True(serious.Count == 0, $"{name} at {size} in {theme}: " + string.Join("; ", serious));
            Assert.False(await Workbench.ScrollsSidewaysAsync(page), $"{name} at {size} scrolls sideways");
        });

        await Workbench.SetDesktopViewportAsync(page);
    }
}
