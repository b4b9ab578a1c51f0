using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// Sign-in through clicks on the real app, reached at this machine's own non-loopback address (so the browser is a
/// stranger who must sign in): a wrong password, alice's sign-in, her chat, an access token made and revoked in
/// Settings, sign-out; then bob, in another tenant, sees none of alice's or the owner's sessions.
/// </summary>
public sealed class SignInTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string AlicePassword = "alice's long password";
    private const string BobPassword = "bob's long password";

    [Fact]
    public async Task Sign_in_see_only_your_tenants_sessions_make_and_revoke_a_token_and_sign_out()
    {
        var folder = Directory.CreateTempSubdirectory("agent-e2e-signin").FullName;
        await AppProcess.AddUserAsync(folder, "alice", "acme", AlicePassword, admin: true);
        await AppProcess.AddUserAsync(folder, "bob", "beta", BobPassword);
        await using var app = await AppProcess.StartAsync(dataFolder: folder, remoteHost: AppProcess.MachineAddress());

        try
        {
            await SignInAndOutAsync(app);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException or Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{ex.Message}\napp output tail:\n{string.Join('\n', app.Output.Split('\n').TakeLast(80))}", ex);
        }
    }

    private async Task SignInAndOutAsync(AppProcess app)
    {
        // The machine's owner (loopback, no sign-in) has a chat of tenant "local".
        using (var owner = new HttpClient { BaseAddress = app.LoopbackAddress })
        {
            using var created = await owner.PostAsJsonAsync("api/sessions", new { title = "owner only" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var context = await fixture.Browser.NewContextAsync(Workbench.ContextFor(app, 1280, 800));
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin\\?ReturnUrl=%2F$"));
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await Workbench.ScreenshotsInBothThemesAsync(page, "signin-desktop");

        await Workbench.SubmitSignInAsync(page, "alice", "not her password");
        await Assertions.Expect(page.Locator("[data-signin-error]")).ToContainTextAsync("The user name or password is wrong.");

        await Workbench.SubmitSignInAsync(page, "alice", AlicePassword);
        await Assertions.Expect(page.Locator("[data-signed-in-as]")).ToHaveTextAsync("alice · acme");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.Locator("[data-sessions] [data-state=empty]")).ToBeVisibleAsync();

        await page.Locator("[data-new-chat]").ClickAsync();
        await Workbench.ExpectChatOpenAsync(page);
        await Workbench.SendAsync(page, "acme launch plan");
        await Assertions.Expect(page.Locator("[data-sessions] .session-title").Filter(new() { HasText = "acme launch plan" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-sessions]")).Not.ToContainTextAsync("owner only");

        // Settings: a token, shown once, that works on the API as alice, then revoked.
        await Workbench.GoToAsync(page, "settings");
        var section = page.Locator("[data-access-tokens]");
        await section.Locator("#access-token-name").FillAsync("e2e script");
        await section.Locator("[data-access-token-create]").ClickAsync();
        var secret = await section.Locator("[data-access-token-secret]").InnerTextAsync();
        Assert.StartsWith("pat_", secret, StringComparison.Ordinal);
        await Assertions.Expect(section.Locator("[data-access-token='e2e script']")).ToHaveAttributeAsync("data-access-token-state", "active");
        using var api = new HttpClient { BaseAddress = app.BaseAddress };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var listed = await api.GetStringAsync("api/sessions");
        Assert.Contains("acme launch plan", listed, StringComparison.Ordinal);
        Assert.DoesNotContain("owner only", listed, StringComparison.Ordinal);
        await SectionScreenshotsAsync(page, section, "settings-access-tokens-desktop");

        var phone = await fixture.Browser.NewContextAsync(Workbench.ContextFor(app, 390, 844, await context.StorageStateAsync()));
        var phonePage = await phone.NewPageAsync();
        await Workbench.OpenAsync(phonePage);
        await Workbench.GoToAsync(phonePage, "settings");
        var phoneSection = phonePage.Locator("[data-access-tokens]");
        await Assertions.Expect(phoneSection.Locator("[data-access-token='e2e script']")).ToHaveCountAsync(1);
        await SectionScreenshotsAsync(phonePage, phoneSection, "settings-access-tokens-phone");
        Assert.False(await Workbench.ScrollsSidewaysAsync(phonePage), "the settings page scrolls sideways on a phone");
        await phone.CloseAsync();

        await section.Locator("[data-access-token='e2e script'] [data-access-token-revoke]").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Assertions.Expect(section.Locator("[data-access-token='e2e script']")).ToHaveAttributeAsync("data-access-token-state", "revoked");
        using (var revoked = await api.GetAsync(new Uri("api/sessions", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        }

        await page.Locator("[data-signout]").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin$"));

        // Bob, in tenant beta, sees neither alice's chat nor the owner's.
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await Workbench.SubmitSignInAsync(page, "bob", BobPassword);
        await Assertions.Expect(page.Locator("[data-signed-in-as]")).ToHaveTextAsync("bob · beta");
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.Locator("[data-sessions] [data-state=empty]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-sessions]")).Not.ToContainTextAsync("acme launch plan");
        await page.Locator("[data-signout]").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin$"));
        await context.CloseAsync();

        var phoneSignIn = await fixture.Browser.NewContextAsync(Workbench.ContextFor(app, 390, 844));
        var phoneSignInPage = await phoneSignIn.NewPageAsync();
        await phoneSignInPage.GotoAsync("/");
        await phoneSignInPage.Locator("[data-interactive=true]").WaitForAsync();
        Assert.False(await Workbench.ScrollsSidewaysAsync(phoneSignInPage), "the sign-in page scrolls sideways on a phone");
        await Workbench.ScreenshotsInBothThemesAsync(phoneSignInPage, "signin-phone");
        await Workbench.ExpectNoSeriousAxeViolationsAsync(phoneSignInPage);
        await phoneSignIn.CloseAsync();
    }

    private static async Task SectionScreenshotsAsync(IPage page, ILocator section, string name)
    {
        await section.ScrollIntoViewIfNeededAsync();
        await section.ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(BrowserFixture.PanelScreenshotFolder, $"{name}-light.png"), Animations = ScreenshotAnimations.Disabled });
        await Workbench.ToggleThemeAsync(page, "dark");
        await section.ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(BrowserFixture.PanelScreenshotFolder, $"{name}-dark.png"), Animations = ScreenshotAnimations.Disabled });
        await Workbench.ToggleThemeAsync(page, "light");
    }
}
