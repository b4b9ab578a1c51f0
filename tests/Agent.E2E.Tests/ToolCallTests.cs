using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>The emulator asks for tool calls; the chat shows cards, asks for approval and sends results back.</summary>
public sealed class ToolCallTests(ChatFixture fixture) : IClassFixture<ChatFixture>
{
    [Fact]
    public async Task An_approved_call_runs_its_result_goes_back_to_the_model_and_the_answer_streams()
    {
        var page = await OpenManualChatAsync();

        await Workbench.SendAsync(page, "Use your tools [scenario:tool-call]");

        var reply = page.Locator("article.role-assistant").Last;
        var awaiting = reply.Locator("[data-tool-state=awaiting-approval]");
        await Assertions.Expect(awaiting).ToHaveCountAsync(1);
        await Assertions.Expect(awaiting.Locator("[data-tool-arguments]")).ToHaveTextAsync("{\"city\":\"Paris\",\"unit\":\"celsius\"}");
        await Assertions.Expect(reply.Locator("[data-tool-state=error]")).ToContainTextAsync("There is no tool named 'get_time'");

        await awaiting.Locator("[data-approve=once]").ClickAsync();

        var card = reply.Locator(".tool-card").First;
        await Assertions.Expect(card).ToHaveAttributeAsync("data-tool-state", "done");
        await Assertions.Expect(card.Locator("[data-tool-meta]")).ToContainTextAsync("approved by the person");
        await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "complete");
        await Assertions.Expect(reply.Locator(".message-body")).ToContainTextAsync("The tools answered:");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "chat-tool-approved.png"), FullPage = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_denied_call_does_not_run_and_the_model_sees_the_reason()
    {
        var page = await OpenManualChatAsync();

        await Workbench.SendAsync(page, "Use your tools [scenario:tool-call]");
        var reply = page.Locator("article.role-assistant").Last;
        var awaiting = reply.Locator("[data-tool-state=awaiting-approval]");
        await awaiting.Locator(".deny-reason input").FillAsync("not today");
        await awaiting.Locator("[data-approve=deny]").ClickAsync();

        await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "complete");
        await Assertions.Expect(reply.Locator(".tool-card").First.Locator("[data-tool-result]")).ToContainTextAsync("The person denied this call: not today");
        await Assertions.Expect(reply.Locator(".message-body")).ToContainTextAsync("not today");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_pending_approval_survives_an_app_restart_and_approving_it_resumes_the_turn()
    {
        var page = await OpenManualChatAsync();
        var url = page.Url;
        await Workbench.SendAsync(page, "Use your tools [scenario:tool-call]");
        await Assertions.Expect(page.Locator("[data-tool-state=awaiting-approval]")).ToHaveCountAsync(1);

        await fixture.RestartAppAsync();
        await page.Context.CloseAsync();
        page = await fixture.NewPageAsync();
        await page.GotoAsync(new Uri(url).PathAndQuery);
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.Locator("section[data-panel=chat]")).ToHaveAttributeAsync("data-state", "ready");

        var pending = page.Locator("[data-tool-state=awaiting-approval]");
        await Assertions.Expect(pending).ToHaveCountAsync(1);
        await Assertions.Expect(pending.Locator("[data-tool-arguments]")).ToHaveTextAsync("{\"city\":\"Paris\",\"unit\":\"celsius\"}");
        var reply = page.Locator("article.role-assistant").Last;
        await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "interrupted");

        await pending.Locator("[data-approve=once]").ClickAsync();

        await Assertions.Expect(reply.Locator(".tool-card").First).ToHaveAttributeAsync("data-tool-state", "done");
        await Assertions.Expect(reply.Locator(".tool-card").First.Locator("[data-tool-meta]")).ToContainTextAsync("approved by the person after a restart");
        await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "complete");
        await Assertions.Expect(reply.Locator(".message-body")).ToContainTextAsync("The tools answered:");
        await page.Context.CloseAsync();
    }

    private async Task<IPage> OpenManualChatAsync()
    {
        var page = await fixture.OpenNewChatAsync();
        await ChatFixture.ChooseAsync(page, "tool-mode", "Ask for every call");
        await Assertions.Expect(page.Locator("section[data-panel=chat]")).ToHaveAttributeAsync("data-tool-mode", "Manual");
        return page;
    }
}
