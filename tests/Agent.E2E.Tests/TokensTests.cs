using System.Globalization;
using System.Text;
using System.Text.Json;
using Agent.ProviderEmulator;
using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// Tokens through clicks: replies streamed from the emulator, the Tokens panel's totals, model table and top sessions
/// equal what the emulator reported and the price table's cost; a reply's trace; a send over a session budget refused.
/// </summary>
public sealed class TokensTests(ChatFixture fixture) : IClassFixture<ChatFixture>
{
    private const decimal InputPrice = 2.5m;
    private const decimal CachedPrice = 1.25m;
    private const decimal OutputPrice = 10m;

    [Fact]
    public async Task Sent_replies_add_up_on_the_Tokens_panel_to_the_emulators_usage_and_the_price_tables_cost()
    {
        var before = fixture.Emulator.Requests.All().Count;
        await using var app = await fixture.StartAppAsync(null, new Dictionary<string, string>
        {
            ["Agent:Providers:3:Models:0:InputPricePerMillion"] = InputPrice.ToString(CultureInfo.InvariantCulture),
            ["Agent:Providers:3:Models:0:CachedInputPricePerMillion"] = CachedPrice.ToString(CultureInfo.InvariantCulture),
            ["Agent:Providers:3:Models:0:OutputPricePerMillion"] = OutputPrice.ToString(CultureInfo.InvariantCulture),
            ["Agent:Telemetry:Currency"] = "EUR",
            ["Agent:Budgets:Default:SessionTokens"] = "1",
        });
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 }, BaseURL = app.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        await Workbench.OpenAsync(page);

        // Two chats, one reply each (the session budget of 1 token allows exactly one reply per chat).
        foreach (var text in new[] { "[scenario:usage-final] first question", "[scenario:usage-final] and a second, longer question" })
        {
            var previous = page.Url;
            await page.Locator("[data-new-chat]").ClickAsync();
            await Assertions.Expect(page).Not.ToHaveURLAsync(previous);
            await Workbench.ExpectChatOpenAsync(page);
            await Assertions.Expect(page.Locator("article.message")).ToHaveCountAsync(0);
            await page.Locator("[data-composer-ready=true]").WaitForAsync();
            await Workbench.SendAsync(page, text);
            await Assertions.Expect(page.Locator("article.role-assistant")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator("article.role-assistant").Last).ToHaveAttributeAsync("data-status", "complete");
        }

        var reply = page.Locator("article.role-assistant").Last;
        await Assertions.Expect(reply.Locator("[data-meta]")).ToContainTextAsync("4 cached · 3 reasoning");
        await Assertions.Expect(reply.Locator("[data-meta]")).ToHaveAttributeAsync("data-usage-estimated", "false");

        // Over the session budget: refused with the limit and how to raise it, and the draft is kept.
        await Workbench.SendAsync(page, "one more");
        var refusal = page.Locator("[data-budget-refusal]");
        await Assertions.Expect(refusal).ToContainTextAsync("Not sent: the session token budget of tenant 'local' is used up");
        await Assertions.Expect(refusal).ToContainTextAsync("To raise it, set Agent:Budgets:Default:SessionTokens to a higher value and restart the app, or start a new chat.");
        await Assertions.Expect(page.Locator("#composer-input")).ToHaveValueAsync("one more");
        await Assertions.Expect(page.Locator("article.role-assistant")).ToHaveCountAsync(1);
        await Workbench.SaveScreenshotAsync(page, "chat-budget-refused-desktop-light");

        // The reply's run: its trace from the message, in both themes at both widths.
        await Workbench.AtEachScreenAsync(page, async (size, theme) =>
        {
            await reply.Locator("[data-open-trace]").ClickAsync();
            var trace = page.Locator("[data-trace-dialog] [data-timeline]");
            await Assertions.Expect(trace).ToHaveAttributeAsync("data-state", "ready");
            var call = trace.Locator(".timeline-row[data-kind=provider_call]");
            await Assertions.Expect(call).ToHaveCountAsync(1);
            await Assertions.Expect(call).ToContainTextAsync("emulator/emulator-model");
            await Assertions.Expect(call).ToHaveAttributeAsync("data-outcome", "ok");
            await Workbench.SaveScreenshotAsync(page, $"trace-dialog-{size}-{theme}");
            var violations = await Workbench.SeriousAxeViolationsAsync(page);
            Assert.True(violations.Count == 0, $"trace at {size} in {theme}: " + string.Join("\n", violations));
            await page.Locator("[data-action=close-trace]").ClickAsync();
            await Assertions.Expect(page.Locator("[data-trace-dialog]")).ToHaveCountAsync(0);
        });

        await Workbench.SetDesktopViewportAsync(page);
        await Workbench.SetThemeAsync(page, "light");

        // The oracle: the emulator's report for the very requests the app sent, replayed over plain HTTP.
        var calls = fixture.Emulator.Requests.All().Skip(before).Where(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, calls.Count);
        long input = 0, output = 0, cached = 0, reasoning = 0;
        foreach (var call in calls)
        {
            var usage = await ReportedUsageAsync(call);
            input += usage.GetProperty("prompt_tokens").GetInt64();
            output += usage.GetProperty("completion_tokens").GetInt64();
            cached += usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt64();
            reasoning += usage.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt64();
        }

        var cost = (((input - cached) * InputPrice) + (cached * CachedPrice) + (output * OutputPrice)) / 1_000_000m;
        var money = string.Create(CultureInfo.InvariantCulture, $"{cost:0.######} EUR");

