using System.Net.Http.Json;
using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// The real app in Debian Chromium, driven by clicks only: the app is opened once at "/", every panel is reached by
/// its link (app bar on a desktop, drawer on a phone), browser back/forward follow, every panel is screenshot at
/// two widths in both themes and passes axe.
/// </summary>
public sealed class ShellTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    /// <summary>What each panel shows on a fresh install: its state and a text that proves the real data arrived.</summary>
    private static readonly Dictionary<string, (string State, string Text)> FreshState = new()
    {
        ["tools"] = ("ready", "current_time"),
        ["mcp"] = ("empty", "No MCP servers configured."),
        ["memory"] = ("empty", "No memory yet."),
        ["tokens"] = ("empty", "No token usage in this range yet."),
        ["team"] = ("ready", "No team runs yet."),
        ["runs"] = ("empty", "No runs yet."),
        ["settings"] = ("ready", "New chats use deterministic"),
    };

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(390, 844)]
    public async Task Every_panel_is_reached_by_its_link_and_follows_back_and_forward(int width, int height)
    {
        var page = await fixture.NewPageAsync(width, height);
        try
        {
            await Workbench.OpenAsync(page);
            await Workbench.ExpectPanelAsync(page, "chat");

            string previous = "chat";
            foreach (var (slug, (state, text)) in FreshState)
            {
                var section = await Workbench.GoToAsync(page, slug);
                await Assertions.Expect(section).ToHaveAttributeAsync("data-state", state);
                await Assertions.Expect(section).ToContainTextAsync(text);
                Assert.EndsWith("/" + slug, page.Url, StringComparison.Ordinal);

                // Back shows the panel before, forward this one again, each with its real state.
                await page.GoBackAsync();
                await Workbench.ExpectPanelAsync(page, previous);
                await page.GoForwardAsync();
                section = await Workbench.ExpectPanelAsync(page, slug);
                await Assertions.Expect(section).ToHaveAttributeAsync("data-state", state);
                await Assertions.Expect(section).ToContainTextAsync(text);
                previous = slug;
            }

            // Back through the whole history ends on the chat.
            foreach (var slug in FreshState.Keys.Reverse().Skip(1).Append("chat"))
            {
                await page.GoBackAsync();
                await Workbench.ExpectPanelAsync(page, slug);
            }
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Theory]
    [InlineData(1280, 800, "desktop")]
    [InlineData(390, 844, "phone")]
    public async Task Every_panel_in_both_themes_is_screenshot_readable_and_passes_axe(int width, int height, string label)
    {
        var page = await fixture.NewPageAsync(width, height);
        var problems = new List<string>();
        try
        {
            await Workbench.OpenAsync(page);
            await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "light");
            foreach (var theme in new[] { "light", "dark" })
            {
                if (theme == "dark")
                {
                    await Workbench.ToggleThemeAsync(page, "dark");
                }

                foreach (var (slug, _) in Workbench.Panels)
                {
                    var section = await Workbench.GoToAsync(page, slug);
                    if (FreshState.TryGetValue(slug, out var fresh))
                    {
                        await Assertions.Expect(section).ToHaveAttributeAsync("data-state", fresh.State);
                    }

                    await Workbench.SaveScreenshotAsync(page, $"{slug}-{label}-{theme}", fullPage: true);
                    problems.AddRange((await Workbench.SeriousAxeViolationsAsync(page)).Select(v => $"{slug} {label} {theme}: {v}"));
                    if (Workbench.IsPhone(page) && await Workbench.ScrollsSidewaysAsync(page))
                    {
                        problems.Add($"{slug} {label} {theme}: the page scrolls sideways at {width} px");
                    }
                }
            }

            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{ex.Message}\nApp output (tail):\n{Tail(fixture.App.Output)}", ex);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private static string Tail(string output) => output.Length > 6000 ? output[^6000..] : output;

    [Fact]
    public async Task Settings_shows_blocked_providers_with_the_variable_to_set()
    {
        var page = await fixture.NewPageAsync();
        try
        {
            await Workbench.OpenAsync(page);
            var settings = await Workbench.GoToAsync(page, "settings");

            await Assertions.Expect(settings).ToHaveAttributeAsync("data-state", "ready");
            await Assertions.Expect(page.Locator("[data-provider=openai]")).ToHaveAttributeAsync("data-provider-state", "blocked");
            await Assertions.Expect(page.Locator("[data-provider=openai] .blocked-reason")).ToContainTextAsync("set OPENAI_API_KEY and restart the app");
            await Assertions.Expect(page.Locator("[data-provider=anthropic] .blocked-reason")).ToContainTextAsync("set ANTHROPIC_API_KEY and restart the app");
            await Assertions.Expect(page.Locator("[data-provider=deterministic]")).ToHaveAttributeAsync("data-provider-state", "deterministic");
            await Assertions.Expect(page.Locator("[data-provider=deterministic] .blocked-reason")).ToHaveCountAsync(0);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task New_chat_creates_a_session_that_survives_a_reload()
    {
        var page = await fixture.NewPageAsync();
        try
        {
            await Workbench.OpenAsync(page);

            await page.Locator("section[data-panel=chat]").GetByRole(AriaRole.Button, new() { Name = "New chat" }).ClickAsync();

            await Workbench.ExpectChatOpenAsync(page);
            await Assertions.Expect(page.Locator("section[data-panel=chat] [data-session-model]")).ToHaveTextAsync("deterministic · scripted-echo");
            await page.ReloadAsync();
            await Assertions.Expect(page.Locator(".session-link.active")).ToContainTextAsync("New chat");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Theme_toggle_switches_to_dark_and_the_choice_survives_a_reload()
    {
        var page = await fixture.NewPageAsync();
        try
        {
            await Workbench.OpenAsync(page);
            await Workbench.GoToAsync(page, "settings");
            await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "light");

            await Workbench.ToggleThemeAsync(page, "dark");

            await page.ReloadAsync();
            await page.Locator("[data-interactive=true]").WaitForAsync();
            await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
            await Workbench.ExpectPanelAsync(page, "settings");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Mcp_import_by_paste_shows_the_server_and_confirm_shows_the_exact_command_first()
    {
        await using var app = await AppProcess.StartAsync();
        var page = await fixture.NewPageAsync(app);
        try
        {
            await Workbench.OpenAsync(page);
            var mcp = await Workbench.GoToAsync(page, "mcp");
            await Assertions.Expect(mcp).ToHaveAttributeAsync("data-state", "empty");

            await page.GetByLabel("mcpServers JSON").FillAsync("""{"mcpServers": {"notes": {"command": "npx", "args": ["-y", "notes-server@1.0.0"]}}}""");
            await page.Locator("button[data-action=import]").ClickAsync();

            var server = page.Locator("[data-mcp-server=notes]");
            await Assertions.Expect(server).ToHaveAttributeAsync("data-mcp-state", "awaiting confirmation");
            await Assertions.Expect(mcp).ToHaveAttributeAsync("data-state", "blocked");
            await Assertions.Expect(server.Locator("[data-command]")).ToHaveTextAsync("npx -y notes-server@1.0.0");
            await Assertions.Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0, new() { Timeout = 15_000 });
            await Workbench.SaveScreenshotAsync(page, "mcp-imported-desktop-light");
            var violations = await Workbench.SeriousAxeViolationsAsync(page);
            Assert.True(violations.Count == 0, string.Join("\n", violations));

            // Confirm first shows the exact command; cancelling starts nothing.
            await server.Locator("button[data-action=confirm]").ClickAsync();
            var dialog = page.GetByRole(AriaRole.Dialog);
            await Assertions.Expect(dialog.Locator("[data-confirm-detail]")).ToHaveTextAsync("npx -y notes-server@1.0.0");
            await Workbench.SaveScreenshotAsync(page, "mcp-confirm-desktop-light");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
            await Assertions.Expect(dialog).ToHaveCountAsync(0);
            await Assertions.Expect(server).ToHaveAttributeAsync("data-mcp-state", "awaiting confirmation");

            // Remove asks too, then the page is empty again.
            await server.Locator("button[data-action=remove]").ClickAsync();
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
            await Assertions.Expect(server).ToHaveCountAsync(0);
            await Assertions.Expect(mcp).ToHaveAttributeAsync("data-state", "empty");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task With_a_thousand_sessions_every_panel_stays_interactive_and_the_drawer_shows_a_bounded_page()
    {
        await using var app = await AppProcess.StartAsync();
        using (var http = new HttpClient { BaseAddress = app.BaseAddress })
        {
            for (var i = 0; i < 1000; i++)
            {
                using var response = await http.PostAsJsonAsync("api/sessions", new { title = $"Seeded session {i:0000} about a realistic topic" });
                response.EnsureSuccessStatusCode();
            }
        }

        var page = await fixture.NewPageAsync(app);
        try
        {
            await Workbench.OpenAsync(page);
            var links = page.Locator("[data-sessions] .session-link");
            await Assertions.Expect(links.First).ToBeVisibleAsync();
            var shown = await links.CountAsync();
            Assert.InRange(shown, 1, 100);
            var more = page.GetByRole(AriaRole.Button, new() { Name = "Show more sessions" });
            await Assertions.Expect(more).ToBeVisibleAsync();
            await more.ClickAsync();
            await Assertions.Expect(links).Not.ToHaveCountAsync(shown);
            Assert.InRange(await links.CountAsync(), shown + 1, 2 * shown);

            foreach (var (slug, _) in Workbench.Panels.Skip(1))
            {
                var section = await Workbench.GoToAsync(page, slug);
                await Assertions.Expect(section).Not.ToHaveAttributeAsync("data-state", "error");
            }

            // Settings counts what is really stored, and the circuit still answers clicks.
            await Assertions.Expect(page.Locator("[data-fact=sessions]")).ToHaveTextAsync("1,000");
            await page.Locator("[data-test-connection=deterministic]").ClickAsync();
            await Assertions.Expect(page.Locator("[data-connection-test=deterministic] [data-connection-result]")).ToHaveAttributeAsync("data-connection-result", "ok");
            Assert.DoesNotContain("InvalidDataException", app.Output, StringComparison.Ordinal);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
