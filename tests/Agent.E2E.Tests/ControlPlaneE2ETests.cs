using Agent.Web.Tests.ControlPlane;
using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// The Control plane section of Settings in the real app with the runtime admin API on and a real redis-server: publish
/// through the fields (a bad cap is caught under its field first), then from Advanced JSON, map the DID, see the tenant
/// listed with it, and an invalid DID caught under its field. Answers are sentences; the request line and body are behind
/// Details. The loopback owner's section acts for tenant "local" only: mapping a DID to another tenant is refused.
/// </summary>
public sealed class ControlPlaneE2ETests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Tenant = "local";

    private static ILocator Section(IPage page) => page.Locator("[data-control-plane]");

    private static ILocator Answer(IPage page, string form) => page.Locator($"[data-admin-answer={form}]");

    /// <summary>The input or textarea of a MudTextField marked with data-field.</summary>
    private static ILocator Input(IPage page, string field) =>
        page.Locator($"input[data-field={field}], textarea[data-field={field}], [data-field={field}] input, [data-field={field}] textarea").First;

    /// <summary>The message MudTextField shows under the field marked with data-field.</summary>
    private static ILocator ErrorUnder(IPage page, string field) =>
        page.Locator($".mud-input-control:has([data-field={field}]) .mud-input-helper-text.mud-input-error");

    /// <summary>Types into a MudTextField marked with data-field, then leaves it so the value is committed.</summary>
    private static async Task FillAsync(IPage page, string field, string value)
    {
        var input = Input(page, field);
        await input.FillAsync(value);
        await input.PressAsync("Tab");
    }

    [Fact]
    public async Task Publish_map_and_an_invalid_DID_through_the_forms_then_screenshots_in_both_widths_and_themes()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = await AppProcess.StartAsync(environment: new Dictionary<string, string?>
        {
            ["ENABLE_RUNTIME_ADMIN"] = "true",
            ["REDIS_URL"] = redis.Url,
            ["RUNTIME_ADMIN_TOKEN"] = "e2e-admin-token-not-real",
            ["ALLOW_RUNTIME_SECRET_READ"] = null,
        });
        var problems = new List<string>();
        var page = await fixture.NewPageAsync(app, 1280, 800);
        try
        {
            await Workbench.OpenAsync(page);
            await Workbench.GoToAsync(page, "settings");
            await Assertions.Expect(Section(page)).ToHaveAttributeAsync("data-control-plane-state", "ok");
            await Assertions.Expect(page.Locator("[data-tenants-empty]")).ToBeVisibleAsync();

            // The owner's scope is tenant "local": the form is prefilled with it and a valid example, as fields.
            await Assertions.Expect(Section(page)).ToHaveAttributeAsync("data-control-plane-scope", Tenant);
            await Assertions.Expect(Input(page, "publish-tenant")).ToHaveValueAsync(Tenant);
            await Assertions.Expect(Input(page, "publish-cap-tenant")).ToHaveValueAsync("10");
            await Assertions.Expect(page.Locator("[data-field=publish-json]")).ToHaveCountAsync(0);

            // A cap of 0: the validator's message under the field, and nothing is sent.
            await FillAsync(page, "publish-cap-tenant", "0");
            await page.Locator("[data-submit=publish]").ClickAsync();
            await Assertions.Expect(ErrorUnder(page, "publish-cap-tenant")).ToHaveTextAsync("Must be a positive integer (got 0).");
            await Assertions.Expect(page.Locator("[data-publish-problem]")).ToContainTextAsync("Nothing was published");
            await Assertions.Expect(Answer(page, "publish")).ToHaveCountAsync(0);

            // Fixed, with the DID typed with spaces as people do: published, said in words; the request line is behind Details.
            await FillAsync(page, "publish-cap-tenant", "8");
            await FillAsync(page, "publish-dids", "+1 555 123 4567");
            await page.Locator("[data-submit=publish]").ClickAsync();
            await Assertions.Expect(Answer(page, "publish")).ToHaveAttributeAsync("data-status", "200");
            await Assertions.Expect(Answer(page, "publish").Locator("[data-answer-sentence]")).ToHaveTextAsync($"Published the config of tenant {Tenant}.");
            await Assertions.Expect(Answer(page, "publish").Locator("[data-answer-request]")).Not.ToBeVisibleAsync();
            await Answer(page, "publish").Locator("[data-answer-details-toggle]").ClickAsync();
            await Assertions.Expect(Answer(page, "publish").Locator("[data-answer-request]")).ToBeVisibleAsync();
            await Assertions.Expect(Answer(page, "publish").Locator("[data-answer-request]")).ToHaveTextAsync($"POST /api/admin/runtime/tenants/{Tenant}/config");
            var did = page.Locator($"[data-tenant-dids={Tenant}] [data-did='+15551234567']");
            await Assertions.Expect(did).ToHaveAttributeAsync("data-did-mapped", "unmapped");
            await Assertions.Expect(page.Locator($"[data-tenant={Tenant}]").Locator("xpath=ancestor::tr")).ToContainTextAsync("8 concurrent");

            // Advanced: the same config as JSON; publishing from it sends it as typed; back to the fields reads it in.
            await page.Locator("[data-advanced-toggle]").ClickAsync();
            await Assertions.Expect(Input(page, "publish-json")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("\"maxConcurrentCallsTenant\": 8"));
            await FillAsync(page, "publish-json", (await Input(page, "publish-json").InputValueAsync()).Replace("\"maxConcurrentCallsTenant\": 8", "\"maxConcurrentCallsTenant\": 9", StringComparison.Ordinal));
            await page.Locator("[data-submit=publish]").ClickAsync();
            await Assertions.Expect(Answer(page, "publish").Locator("[data-answer-sentence]")).ToHaveTextAsync($"Published the config of tenant {Tenant}.");
            await Assertions.Expect(page.Locator($"[data-tenant={Tenant}]").Locator("xpath=ancestor::tr")).ToContainTextAsync("9 concurrent");
            await page.Locator("[data-advanced-toggle]").ClickAsync();
            await Assertions.Expect(Input(page, "publish-cap-tenant")).ToHaveValueAsync("9");

            // Map its DID: said in words, and the chip turns mapped.
            await FillAsync(page, "map-did", "+1 555 123 4567");
            await FillAsync(page, "map-tenant", Tenant);
            await page.Locator("[data-submit=map]").ClickAsync();
            await Assertions.Expect(Answer(page, "map").Locator("[data-answer-sentence]")).ToHaveTextAsync($"Mapped +15551234567 to tenant {Tenant}.");
            await Assertions.Expect(did).ToHaveAttributeAsync("data-did-mapped", "mapped");
            await Assertions.Expect(did).ToContainTextAsync("+15551234567 · mapped");

            // Another tenant: refused with the endpoint's reason, its exact body behind Details.
            await FillAsync(page, "map-tenant", "e2e-acme");
            await page.Locator("[data-submit=map]").ClickAsync();
            await Assertions.Expect(Answer(page, "map")).ToHaveAttributeAsync("data-status", "403");
            await Assertions.Expect(Answer(page, "map").Locator("[data-answer-sentence]")).ToHaveTextAsync("Not mapped. You can map DIDs only to your own tenant 'local'.");
            await Answer(page, "map").Locator("[data-answer-details-toggle]").ClickAsync();
            await Assertions.Expect(Answer(page, "map").Locator("[data-answer-body]")).ToHaveTextAsync("""{"error":"you can map DIDs only to your own tenant 'local'"}""");

            // An invalid DID: the message under the field, and nothing sent (the last answer stays).
            await FillAsync(page, "map-did", "12345");
            await page.Locator("[data-submit=map]").ClickAsync();
            await Assertions.Expect(ErrorUnder(page, "map-did")).ToHaveTextAsync("\"12345\" is not an E.164 number: a + and 2 to 15 digits, the first not 0, for example +15551234567.");
            await Assertions.Expect(Answer(page, "map")).ToHaveAttributeAsync("data-status", "403");

            await ShootAsync(page, "desktop", problems);
        }
        finally
        {
            await page.Context.CloseAsync();
        }

        var phone = await fixture.NewPageAsync(app, 390, 844);
        try
        {
            await Workbench.OpenAsync(phone);
            await Workbench.GoToAsync(phone, "settings");
            await Assertions.Expect(Section(phone)).ToHaveAttributeAsync("data-control-plane-state", "ok");
            await Assertions.Expect(phone.Locator($"[data-tenant-dids={Tenant}] [data-did='+15551234567']")).ToHaveAttributeAsync("data-did-mapped", "mapped");

            // On a phone the fields stack; a bad URL shows its message under the field in the picture.
            await FillAsync(phone, "publish-whisper-url", "stt.example.com");
            await phone.Locator("[data-submit=publish]").ClickAsync();
            await Assertions.Expect(ErrorUnder(phone, "publish-whisper-url")).ToHaveTextAsync("Must be an absolute http(s) URL.");
            await ShootAsync(phone, "phone", problems);
        }
        finally
        {
            await phone.Context.CloseAsync();
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>The section in light then dark: a screenshot of it, axe (serious and critical), and at phone width no sideways scroll.</summary>
    private static async Task ShootAsync(IPage page, string label, List<string> problems)
    {
        // The forms' snackbars fade out on their own; axe would measure them mid-fade (partly transparent), so wait until they are gone.
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0, new() { Timeout = 20000 });
        foreach (var theme in new[] { "light", "dark" })
        {
            if (theme == "dark")
            {
                await Workbench.ToggleThemeAsync(page, "dark");
            }
            else
            {
                await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "light");
            }

            // The layout scrolls inside the main content, so an element screenshot of a section taller than the viewport
            // leaves what is outside it blank: grow the viewport (same width, same breakpoint) to the content's height for
            // the shot, then restore it. The pointer leaves the theme button first so its tooltip is not in the picture.
            var viewport = page.ViewportSize!;
            await page.Mouse.MoveAsync(1, viewport.Height - 1);
            var contentHeight = await page.EvaluateAsync<int>("() => Math.max(...[...document.querySelectorAll('body *')].map(e => e.scrollHeight))");
            await page.SetViewportSizeAsync(viewport.Width, Math.Max(viewport.Height, contentHeight + 100));
            await Section(page).ScreenshotAsync(new LocatorScreenshotOptions
            {
                Path = Path.Combine(BrowserFixture.PanelScreenshotFolder, $"settings-control-plane-{label}-{theme}.png"),
                Animations = ScreenshotAnimations.Disabled,
            });
            await page.SetViewportSizeAsync(viewport.Width, viewport.Height);
            problems.AddRange((await Workbench.SeriousAxeViolationsAsync(page)).Select(v => $"{label} {theme}: {v}"));
            if (Workbench.IsPhone(page) && await Workbench.ScrollsSidewaysAsync(page))
            {
                problems.Add($"{label} {theme}: the page scrolls sideways");
            }
        }
    }
}
