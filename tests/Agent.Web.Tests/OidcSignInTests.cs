using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Agent.Domain.Storage;
using Agent.Web.Security;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Agent.Web.Tests;

/// <summary>
/// OpenID Connect against a tiny identity provider on 127.0.0.1 over real HTTP (discovery document, JWKS, authorize and
/// token endpoints, an RS256-signed id_token): the app's own handler fetches the metadata and keys, redeems the code
/// with PKCE and validates the token; the person lands in the tenant their token names, with the role it names.
/// </summary>
public sealed partial class OidcSignInTests
{
    private const string ClientId = "agent-chat";

    [Fact]
    public async Task A_sign_in_through_the_identity_provider_lands_in_the_tenant_its_token_names()
    {
        await using var provider = await TinyOidcProvider.StartAsync(new Dictionary<string, object> { ["sub"] = "u-123", ["name"] = "Nora", ["tenant"] = "nu", ["roles"] = new[] { "administrator" } });
        await using var app = OidcApp(provider);
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });

        var signedIn = await SignInThroughProviderAsync(browser, provider, "/memory");
        Assert.Equal("/memory", signedIn.Landing);
        Assert.NotNull(signedIn.Cookie);

        // The session cookie now stands for Nora of tenant "nu", an administrator: what she creates is nu's, not the owner's.
        // Her page's antiforgery token goes with each call, as the workbench page sends it.
        var token = await RequestGuardTests.PageTokenAsync(browser);
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/sessions") { Content = JsonContent.Create(new { title = "nora's plans" }) };
        create.Headers.Add("RequestVerificationToken", token);
        using var created = await browser.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var sessionId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var sessions = app.Services.GetRequiredService<ISessionStore>();
        Assert.NotNull(await sessions.FindAsync("nu", sessionId, CancellationToken.None));
        Assert.Null(await sessions.FindAsync("local", sessionId, CancellationToken.None));
        using var test = new HttpRequestMessage(HttpMethod.Post, "/api/providers/deterministic/test");
        test.Headers.Add("RequestVerificationToken", token);
        using var adminOnly = await browser.SendAsync(test);
        Assert.NotEqual(HttpStatusCode.Forbidden, adminOnly.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, adminOnly.StatusCode);

        // The provider saw one authorize and one token request, with PKCE.
        Assert.Equal(1, provider.TokenRequests);
    }

    [Fact]
    public async Task A_token_without_a_tenant_claim_signs_no_one_in_and_a_member_gets_no_administrator_role()
    {
        await using var noTenant = await TinyOidcProvider.StartAsync(new Dictionary<string, object> { ["sub"] = "u-9", ["name"] = "Otto" });
        await using (var app = OidcApp(noTenant))
        {
            using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
            var refused = await SignInThroughProviderAsync(browser, noTenant, "/");
            Assert.Null(refused.Cookie);
            Assert.Equal("/signin?error=oidc", refused.Landing);
            Assert.Contains("was not accepted here", await browser.GetStringAsync(new Uri(refused.Landing!, UriKind.Relative)), StringComparison.Ordinal);
            using var api = await browser.GetAsync(new Uri("/api/sessions", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        }

        await using var member = await TinyOidcProvider.StartAsync(new Dictionary<string, object> { ["sub"] = "u-10", ["name"] = "Pia", ["tenant"] = "pi" });
        await using var memberApp = OidcApp(member);
        using var pia = memberApp.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
        Assert.NotNull((await SignInThroughProviderAsync(pia, member, "/")).Cookie);
        using var listed = await pia.GetAsync(new Uri("/api/sessions", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        using var test = new HttpRequestMessage(HttpMethod.Post, "/api/providers/deterministic/test");
        test.Headers.Add("RequestVerificationToken", await RequestGuardTests.PageTokenAsync(pia));
        using var adminOnly = await pia.SendAsync(test);
        Assert.Equal(HttpStatusCode.Forbidden, adminOnly.StatusCode);
    }

    /// <summary>
    /// The app on the in-memory server (https, so the handler's Secure correlation and nonce cookies come back), everyone
    /// must sign in, OpenID Connect at the tiny provider. Only the metadata's https requirement is lifted, for 127.0.0.1.
    /// </summary>
    private static AgentAppFactory OidcApp(TinyOidcProvider provider) => new AgentAppFactory()
        .WithSetting("Agent:Auth:LoopbackWithoutSignIn", "false")
        .WithSetting("Agent:Auth:Oidc:Authority", provider.Issuer)
        .WithSetting("Agent:Auth:Oidc:ClientId", ClientId)
        .WithServices(services => services.Configure<OpenIdConnectOptions>(AgentClaims.OidcScheme, o => o.RequireHttpsMetadata = false));

    /// <summary>What a browser does: the app's challenge, the provider's authorize page, its form posted back to the app.</summary>
    private static async Task<(string? Landing, string? Cookie)> SignInThroughProviderAsync(HttpClient browser, TinyOidcProvider provider, string returnUrl)
    {
        using var challenge = await browser.GetAsync(new Uri($"/account/oidc?returnUrl={Uri.EscapeDataString(returnUrl)}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var authorize = challenge.Headers.Location!;
        Assert.StartsWith(provider.Issuer + "/authorize", authorize.ToString(), StringComparison.Ordinal);

        using var idp = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var page = await idp.GetStringAsync(authorize);
        var action = FormAction().Match(page).Groups["url"].Value;
        var fields = HiddenField().Matches(page).ToDictionary(m => m.Groups["name"].Value, m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        Assert.Equal("https://localhost/signin-oidc", action);

        using var callback = await browser.PostAsync(new Uri(action), new FormUrlEncodedContent(fields));
        var cookie = callback.Headers.TryGetValues("Set-Cookie", out var set) ? set.FirstOrDefault(c => c.StartsWith(SecuritySetup.SessionCookie, StringComparison.Ordinal)) : null;
        return (callback.Headers.Location?.ToString(), cookie);
    }

    [GeneratedRegex("<form method=\"post\" action=\"(?<url>[^\"]+)\"")]
    private static partial Regex FormAction();

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenField();

    /// <summary>
    /// An identity provider in a few routes on 127.0.0.1: discovery, JWKS (one RSA key), authorize (signs in the one
    /// configured person at once and answers with the form_post page), token (checks the code, client and PKCE verifier).
    /// </summary>
    private sealed class TinyOidcProvider : IAsyncDisposable
    {
        private readonly WebApplication host;
        private readonly RSA key = RSA.Create(2048);
        private readonly ConcurrentDictionary<string, (string Nonce, string Challenge)> codes = new();
        private readonly Dictionary<string, object> claims;
        private int tokenRequests;

        private TinyOidcProvider(Dictionary<string, object> claims)
        {
            this.claims = claims;
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            host = builder.Build();
            host.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = Issuer,
                ["authorization_endpoint"] = Issuer + "/authorize",
                ["token_endpoint"] = Issuer + "/token",
                ["jwks_uri"] = Issuer + "/jwks",
                ["response_types_supported"] = new[] { "code" },
                ["subject_types_supported"] = new[] { "public" },
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                ["code_challenge_methods_supported"] = new[] { "S256" },
            }));
            host.MapGet("/jwks", () =>
            {
                var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(key.ExportParameters(false)) { KeyId = "k1" });
                return Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = "k1", n = jwk.N, e = jwk.E } } });
            });
            host.MapGet("/authorize", (HttpRequest request) =>
            {
                var query = request.Query;
                if (query["client_id"] != ClientId || query["response_type"] != "code" || query["code_challenge_method"] != "S256")
                {
                    return Results.BadRequest(new { error = "invalid_request" });
                }

                var code = Guid.NewGuid().ToString("N");
                codes[code] = (query["nonce"].ToString(), query["code_challenge"].ToString());
                var fields = string.Concat(new[] { ("code", code), ("state", query["state"].ToString()) }
                    .Select(f => $"<input type=\"hidden\" name=\"{f.Item1}\" value=\"{WebUtility.HtmlEncode(f.Item2)}\" />"));
                return Results.Content($"<html><body><form method=\"post\" action=\"{WebUtility.HtmlEncode(query["redirect_uri"])}\">{fields}</form></body></html>", "text/html");
            });
            host.MapPost("/token", async (HttpRequest request) =>
            {
                Interlocked.Increment(ref tokenRequests);
                var form = await request.ReadFormAsync();
                if (form["grant_type"] != "authorization_code" || form["client_id"] != ClientId
                    || !codes.TryRemove(form["code"].ToString(), out var issued)
                    || Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))) != issued.Challenge)
                {
                    return Results.Json(new { error = "invalid_grant" }, statusCode: StatusCodes.Status400BadRequest);
                }

                var now = DateTime.UtcNow;
                var body = new Dictionary<string, object>(claims) { ["nonce"] = issued.Nonce };
                var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
                {
                    Issuer = Issuer,
                    Audience = ClientId,
                    Claims = body,
                    IssuedAt = now,
                    NotBefore = now,
                    Expires = now.AddMinutes(5),
                    SigningCredentials = new SigningCredentials(new RsaSecurityKey(key) { KeyId = "k1" }, SecurityAlgorithms.RsaSha256),
                });
                return Results.Json(new { access_token = Guid.NewGuid().ToString("N"), token_type = "Bearer", expires_in = 300, id_token = idToken });
            });
        }

        public string Issuer { get; private set; } = "";

        public int TokenRequests => tokenRequests;

        public static async Task<TinyOidcProvider> StartAsync(Dictionary<string, object> claims)
        {
            var provider = new TinyOidcProvider(claims);
            await provider.host.StartAsync();
            provider.Issuer = provider.host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
            return provider;
        }

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            await host.DisposeAsync();
            key.Dispose();
        }
    }
}
