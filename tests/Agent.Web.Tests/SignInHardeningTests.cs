using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using Agent.Data;
using Agent.Web.Security;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

/// <summary>
/// The sign-in's second line on the real host: open circuits are checked again, tickets redeem once, cookie-signed
/// form posts need an antiforgery token, and every page carries the security headers.
/// </summary>
public sealed partial class SignInHardeningTests
{
    private const string Password = "a long enough password";
    private static readonly TimeSpan Waiting = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("locked out")]
    [InlineData("security stamp changed")]
    [InlineData("deleted")]
    public async Task An_open_circuit_turns_anonymous_once_its_person_is_no_longer_valid(string change)
    {
        await using var app = new AgentAppFactory().WithSetting("Agent:Auth:RevalidationInterval", "00:00:00.200");
        await TenantIsolationTests.PersonAsync(app, "ivan", "iota", admin: false);

        // A circuit's scope: its authentication state provider gets the cookie's principal, as the circuit host gives it.
        await using var circuit = app.Services.CreateAsyncScope();
        var provider = circuit.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();
        Assert.IsType<AgentRevalidatingAuthenticationStateProvider>(provider);
        var principal = await CookiePrincipalAsync(app, "ivan");
        ((IHostEnvironmentAuthenticationStateProvider)provider).SetAuthenticationState(Task.FromResult(new AuthenticationState(principal)));
        var tenant = circuit.ServiceProvider.GetRequiredService<PrincipalTenant>();
        var handler = circuit.ServiceProvider.GetServices<CircuitHandler>().OfType<TenantCircuitHandler>().Single();
        await handler.OnCircuitOpenedAsync(null!, CancellationToken.None);
        Assert.Equal("iota", tenant.TenantId);

        var turnedAnonymous = new TaskCompletionSource<ClaimsPrincipal>(TaskCreationOptions.RunContinuationsAsynchronously);
        provider.AuthenticationStateChanged += async state => turnedAnonymous.TrySetResult((await state).User);

        // Still valid after several intervals: revalidation keeps a person who did not change.
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        Assert.False(turnedAnonymous.Task.IsCompleted, "revalidation signed out a person whose account did not change");
        Assert.True((await provider.GetAuthenticationStateAsync()).User.Identity?.IsAuthenticated);

        await using (var admin = app.Services.CreateAsyncScope())
        {
            var users = admin.ServiceProvider.GetRequiredService<UserManager<AgentUser>>();
            var user = (await users.FindByNameAsync("ivan"))!;
            var result = change switch
            {
                "locked out" => await users.SetLockoutEndDateAsync(user, DateTimeOffset.UtcNow.AddHours(1)),
                "security stamp changed" => await users.UpdateSecurityStampAsync(user),
                _ => await users.DeleteAsync(user),
            };
            Assert.True(result.Succeeded);
        }

        var revalidated = await turnedAnonymous.Task.WaitAsync(Waiting);
        Assert.False(revalidated.Identity?.IsAuthenticated);
        Assert.False((await provider.GetAuthenticationStateAsync()).User.Identity?.IsAuthenticated);
        Assert.False(tenant.IsAuthenticated);
        Assert.Throws<NoTenantException>(() => tenant.TenantId);
    }

    [Fact]
    public async Task The_session_cookie_stops_working_once_the_persons_security_stamp_changes()
    {
        // The in-memory test server's requests count as loopback: without this a refused cookie would fall back to the owner.
        await using var app = new AgentAppFactory()
            .WithSetting("Agent:Auth:RevalidationInterval", "00:00:00.200")
            .WithSetting("Agent:Auth:LoopbackWithoutSignIn", "false");
        await TenantIsolationTests.PersonAsync(app, "lena", "mu", admin: false);
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using (var signedIn = await browser.GetAsync(new Uri($"/account/complete-signin?ticket={Uri.EscapeDataString(await TicketAsync(app, "lena"))}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        }

        // Past the interval the cookie is checked against the database and, unchanged, still works.
        await Task.Delay(TimeSpan.FromMilliseconds(400));
        using (var before = await browser.GetAsync(new Uri("/api/sessions", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await using (var admin = app.Services.CreateAsyncScope())
        {
            var users = admin.ServiceProvider.GetRequiredService<UserManager<AgentUser>>();
            Assert.True((await users.UpdateSecurityStampAsync((await users.FindByNameAsync("lena"))!)).Succeeded);
        }

        var refusedAfter = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100));
            using var after = await browser.GetAsync(new Uri("/api/sessions", UriKind.Relative));
            status = after.StatusCode;
        }
        while (status == HttpStatusCode.OK && refusedAfter.Elapsed < Waiting);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task The_loopback_owners_circuit_is_not_signed_out_by_revalidation()
    {
        await using var app = new AgentAppFactory().WithSetting("Agent:Auth:RevalidationInterval", "00:00:00.100");
        await using var circuit = app.Services.CreateAsyncScope();
        var provider = circuit.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();
        ((IHostEnvironmentAuthenticationStateProvider)provider).SetAuthenticationState(Task.FromResult(new AuthenticationState(LocalOwnerHandler.CreateOwner())));
        var changed = false;
        provider.AuthenticationStateChanged += _ => changed = true;

        await Task.Delay(TimeSpan.FromMilliseconds(600));
        Assert.False(changed);
        Assert.Equal("local", AgentClaims.TenantOf((await provider.GetAuthenticationStateAsync()).User));
    }

    [Fact]
    public async Task A_sign_in_ticket_redeems_once_and_the_second_redeem_is_refused()
    {
        await using var app = new AgentAppFactory();
        await TenantIsolationTests.PersonAsync(app, "jun", "kappa", admin: false);
        var ticket = await TicketAsync(app, "jun");
        var path = new Uri($"/account/complete-signin?ticket={Uri.EscapeDataString(ticket)}&returnUrl=/", UriKind.Relative);

        using var first = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var redeemed = await first.GetAsync(path);
        Assert.Equal("/", redeemed.Headers.Location?.ToString());
        Assert.Contains(redeemed.Headers.GetValues("Set-Cookie"), c => c.StartsWith(SecuritySetup.SessionCookie, StringComparison.Ordinal));

        // The same ticket again, from another browser, within its minute: refused, no cookie.
        using var second = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var replayed = await second.GetAsync(path);
        Assert.Equal("/signin?error=expired", replayed.Headers.Location?.ToString());
        Assert.False(replayed.Headers.Contains("Set-Cookie"));

        // A newer ticket works, and voids an older unused one.
        var older = await TicketAsync(app, "jun");
        var newer = await TicketAsync(app, "jun");
        using var third = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var stale = await third.GetAsync(new Uri($"/account/complete-signin?ticket={Uri.EscapeDataString(older)}", UriKind.Relative));
        Assert.Equal("/signin?error=expired", stale.Headers.Location?.ToString());
        using var fresh = await third.GetAsync(new Uri($"/account/complete-signin?ticket={Uri.EscapeDataString(newer)}", UriKind.Relative));
        Assert.Equal("/", fresh.Headers.Location?.ToString());
    }

    [Fact]
    public async Task A_cookie_signed_attachment_post_needs_the_antiforgery_token_and_bearer_and_owner_calls_do_not()
    {
        await using var app = new AgentAppFactory();
        var person = await TenantIsolationTests.PersonAsync(app, "kim", "lambda", admin: false);
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using (var signedIn = await browser.GetAsync(new Uri($"/account/complete-signin?ticket={Uri.EscapeDataString(await TicketAsync(app, "kim"))}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        }

        // The token the workbench page carries (its sign-out form's) is what kim's own page sends with its calls.
        var page = await browser.GetStringAsync(new Uri("/", UriKind.Relative));
        var token = TokenField().Match(page).Groups["token"].Value;
        Assert.NotEmpty(token);
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/sessions") { Content = JsonContent.Create(new { title = "kim's files" }) };
        create.Headers.Add("RequestVerificationToken", token);
        using var created = await browser.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var sessionId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var upload = new Uri($"/api/sessions/{sessionId}/attachments", UriKind.Relative);

        // What a hostile page could make kim's browser send: the cookie goes along, the token cannot.
        using (var forged = await browser.PostAsync(upload, Form("notes.txt")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
            Assert.Contains("antiforgery token is missing or invalid", (await forged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        using (var wrongToken = await browser.PostAsync(upload, Form("notes.txt", token: "not-a-token")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrongToken.StatusCode);
        }

        Assert.Empty(await ListAsync(browser, sessionId));

        // With the page's token kim's own page uploads.
        using (var accepted = await browser.PostAsync(upload, Form("notes.txt", token)))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        // A script with kim's personal access token, and the loopback owner, upload without one (as before).
        using var script = TenantIsolationTests.ClientWith(app, person.Secret);
        using (var byToken = await script.PostAsync(upload, Form("script.txt")))
        {
            Assert.Equal(HttpStatusCode.Accepted, byToken.StatusCode);
        }

        using var owner = app.CreateClient();
        using var ownerSession = await owner.PostAsJsonAsync("/api/sessions", new { title = "owner's files" });
        var ownerSessionId = (await ownerSession.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using (var byOwner = await owner.PostAsync(new Uri($"/api/sessions/{ownerSessionId}/attachments", UriKind.Relative), Form("owner.txt")))
        {
            Assert.Equal(HttpStatusCode.Accepted, byOwner.StatusCode);
        }

        Assert.Equal(["notes.txt", "script.txt"], (await ListAsync(browser, sessionId)).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/signin")]
    [InlineData("/api/sessions")]
    [InlineData("/app.js")]
    public async Task Every_response_carries_the_content_security_policy_and_the_other_security_headers(string path)
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}");

        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var directives = policy.Split(';', StringSplitOptions.TrimEntries).ToDictionary(d => d.Split(' ')[0], d => d);
        Assert.Equal("script-src 'self'", directives["script-src"]);
        Assert.Equal("style-src 'self' 'unsafe-inline'", directives["style-src"]);
        Assert.Equal("img-src 'self' data: blob:", directives["img-src"]);
        Assert.Equal("connect-src 'self' ws://localhost wss://localhost", directives["connect-src"]);
        Assert.Equal("frame-ancestors 'none'", directives["frame-ancestors"]);
        Assert.Equal("object-src 'none'", directives["object-src"]);
        Assert.Equal("base-uri 'self'", directives["base-uri"]);
        Assert.Equal("default-src 'self'", directives["default-src"]);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }

    private static async Task<ClaimsPrincipal> CookiePrincipalAsync(AgentAppFactory app, string name)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AgentUser>>();
        var factory = scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<AgentUser>>();
        return await factory.CreateAsync((await users.FindByNameAsync(name))!);
    }

    internal static async Task<string> TicketAsync(AgentAppFactory app, string name)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var check = await scope.ServiceProvider.GetRequiredService<SignInService>().CheckPasswordAsync(name, Password, CancellationToken.None);
        Assert.Equal(SignInOutcome.Succeeded, check.Outcome);
        return check.Ticket!;
    }

    private static MultipartFormDataContent Form(string fileName, string? token = null)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent("plain notes for the test"u8.ToArray());
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        form.Add(file, "file", fileName);
        if (token is not null)
        {
            form.Add(new StringContent(token), "__RequestVerificationToken");
        }

        return form;
    }

    private static async Task<string[]> ListAsync(HttpClient client, Guid sessionId) =>
        (await client.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{sessionId}/attachments"))!.Select(a => a.GetProperty("fileName").GetString()!).ToArray();

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"(?<token>[^\"]+)\"")]
    internal static partial Regex TokenField();
}
