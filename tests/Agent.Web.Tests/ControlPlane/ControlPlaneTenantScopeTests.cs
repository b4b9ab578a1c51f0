using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Agent.Data;
using Agent.Web.ControlPlane;
using Agent.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Agent.Web.Tests.ControlPlane;

/// <summary>
/// The control plane's tenant scope on the real host and a real redis-server: two tenant administrators, each calling
/// with a personal access token, against each other's config and DIDs; the token holder still reaches every tenant;
/// new tenant ids follow the new-id rule.
/// </summary>
public sealed class ControlPlaneTenantScopeTests(ITestOutputHelper output)
{
    private const string Password = "a long enough password";
    private const string AcmeDid = "+15551234567";
    private const string ConfigNotFound = """{"error":"runtime_config_not_found","field":"tenantId"}""";
    private const string DidNotMapped = """{"error":"runtime_did_not_mapped","field":"didE164"}""";

    private int requests;
    private int refusals;

    [Fact]
    public async Task A_tenant_administrator_reaches_only_their_own_config_and_DIDs_and_the_token_holder_reaches_all()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = new AdminApp(redis.Url);
        using var acme = await AdministratorAsync(app, "alice", "acme");
        using var beta = await AdministratorAsync(app, "bob", "beta");
        await using var direct = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
        var db = direct.GetDatabase();

        // acme publishes its config and maps its DID.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(acme, HttpMethod.Post, "/tenants/acme/config", RuntimeAdminApiTests.Config("acme"))).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(acme, HttpMethod.Post, "/dids/map", Map(AcmeDid, "acme"))).Status);
        Assert.Equal((HttpStatusCode.OK, $$"""{"didE164":"{{AcmeDid}}","tenantId":"acme"}"""), await SendAsync(acme, HttpMethod.Get, "/dids/" + Uri.EscapeDataString(AcmeDid)));
        var acmeConfig = (string?)await db.StringGetAsync("tenantcfg:acme");
        Assert.NotNull(acmeConfig);

        // beta against acme: the same 404 as for a tenant or DID that does not exist.
        Assert.Equal((HttpStatusCode.NotFound, ConfigNotFound), await SendAsync(beta, HttpMethod.Get, "/tenants/acme/config"));
        Assert.Equal((HttpStatusCode.NotFound, ConfigNotFound), await SendAsync(beta, HttpMethod.Get, "/tenants/acme/config?includeSecrets=1"));
        Assert.Equal((HttpStatusCode.NotFound, ConfigNotFound), await SendAsync(beta, HttpMethod.Get, "/tenants/nobody/config"));
        Assert.Equal((HttpStatusCode.NotFound, ConfigNotFound), await SendAsync(beta, HttpMethod.Post, "/tenants/acme/config", RuntimeAdminApiTests.Config("acme", secret: "beta-was-here", tenantCap: 99)));
        Assert.Equal((HttpStatusCode.NotFound, ConfigNotFound), await SendAsync(beta, HttpMethod.Post, "/tenants/%20acme%20/config", RuntimeAdminApiTests.Config("acme", tenantCap: 99)));
        Assert.Equal(acmeConfig, (string?)await db.StringGetAsync("tenantcfg:acme"));