        var tokens = await Workbench.GoToAsync(page, "tokens");
        await Assertions.Expect(tokens).ToHaveAttributeAsync("data-state", "ready");
        await Assertions.Expect(tokens.Locator("[data-figure=input]")).ToHaveTextAsync(input.ToString("N0", CultureInfo.InvariantCulture));
        await Assertions.Expect(tokens.Locator("[data-figure=output]")).ToHaveTextAsync(output.ToString("N0", CultureInfo.InvariantCulture));
        await Assertions.Expect(tokens.Locator("[data-figure=cached]")).ToHaveTextAsync(cached.ToString("N0", CultureInfo.InvariantCulture));
        await Assertions.Expect(tokens.Locator("[data-figure=reasoning]")).ToHaveTextAsync(reasoning.ToString("N0", CultureInfo.InvariantCulture));
        await Assertions.Expect(tokens.Locator("[data-figure=cost]")).ToHaveTextAsync(money);
        await Assertions.Expect(tokens.Locator("[data-figure=messages]")).ToHaveTextAsync("2");
        var model = tokens.Locator("tr[data-model='emulator-model']");
        await Assertions.Expect(model.Locator("[data-cell=input]")).ToHaveTextAsync(input.ToString("N0", CultureInfo.InvariantCulture));
        await Assertions.Expect(model.Locator("[data-cell=cost]")).ToHaveTextAsync(money);
        await Assertions.Expect(tokens.Locator("tr[data-session]")).ToHaveCountAsync(2);
        foreach (var chart in new[] { "usage-over-time", "cost-over-time", "by-model", "by-session" })
        {
            await Assertions.Expect(tokens.Locator($"[data-chart={chart}] svg").First).ToBeVisibleAsync();
        }

        // The chart's own bars: the usage-over-time chart draws today's input and output (two stacked bars of a non-empty day).
        await Assertions.Expect(tokens.Locator("[data-chart=usage-over-time] svg path")).Not.ToHaveCountAsync(0);

        await Assertions.Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await Workbench.AtEachScreenAsync(page, async (size, theme) =>
        {
            await tokens.Locator("[data-panel] .panel-title, h2").First.ScrollIntoViewIfNeededAsync();
            await Workbench.SaveScreenshotAsync(page, $"tokens-ready-{size}-{theme}");
            await tokens.Locator("[data-chart=by-model]").ScrollIntoViewIfNeededAsync();
            await Workbench.SaveScreenshotAsync(page, $"tokens-ready-{size}-{theme}-models-sessions");
            var violations = await Workbench.SeriousAxeViolationsAsync(page);
            Assert.True(violations.Count == 0, $"tokens at {size} in {theme}: " + string.Join("\n", violations));
        });

        // A run with tool calls: the model call, the tool calls beside each other, then the answer.
        await Workbench.SetDesktopViewportAsync(page);
        await Workbench.SetThemeAsync(page, "light");
        var tokensUrl = page.Url;
        await page.Locator("[data-new-chat]").ClickAsync();
        await Workbench.ExpectChatOpenAsync(page);
        await page.Locator("[data-composer-ready=true]").WaitForAsync();
        await Workbench.SendAsync(page, "Use your tools [scenario:tool-call]");
        var answered = page.Locator("article.role-assistant").Last;
        await Assertions.Expect(answered).ToHaveAttributeAsync("data-status", "complete");
        await answered.Locator("[data-open-trace]").ClickAsync();
        var rows = page.Locator("[data-trace-dialog] .timeline-row");
        await Assertions.Expect(rows).ToHaveCountAsync(5);
        Assert.Equal(
            ["turn_stages", "provider_call", "tool_call", "tool_call", "provider_call"],
            await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.kind)"));
        await Assertions.Expect(page.Locator("[data-trace-dialog] .timeline-row[data-kind=tool_call][data-outcome=refused]")).ToContainTextAsync("get_time");

        // The stages before the first model call unfold under their row: the wait for the runtime, each context read, the tools.
        await page.Locator("[data-trace-dialog] [data-toggle-stages]").ClickAsync();
        var stages = page.Locator("[data-trace-dialog] .timeline-row[data-kind=turn_stage]");
        await Assertions.Expect(stages.Filter(new() { HasText = "context: recall" })).ToHaveCountAsync(1);
        await Assertions.Expect(stages.Filter(new() { HasText = "admission" })).ToHaveCountAsync(1);
        await Assertions.Expect(stages.Filter(new() { HasText = "tools" })).ToHaveCountAsync(1);
        await Workbench.SaveScreenshotAsync(page, "trace-dialog-tools-desktop-light");
        await page.Locator("[data-trace-dialog] [data-toggle-stages]").ClickAsync();
        await Assertions.Expect(stages).ToHaveCountAsync(0);
        await page.Locator("[data-action=close-trace]").ClickAsync();

        await context.CloseAsync();
    }

    private async Task<JsonElement> ReportedUsageAsync(RecordedRequest call)
    {
        using var raw = new HttpClient { BaseAddress = fixture.Emulator.BaseAddress };
        using var content = new StringContent(call.Body, Encoding.UTF8, "application/json");
        using var response = await raw.PostAsync(new Uri(call.Path.TrimStart('/'), UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
        JsonElement? usage = null;
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal)
                && JsonDocument.Parse(line["data: ".Length..]).RootElement is var chunk
                && chunk.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
            {
                usage = u.Clone();
            }
        }

        return usage ?? throw new InvalidOperationException("The emulator reported no usage for " + call.Body);
    }
}
