using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// Settings → People on the real app, reached from another machine's address: an administrator signs in, opens Settings
/// by its link, adds a person with the form (a bad name and a taken one first: the form says why), sees them listed with the generated
/// password shown once, resets their password, locks them and removes them after confirming. Only clicks and typing
/// after the first visit; every wait is for a state on the page.
/// </summary>
public sealed class PeopleTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string AdaPassword = "ada's long password";

    [Fact]
    public async Task An_administrator_adds_a_person_resets_their_password_locks_and_removes_them_in_settings()
    {
        var folder = Directory.CreateTempSubdirectory("agent-e2e-people").FullName;
        await AppProcess.AddUserAsync(folder, "ada", "acme", AdaPassword, admin: true);
        await using var app = await AppProcess.StartAsync(dataFolder: folder, remoteHost: AppProcess.MachineAddress());
        var context = await fixture.Browser.NewContextAsync(Workbench.ContextFor(app, 1280, 800));
        try
        {
            await ManagePeopleAsync(app, context);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException or Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{ex.Message}\napp output tail:\n{string.Join('\n', app.Output.Split('\n').TakeLast(80))}", ex);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    private async Task ManagePeopleAsync(AppProcess app, IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await Workbench.OpenAndSignInAsync(page, "ada", AdaPassword);
        await Workbench.GoToAsync(page, "settings");
        var people = page.Locator("[data-people]");
        await Assertions.Expect(people).ToHaveAttributeAsync("data-people-state", "ready");
        await Assertions.Expect(people.Locator("[data-person=ada]")).ToHaveAttributeAsync("data-person-role", "administrator");

        // The form says what is wrong with a name before anything is sent.
        await people.Locator("#person-name").FillAsync("grace hopper");
        await people.Locator("[data-person-add]").ClickAsync();
        await Assertions.Expect(people.Locator("[data-people-add]")).ToContainTextAsync("Use letters, digits and - . _ @ + only, no spaces.");
        await Assertions.Expect(people.Locator("[data-person=grace]")).ToHaveCountAsync(0);

        // What only the server knows comes back under the form in Identity's words.
        await people.Locator("#person-name").FillAsync("ada");
        await people.Locator("[data-person-add]").ClickAsync();
        await Assertions.Expect(people.Locator("[data-people-form-error]")).ToContainTextAsync("Username 'ada' is already taken.");

        // Added with a generated password, shown once.
        await people.Locator("#person-name").FillAsync("grace");
        await people.Locator("[data-person-add]").ClickAsync();
        var grace = people.Locator("[data-person=grace]");
        await Assertions.Expect(grace).ToHaveAttributeAsync("data-person-role", "member");
        await Assertions.Expect(grace).ToHaveAttributeAsync("data-person-status", "active");
        await Assertions.Expect(people.Locator("[data-people-password-shown=grace]")).ToBeVisibleAsync();
        await Assertions.Expect(people.Locator("[data-people-form-error]")).ToHaveCountAsync(0);
        await Assertions.Expect(people.Locator("[data-people-add]")).Not.ToContainTextAsync("Enter a name.");
        var first = await people.Locator("[data-people-password]").InnerTextAsync();
        Assert.Equal(24, first.Trim().Length);

        // Reset password (confirmed): a new one, shown once.
        await ChooseAsync(page, people, "grace", "reset-password");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Reset password" }).ClickAsync();
        await Assertions.Expect(people.Locator("[data-people-password]")).Not.ToHaveTextAsync(first);
        Assert.Equal(24, (await people.Locator("[data-people-password]").InnerTextAsync()).Trim().Length);

        // Lock.
        await ChooseAsync(page, people, "grace", "lock");
        await Assertions.Expect(grace).ToHaveAttributeAsync("data-person-status", "locked");

        // Pictures and axe with the list, the shown password and a locked person, desktop then phone.
        // Axe judges the page at rest: a snackbar fading out has, for a moment, too little contrast.
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0, new() { Timeout = 20_000 });
        await people.ScrollIntoViewIfNeededAsync();
        await Workbench.ScreenshotsInBothThemesAsync(page, "settings-people-desktop");
        await Workbench.ExpectNoSeriousAxeViolationsAsync(page);

        var phone = await fixture.Browser.NewContextAsync(Workbench.ContextFor(app, 390, 844, await context.StorageStateAsync()));
        try
        {
            var phonePage = await phone.NewPageAsync();
            await Workbench.OpenAsync(phonePage);
            await Workbench.GoToAsync(phonePage, "settings");
            var phonePeople = phonePage.Locator("[data-people]");
            await Assertions.Expect(phonePeople.Locator("[data-person=grace]")).ToHaveAttributeAsync("data-person-status", "locked");
            await phonePeople.ScrollIntoViewIfNeededAsync();
            Assert.False(await Workbench.ScrollsSidewaysAsync(phonePage), "the settings page scrolls sideways on a phone with the People section");
            foreach (var target in new[] { phonePeople.Locator("[data-person-menu=grace] button").First, phonePeople.Locator("[data-person-add]") })
            {
                var box = await target.BoundingBoxAsync();
                Assert.True(box is { Height: >= 44, Width: >= 44 }, $"a touch target on the phone is {box?.Width}×{box?.Height} px");
            }

            await Workbench.ScreenshotsInBothThemesAsync(phonePage, "settings-people-phone");
            await Workbench.ExpectNoSeriousAxeViolationsAsync(phonePage);
        }
        finally
        {
            await phone.CloseAsync();
        }

        // Remove, confirmed.
        await ChooseAsync(page, people, "grace", "remove");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Assertions.Expect(grace).ToHaveCountAsync(0);
        await Assertions.Expect(people.Locator("[data-person=ada]")).ToHaveCountAsync(1);
    }

    /// <summary>Opens the person's row menu (once the last one has closed) and picks an action.</summary>
    private static async Task ChooseAsync(IPage page, ILocator people, string person, string action)
    {
        // A menu item that asks first stays open behind its dialog until the action is done.
        await Assertions.Expect(page.Locator(".mud-popover-open [data-person-action]")).ToHaveCountAsync(0);
        await people.Locator($"[data-person-menu={person}] button").First.ClickAsync();
        await page.Locator($".mud-popover-open [data-person-action={action}]").ClickAsync();
    }
}