        var (taken, takenBody) = await SendAsync(beta, HttpMethod.Post, "/dids/map", Map(" +1 555 123 4567 ", "beta"));
        Assert.Equal(HttpStatusCode.Conflict, taken);
        var conflict = JsonDocument.Parse(takenBody).RootElement;
        Assert.Equal(["error"], conflict.EnumerateObject().Select(p => p.Name));
        Assert.Contains("is mapped to another tenant", conflict.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("acme", takenBody, StringComparison.Ordinal);
        Assert.Equal(
            (HttpStatusCode.Forbidden, """{"error":"you can map DIDs only to your own tenant 'beta'"}"""),
            await SendAsync(beta, HttpMethod.Post, "/dids/map", Map("+15557654321", "acme")));
        Assert.Equal((HttpStatusCode.NotFound, DidNotMapped), await SendAsync(beta, HttpMethod.Post, "/dids/unmap", $$"""{ "didE164": "{{AcmeDid}}" }"""));
        Assert.Equal((HttpStatusCode.NotFound, DidNotMapped), await SendAsync(beta, HttpMethod.Get, "/dids/" + Uri.EscapeDataString(AcmeDid)));
        Assert.Equal((HttpStatusCode.NotFound, DidNotMapped), await SendAsync(beta, HttpMethod.Get, "/dids/" + Uri.EscapeDataString("+15550000000")));
        Assert.Equal("acme", (string?)await db.StringGetAsync("tenantmap:did:" + AcmeDid));
        Assert.False(await db.KeyExistsAsync("tenantmap:did:+15557654321"));
        Assert.Equal(acmeConfig, (string?)await db.StringGetAsync("tenantcfg:acme"));

        // beta's own tenant works as before, and acme cannot see it either.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(beta, HttpMethod.Post, "/tenants/beta/config", RuntimeAdminApiTests.Config("beta", dids: "\"+15559876543\""))).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(beta, HttpMethod.Get, "/tenants/beta/config")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(beta, HttpMethod.Post, "/dids/map", Map("+15559876543", "beta"))).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(beta, HttpMethod.Post, "/dids/map", Map("+15559876543", "beta"))).Status);
        Assert.Equal((HttpStatusCode.NotFound, ConfigNotFound), await SendAsync(acme, HttpMethod.Get, "/tenants/beta/config"));
        Assert.Equal((HttpStatusCode.NotFound, DidNotMapped), await SendAsync(acme, HttpMethod.Get, "/dids/%2B15559876543"));
        Assert.Equal((HttpStatusCode.OK, """{"didE164":"+15550000000","removed":false}"""), await SendAsync(beta, HttpMethod.Post, "/dids/unmap", """{ "didE164": "+15550000000" }"""));

        // The token holder: install-wide, exactly as before.
        var token = app.Client;
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(token, HttpMethod.Get, "/tenants/acme/config")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(token, HttpMethod.Get, "/tenants/beta/config")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(token, HttpMethod.Post, "/tenants/acme/config", RuntimeAdminApiTests.Config("acme", tenantCap: 3))).Status);
        Assert.Equal((HttpStatusCode.OK, $$"""{"didE164":"{{AcmeDid}}","tenantId":"beta"}"""), await SendAsync(token, HttpMethod.Post, "/dids/map", Map(AcmeDid, "beta")));
        Assert.Equal((HttpStatusCode.OK, $$"""{"didE164":"{{AcmeDid}}","tenantId":"beta"}"""), await SendAsync(token, HttpMethod.Get, "/dids/" + Uri.EscapeDataString(AcmeDid)));
        Assert.Equal((HttpStatusCode.OK, $$"""{"didE164":"{{AcmeDid}}","removed":true}"""), await SendAsync(token, HttpMethod.Post, "/dids/unmap", $$"""{ "didE164": "{{AcmeDid}}" }"""));

        // Once unmapped, the DID is free for acme again. Health names no tenant: every administrator may ask.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(acme, HttpMethod.Post, "/dids/map", Map(AcmeDid, "acme"))).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(beta, HttpMethod.Get, "/health")).Status);

        output.WriteLine($"{requests} requests, {refusals} refused (4xx)");
        Assert.Equal(12, refusals);
    }

    [Theory]
    [InlineData("..%2Fx", "../x")]
    [InlineData("A", "A")]
    // 65 characters, split so that this file holds no contiguous key-like value (SecretScanTests).
    [InlineData("tenant-id-of-sixty-five-chara" + "cters-one-over-the-limit-abcdefghijk", "tenant-id-of-sixty-five-chara" + "cters-one-over-the-limit-abcdefghijk")]
    [InlineData("-x", "-x")]
    [InlineData("acme.co", "acme.co")]
    public async Task A_new_tenant_id_outside_the_rule_is_a_400_naming_tenantId(string routeId, string bodyId)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = new AdminApp(redis.Url);
        using var beta = await AdministratorAsync(app, "bob", "beta");
        var expected = """{"error":"tenantId must match ^[a-z0-9][a-z0-9_-]{0,63}$ (1-64 lowercase letters, digits, '_' or '-', starting with a letter or digit).","field":"tenantId"}""";

        foreach (var client in new[] { app.Client, beta })
        {
            Assert.Equal((HttpStatusCode.BadRequest, expected), await SendAsync(client, HttpMethod.Post, $"/tenants/{routeId}/config", RuntimeAdminApiTests.Config("acme")));
            Assert.Equal((HttpStatusCode.BadRequest, expected), await SendAsync(client, HttpMethod.Post, "/dids/map", Map(AcmeDid, bodyId)));
        }

        await using var direct = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
        var keys = await direct.GetServer("127.0.0.1", redis.Port).DatabaseSizeAsync();
        Assert.Equal(0, keys);
        output.WriteLine($"{requests} requests, {refusals} refused (4xx); Redis keys after: {keys}");
    }

    [Fact]
    public async Task A_config_published_under_an_older_id_can_still_be_published_again_with_the_token()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = new AdminApp(redis.Url);
        await using (var direct = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}"))
        {
            await direct.GetDatabase().StringSetAsync("tenantcfg:Acme.Co", RuntimeAdminApiTests.Config("Acme.Co"));
        }

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app.Client, HttpMethod.Post, "/tenants/Acme.Co/config", RuntimeAdminApiTests.Config("Acme.Co", tenantCap: 4))).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app.Client, HttpMethod.Post, "/dids/map", Map(AcmeDid, "Acme.Co"))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(app.Client, HttpMethod.Post, "/tenants/Other.Co/config", RuntimeAdminApiTests.Config("Other.Co"))).Status);
        output.WriteLine($"{requests} requests, {refusals} refused (4xx)");
    }

    private static string Map(string did, string tenantId) => JsonSerializer.Serialize(new { didE164 = did, tenantId });

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, RuntimeAdminRoutes.Prefix + path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        requests++;
        if ((int)response.StatusCode is >= 400 and < 500)
        {
            refusals++;
        }

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, body);
    }

    /// <summary>An administrator of <paramref name="tenant"/> and a client that sends their personal access token.</summary>
    private static async Task<HttpClient> AdministratorAsync(AdminApp app, string name, string tenant)
    {
        var services = app.Services;
        await services.GetRequiredService<AgentDatabase>().InitializeAsync(CancellationToken.None);
        await services.GetRequiredService<AgentDatabase>().EnsureTenantAsync(tenant, CancellationToken.None);
        await using var scope = services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        if (!await roles.RoleExistsAsync(AgentClaims.Administrator))
        {
            await roles.CreateAsync(new IdentityRole(AgentClaims.Administrator));
        }

        var users = scope.ServiceProvider.GetRequiredService<UserManager<AgentUser>>();
        var user = new AgentUser { UserName = name, TenantId = tenant };
        Assert.True((await users.CreateAsync(user, Password)).Succeeded);
        await users.AddToRoleAsync(user, AgentClaims.Administrator);
        var token = await services.GetRequiredService<AccessTokenService>().CreateAsync(tenant, user.Id, name + "'s token", CancellationToken.None);
        var client = app.NewClientWithoutToken();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Secret);
        return client;
    }
}
