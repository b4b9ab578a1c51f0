using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// The hardened sign-in and headers in real Chromium: the workbench under its Content-Security-Policy becomes
/// interactive, chats, attaches a file and shows every panel with no policy violation; and an open circuit of a person
/// whose security stamp changed is sent to the sign-in page by revalidation, without a reload.
/// </summary>
public sealed partial class SecurityHardeningTests(ChatFixture fixture) : IClassFixture<ChatFixture>
{
    private const string Password = "ola's long password";

    [Fact]
    public async Task The_workbench_works_under_its_content_security_policy_with_no_violation()
    {
        var page = await fixture.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (violations)
                {
                    violations.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (violations)
            {
                violations.Add("page error: " + error);
            }
        };

        // The browser's own report of each violation, also those it does not log (an init script is not subject to the policy).
        await page.AddInitScriptAsync("window.__cspViolations = []; document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));");

        var document = await page.GotoAsync("/");
        var policy = await document!.HeaderValueAsync("content-security-policy");
        Assert.NotNull(policy);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        await page.Locator("[data-interactive=true]").WaitForAsync();

        // A chat turn (streamed over the circuit's WebSocket, rendered markdown), a file by the paperclip, the theme, every panel.
        await page.Locator("[data-new-chat]").ClickAsync();
        await Workbench.ExpectChatOpenAsync(page);
        var chooser = await page.RunAndWaitForFileChooserAsync(() => page.Locator("[data-attach]").ClickAsync());
        await chooser.SetFilesAsync(new FilePayload { Name = "notes.txt", MimeType = "text/plain", Buffer = "The launch is in March."u8.ToArray() });
        await Assertions.Expect(page.Locator("[data-attachment='notes.txt']")).ToHaveAttributeAsync("data-attachment-state", "ready", new() { Timeout = 30_000 });
        var composer = page.Locator("#composer-input[data-composer-ready=true]");
        await composer.FillAsync("When is the **launch**? Answer with `code` too.");
        await composer.PressAsync("Enter");
        await Assertions.Expect(page.Locator("article.role-assistant").Last).ToHaveAttributeAsync("data-status", "complete");
        await Workbench.ToggleThemeAsync(page, "dark");
        foreach (var (slug, _) in Workbench.Panels.Where(p => p.Slug != "chat"))
        {
            await Workbench.GoToAsync(page, slug);
        }

        await Workbench.ToggleThemeAsync(page, "light");
        await page.GoBackAsync();
        await page.Locator("[data-interactive=true]").WaitForAsync();

        var reported = await page.EvaluateAsync<string[]>("() => window.__cspViolations");
        Assert.True(violations.Count == 0 && reported.Length == 0,
            $"Content-Security-Policy violations: console {string.Join(" | ", violations)}; reported {string.Join(" | ", reported)}");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_open_circuit_goes_to_the_sign_in_page_once_the_persons_security_stamp_changes()
    {
        var folder = Directory.CreateTempSubdirectory("agent-e2e-revalidate").FullName;
        await AppProcess.AddUserAsync(folder, "ola", "omicron", Password);
        await using var app = await AppProcess.StartAsync(
            settings: new Dictionary<string, string> { ["Agent:Auth:RevalidationInterval"] = "00:00:01" },
            dataFolder: folder,
            remoteHost: AppProcess.MachineAddress());

        var context = await fixture.Browser.NewContextAsync(Workbench.ContextFor(app, 1280, 800));
        var page = await context.NewPageAsync();
        await Workbench.OpenAndSignInAsync(page, "ola", Password);
        await Assertions.Expect(page.Locator("[data-signed-in-as]")).ToHaveTextAsync("ola · omicron");

        // Several revalidations pass while nothing changed: ola stays in.
        await Workbench.GoToAsync(page, "settings");
        await Workbench.GoToAsync(page, "memory");
        await Assertions.Expect(page.Locator("[data-signed-in-as]")).ToHaveTextAsync("ola · omicron");

        // Her password is reset elsewhere (a new security stamp): the open circuit turns anonymous and leaves for the sign-in page.
        await using (var database = new SqliteConnection($"Data Source={Path.Combine(folder, "agent.db")}"))
        {
            await database.OpenAsync();
            await using var update = database.CreateCommand();
            update.CommandText = "UPDATE AspNetUsers SET SecurityStamp = $stamp WHERE UserName = 'ola'";
            update.Parameters.AddWithValue("$stamp", Guid.NewGuid().ToString("N").ToUpperInvariant());
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        await Assertions.Expect(page).ToHaveURLAsync(SignInPage(), new() { Timeout = 30_000 });
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.Locator("#signin-user")).ToBeVisibleAsync();

        // The old cookie no longer opens anything either: the browser's own request with it is refused.
        var withOldCookie = await context.APIRequest.GetAsync("api/sessions");
        Assert.Equal(401, withOldCookie.Status);
        await context.CloseAsync();
    }

    [GeneratedRegex("/signin\\?[Rr]eturn[Uu]rl=")]
    private static partial Regex SignInPage();
}
