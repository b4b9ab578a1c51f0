using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// Memory the agent keeps, on the real app with the provider emulator: the model decides to call memory_save (scripted by a
/// [remember:FACT] marker), the call shows on its reply and runs without asking, the fact appears in the Memory panel as
/// the agent's with a link back to the chat, and a question in another session is sent to the model with it recalled.
/// </summary>
public sealed class AgentMemoryTests(ChatFixture fixture) : IClassFixture<ChatFixture>
{
    private const string Fact = "The quarterly report for Nordwind Logistics is due on the second Friday of each quarter.";

    [Fact]
    public async Task A_fact_the_agent_saves_is_shown_as_its_own_and_recalled_in_another_session()
    {
        var page = await fixture.OpenNewChatAsync();
        await Workbench.SendAsync(page, $"Please keep this in mind. [scenario:tool-call] [remember:{Fact}]");
        var reply = page.Locator("article.role-assistant").Last;
        await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "complete");
        var card = reply.Locator(".tool-card[aria-label='Tool call memory_save']");
        await Assertions.Expect(card).ToHaveAttributeAsync("data-tool-state", "done");
        await Assertions.Expect(card.Locator("[data-tool-result]")).ToContainTextAsync("\"saved\":true");
        var chatUrl = page.Url;

        var panel = await Workbench.GoToAsync(page, "memory");
        var row = panel.Locator("[data-memory-item]").Filter(new() { HasText = "Nordwind Logistics" });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToHaveAttributeAsync("data-tier", "archival");
        var line = panel.Locator("tr").Filter(new() { Has = page.Locator("[data-memory-item]", new() { HasText = "Nordwind Logistics" }) });
        await Assertions.Expect(line.Locator("[data-memory-source=agent]")).ToContainTextAsync("The agent");
        var link = line.Locator("[data-memory-source=agent] a[data-source-link]");
        await Assertions.Expect(link).ToHaveCountAsync(1);
        Assert.EndsWith(new Uri(chatUrl).AbsolutePath, await link.GetAttributeAsync("href") ?? "", StringComparison.Ordinal);

        // Another session: the question goes to the model with the agent's fact recalled.
        await page.Locator("[data-new-chat]").ClickAsync();
        await Assertions.Expect(page).Not.ToHaveURLAsync(chatUrl);
        await Workbench.ExpectChatOpenAsync(page);
        const string question = "When is the Nordwind Logistics quarterly report due?";
        await Workbench.SendAsync(page, question);
        await Assertions.Expect(page.Locator("article.role-assistant").Last).ToHaveAttributeAsync("data-status", "complete");
        var sent = fixture.Emulator.Requests.All().Last(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal) && r.Body.Contains(question, StringComparison.Ordinal)).Body;
        Assert.Contains($"Recalled memory: [fact] {Fact}", sent, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }
}
