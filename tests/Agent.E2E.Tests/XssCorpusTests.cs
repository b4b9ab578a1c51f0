using System.Text.Json;
using Agent.Data;
using Agent.Domain.Sessions;
using Agent.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Agent.E2E.Tests;

/// <summary>
/// XSS corpus in real Chromium: every payload arrives as model output (markdown), as a built-in tool's result and
/// arguments, and as an MCP server's content (a namespaced tool's result). Each payload, if it ran, would raise
/// window.__xss or open a dialog; the transcript must also hold no script-capable element, no on* attribute and no
/// javascript:/data:/vbscript: link. Counts are printed: 0 executed.
/// </summary>
public sealed class XssCorpusTests(BrowserFixture fixture, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task No_payload_runs_from_model_output_tool_results_or_MCP_content()
    {
        var folder = Directory.CreateTempSubdirectory("agent-e2e-xss").FullName;
        await SeedAsync(Path.Combine(folder, "agent.db"));
        await using var app = await AppProcess.StartAsync(dataFolder: folder);
        var page = await fixture.NewPageAsync(app);
        var dialogs = 0;
        page.Dialog += (_, dialog) =>
        {
            dialogs++;
            _ = dialog.DismissAsync();
        };

        await Workbench.OpenAsync(page);
        await page.Locator("a.session-link").Filter(new() { HasText = "Hostile corpus" }).ClickAsync();
        var reply = page.Locator("article.role-assistant").Last;
        await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "complete");
        await Assertions.Expect(reply.Locator("[data-tool-result]")).ToHaveCountAsync(2);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        // Focus and hover everything once (autofocus/onfocus, onmouseover) and open every <details>.
        await page.EvaluateAsync("() => document.querySelectorAll('main *').forEach(e => { e.dispatchEvent(new MouseEvent('mouseover', { bubbles: true })); if (e.focus) e.focus(); })");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        var executed = await page.EvaluateAsync<int>("() => window.__xss || 0");
        var dangerous = await page.EvaluateAsync<int>(
            """
            () => {
              const root = document.querySelector('main');
              const tags = root.querySelectorAll('script, iframe, object, embed, form, base, meta, input[autofocus], svg script, style:not([data-mud])');
              const handlers = [...root.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.toLowerCase().startsWith('on')));
              const links = [...root.querySelectorAll('a[href], img[src], source[src]')]
                .map(e => (e.getAttribute('href') || e.getAttribute('src') || '').trim().toLowerCase())
                .filter(u => u.startsWith('javascript:') || u.startsWith('data:') || u.startsWith('vbscript:'));
              return tags.length + handlers.length + links.length;
            }
            """);
        var visibleAsText = 0;
        foreach (var marker in new[] { "<script>", "onerror=" })
        {
            visibleAsText += (await reply.InnerTextAsync()).Contains(marker, StringComparison.Ordinal) ? 1 : 0;
        }

        output.WriteLine($"XSS corpus: {XssCorpus.Payloads.Length} payloads x 3 channels (model output, tool result and arguments, MCP content) = {XssCorpus.Payloads.Length * 3} in Chromium; {executed} executed, {dialogs} dialogs, {dangerous} script-capable elements/attributes/links");
        Assert.Equal(0, executed);
        Assert.Equal(0, dialogs);
        Assert.Equal(0, dangerous);
        Assert.Equal(2, visibleAsText); // shown as text, not dropped silently
        await page.Context.CloseAsync();
    }

    private static async Task SeedAsync(string databasePath)
    {
        var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddAgentData(databasePath).BuildServiceProvider();
        await using (services)
        {
            await services.GetRequiredService<AgentDatabase>().InitializeAsync(CancellationToken.None);
            await using var db = await services.GetRequiredService<IDbContextFactory<AgentDbContext>>().CreateDbContextAsync();
            var now = DateTimeOffset.UtcNow;
            var session = new ChatSession(Guid.NewGuid(), Tenant.LocalId, "Hostile corpus", "deterministic", "deterministic", null, null, now, now);
            db.Sessions.Add(session);
            var user = Message(session, null, MessageRole.User, [new TextPart("Show me everything hostile")], now);
            var allPayloads = string.Join("\n\n", XssCorpus.Payloads);
            var toolResult = JsonSerializer.Serialize(new { content = allPayloads, path = XssCorpus.Payloads[1] });
            var mcpResult = JsonSerializer.Serialize(new { content = XssCorpus.Payloads.Select(p => new { type = "text", text = p }) });
            var reply = Message(session, user.Id, MessageRole.Assistant,
            [
                new TextPart(allPayloads),
                new ToolCallPart("call-builtin", "workspace_read", JsonSerializer.Serialize(new { path = XssCorpus.Payloads[0] })),
                new ToolResultPart("call-builtin", toolResult, false, "approved once", 3),
                new ToolCallPart("call-mcp", "everything__echo", JsonSerializer.Serialize(new { message = XssCorpus.Payloads[2] })),
                new ToolResultPart("call-mcp", mcpResult, false, "approved once", 5),
                new TextPart("End of the corpus."),
            ], now.AddSeconds(1));
            db.Messages.AddRange(user, reply);
            await db.SaveChangesAsync();
        }
    }

    private static SessionMessage Message(ChatSession session, Guid? parent, MessageRole role, IReadOnlyList<MessagePart> parts, DateTimeOffset at) => new()
    {
        Id = Guid.NewGuid(),
        SessionId = session.Id,
        TenantId = session.TenantId,
        ParentId = parent,
        Role = role,
        Parts = parts,
        Status = MessageStatus.Complete,
        CreatedAt = at,
        UpdatedAt = at,
        ProviderName = role == MessageRole.Assistant ? "deterministic" : null,
        ModelId = role == MessageRole.Assistant ? "deterministic" : null,
        ProviderMode = role == MessageRole.Assistant ? "deterministic" : null,
    };
}
