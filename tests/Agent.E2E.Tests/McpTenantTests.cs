using System.Net;
using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// MCP servers per tenant through clicks on the real app, reached at this machine's own non-loopback address: the owner
/// (loopback, tenant "local") has an imported server; alice, an administrator of acme, sees the install-wide server
/// but not the owner's, and imports her own; mia, a member of acme, sees acme's and the install-wide server and may
/// change neither.
/// </summary>
public sealed class McpTenantTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string AlicePassword = "alice's long password";
    private const string MiaPassword = "mia's long password";

    [Fact]
    public async Task Each_tenant_sees_its_own_imported_servers_and_the_install_wide_ones_and_a_member_changes_none()
    {
        var folder = Directory.CreateTempSubdirectory("agent-e2e-mcp-tenant").FullName;
        await AppProcess.AddUserAsync(folder, "alice", "acme", AlicePassword, admin: true);
        await AppProcess.AddUserAsync(folder, "mia", "acme", MiaPassword);
        var settings = new Dictionary<string, string>
        {
            ["Agent:McpServers:shared:Url"] = "http://127.0.0.1:9/mcp",
            ["Agent:McpServers:shared:Enabled"] = "false",
        };
        await using var app = await AppProcess.StartAsync(settings, dataFolder: folder, remoteHost: AppProcess.MachineAddress());
        try
        {
            await RunAsync(app);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException or Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{ex.Message}\napp output tail:\n{string.Join('\n', app.Output.Split('\n').TakeLast(80))}", ex);
        }
    }

    private async Task RunAsync(AppProcess app)
    {
        using (var owner = new HttpClient { BaseAddress = app.LoopbackAddress })
        {
            using var imported = await owner.PostAsync(new Uri("api/mcp/import", UriKind.Relative),
                new StringContent("""{"mcpServers": {"owner-notes": {"url": "http://127.0.0.1:9/owner", "enabled": false}}}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        }

        var context = await fixture.Browser.NewContextAsync(Workbench.ContextFor(app, 1280, 800));
        var page = await context.NewPageAsync();
        await Workbench.OpenAndSignInAsync(page, "alice", AlicePassword);
        var mcp = await Workbench.GoToAsync(page, "mcp");
        await Assertions.Expect(mcp.Locator("[data-mcp-server=shared] [data-scope=install-wide]")).ToHaveCountAsync(1);
        await Assertions.Expect(mcp.Locator("[data-mcp-server=owner-notes]")).ToHaveCountAsync(0);

        await page.GetByLabel("mcpServers JSON").FillAsync("""{"mcpServers": {"acme-notes": {"command": "npx", "args": ["-y", "acme-notes-server@1.0.0"]}}}""");
        await page.Locator("button[data-action=import]").ClickAsync();
        var acmeNotes = mcp.Locator("[data-mcp-server=acme-notes]");
        await Assertions.Expect(acmeNotes).ToHaveAttributeAsync("data-mcp-state", "awaiting confirmation");
        await Assertions.Expect(acmeNotes.Locator("[data-imported]")).ToHaveCountAsync(1);
        await Assertions.Expect(acmeNotes.Locator("[data-scope=install-wide]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await Workbench.ScreenshotsInBothThemesAsync(page, "mcp-tenant-admin-desktop");
        await page.Locator("[data-signout]").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin$"));
        await context.CloseAsync();

        foreach (var (width, height, name) in new[] { (1280, 800, "desktop"), (390, 844, "phone") })
        {
            var memberContext = await fixture.Browser.NewContextAsync(Workbench.ContextFor(app, width, height));
            var member = await memberContext.NewPageAsync();
            await Workbench.OpenAndSignInAsync(member, "mia", MiaPassword);
            var panel = await Workbench.GoToAsync(member, "mcp");
            await Assertions.Expect(panel.Locator("[data-mcp-server]")).ToHaveCountAsync(2);
            await Assertions.Expect(panel.Locator("[data-mcp-server=acme-notes]")).ToHaveAttributeAsync("data-mcp-state", "awaiting confirmation");
            await Assertions.Expect(panel.Locator("[data-mcp-server=shared]")).ToHaveAttributeAsync("data-mcp-state", "disabled");
            await Assertions.Expect(panel.Locator("[data-admin-only]")).ToBeVisibleAsync();
            await Assertions.Expect(panel.Locator("[data-import-json]")).ToHaveCountAsync(0);
            await Assertions.Expect(panel.Locator("button[data-action=confirm], button[data-action=remove], button[data-action=restart]")).ToHaveCountAsync(0);
            await Assertions.Expect(panel.Locator("[data-mcp-server=acme-notes] input[type=checkbox]")).ToBeDisabledAsync();
            Assert.False(await Workbench.ScrollsSidewaysAsync(member), $"the MCP panel scrolls sideways at {width} px");
            await Workbench.ScreenshotsInBothThemesAsync(member, $"mcp-tenant-member-{name}");
            await Workbench.ExpectNoSeriousAxeViolationsAsync(member);
            await memberContext.CloseAsync();
        }
    }
}
