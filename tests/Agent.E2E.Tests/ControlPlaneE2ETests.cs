using Agent.Web.Tests.ControlPlane;
using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// The Control plane section of Settings in the real app with the runtime admin API on and a real redis-server: publish
/// through the form, map the DID, see the tenant listed with it, and the exact error body for an invalid DID. The
/// loopback owner's section acts for tenant "local" only: mapping a DID to another tenant is refused.
/// </summary>
public sealed class ControlPlaneE2ETests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Tenant = "local";

    private static ILocator Section(IPage page) => page.Locator("[data-control-plane]");

    private static ILocator Answer(IPage page, string form) => page.Locator($"[data-admin-answer={form}]");

    /// <summary>Types into a MudTextField marked with data-field, then leaves it so the value is committed.</summary>
    private static async Task FillAsync(IPage page, string field, string value)
    {
        var input = page.Locator($"input[data-field={field}], textarea[data-field={field}], [data-field={field}] input, [data-field={field}] textarea").First;
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

            // The owner's scope is tenant "local": the form is prefilled with it and the example follows the id.
            await Assertions.Expect(Section(page)).ToHaveAttributeAsync("data-control-plane-scope", Tenant);
            await Assertions.Expect(page.Locator("input[data-field=publish-tenant], [data-field=publish-tenant] input").First).ToHaveValueAsync(Tenant);
            await Assertions.Expect(page.Locator("textarea[data-field=publish-json], [data-field=publish-json] textarea").First).ToHaveValueAsync(new System.Text.RegularExpressions.Regex($"\"tenantId\": \"{Tenant}\""));
            await page.Locator("[data-submit=publish]").ClickAsync();
            await Assertions.Expect(Answer(page, "publish")).ToHaveAttributeAsync("data-status", "200");
            await Assertions.Expect(Answer(page, "publish").Locator("[data-answer-request]")).ToHaveTextAsync($"POST /api/admin/runtime/tenants/{Tenant}/config");
            var did = page.Locator($"[data-tenant-dids={Tenant}] [data-did='+15551234567']");
            await Assertions.Expect(did).ToHaveAttributeAsync("data-did-mapped", "unmapped");

            // Map its DID (typed with spaces, as people do): the answer is the stored mapping and the chip turns mapped.
            await FillAsync(page, "map-did", "+1 555 123 4567");
            await FillAsync(page, "map-tenant", Tenant);
            await page.Locator("[data-submit=map]").ClickAsync();
            await Assertions.Expect(Answer(page, "map").Locator("[data-answer-body]")).ToHaveTextAsync($$"""{"didE164":"+15551234567","tenantId":"{{Tenant}}"}""");
            await Assertions.Expect(did).ToHaveAttributeAsync("data-did-mapped", "mapped");
            await Assertions.Expect(did).ToContainTextAsync("+15551234567 · mapped");
            await Assertions.Expect(page.Locator($"[data-tenant={Tenant}]")).ToBeVisibleAsync();

            // Another tenant: the exact 403 body of the endpoint.
            await FillAsync(page, "map-tenant", "e2e-acme");
            await page.Locator("[data-submit=map]").ClickAsync();
            await Assertions.Expect(Answer(page, "map")).ToHaveAttributeAsync("data-status", "403");
            await Assertions.Expect(Answer(page, "map").Locator("[data-answer-body]")).ToHaveTextAsync("""{"error":"you can map DIDs only to your own tenant 'local'"}""");

            // An invalid DID: the exact 400 body of the endpoint.
            await FillAsync(page, "map-did", "12345");
            await page.Locator("[data-submit=map]").ClickAsync();
            await Assertions.Expect(Answer(page, "map")).ToHaveAttributeAsync("data-status", "400");
            await Assertions.Expect(Answer(page, "map").Locator("[data-answer-body]")).ToHaveTextAsync(
                """{"error":"didE164 is not an E.164 number (^\\+[1-9]\\d{1,14}$ after trimming and removing spaces), for example \"+15551234567\".","field":"didE164"}""");

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
