using Agent.Domain.Configuration;
using Agent.Domain.ControlPlane;
using Agent.Runtime.ControlPlane;
using Agent.Web.Components.Controls;
using Agent.Web.ControlPlane;
using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Agent.Web.Tests.ControlPlane;

/// <summary>
/// The Settings page's Control plane section against a real redis-server: disabled, healthy, Redis down, the exact
/// bodies, and a section scoped to one tenant. Install-wide is the token holder's scope (the page itself only ever
/// passes the signed-in person's own tenant).
/// </summary>
public sealed class ControlPlaneSectionTests : AgentTestContext
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private RuntimeAdminService AddServices(string? redisUrl, bool enable = true, string? token = AdminApp.Token)
    {
        var options = new RuntimeAdminOptions { EnableRuntimeAdmin = enable, AdminToken = token, RedisUrl = redisUrl };
        Services.AddSingleton(Options.Create(options));
        Services.AddSingleton(Options.Create(new AgentOptions()));
        Services.AddSingleton<RedisConnection>();
        Services.AddSingleton<IRuntimePublisher, RedisRuntimePublisher>();
        Services.AddSingleton<IRuntimeTenantDirectory, RedisTenantDirectory>();
        Services.AddSingleton<ITenantCapsSource, ConfiguredTenantCaps>();
        Services.AddSingleton<RuntimeAdminService>();
        RenderProviders();
        return Services.GetRequiredService<RuntimeAdminService>();
    }

    /// <summary>The input or textarea of a MudTextField marked with data-field.</summary>
    private static IElement Field(IRenderedComponent<ControlPlaneSection> section, string name)
    {
        var marked = section.Find($"[data-field={name}]");
        return marked.TagName is "INPUT" or "TEXTAREA" ? marked : marked.QuerySelector("input, textarea")!;
    }

    private static string AnswerBody(IRenderedComponent<ControlPlaneSection> section, string form) =>
        section.Find($"[data-admin-answer={form}] [data-answer-body]").TextContent;

    [Theory]
    [InlineData(false, null, null, "ENABLE_RUNTIME_ADMIN is not true, RUNTIME_ADMIN_TOKEN is not set and REDIS_URL is not set", "ENABLE_RUNTIME_ADMIN,RUNTIME_ADMIN_TOKEN,REDIS_URL")]
    [InlineData(true, null, "redis://127.0.0.1:1", "RUNTIME_ADMIN_TOKEN is not set", "RUNTIME_ADMIN_TOKEN")]
    [InlineData(false, AdminApp.Token, "redis://127.0.0.1:1", "ENABLE_RUNTIME_ADMIN is not true", "ENABLE_RUNTIME_ADMIN")]
    public void Disabled_admin_names_exactly_the_variables_to_set_and_shows_no_forms(bool enable, string? token, string? redisUrl, string reasons, string variables)
    {
        AddServices(redisUrl, enable, token);
        var section = Render<ControlPlaneSection>(p => p.Add(c => c.Caller, ControlPlaneCaller.InstallWide));

        Assert.Equal("disabled", section.Find("[data-control-plane]").GetAttribute("data-control-plane-state"));
        var alert = section.Find("[data-control-plane-disabled]");
        Assert.Contains($"The runtime admin API is disabled: {reasons}.", alert.TextContent, StringComparison.Ordinal);
        Assert.Equal(variables.Split(','), alert.QuerySelectorAll("[data-missing-variable]").Select(e => e.GetAttribute("data-missing-variable")));
        Assert.Contains("available on loopback", section.Find("[data-control-plane-note]").TextContent, StringComparison.Ordinal);
        Assert.Empty(section.FindAll("form"));
        Assert.Empty(section.FindAll("[data-redis-health]"));
    }

    [Fact]
    public async Task Healthy_Redis_lists_the_tenants_with_their_DIDs_and_publishes_the_prefilled_example()
    {
        await using var redis = await RedisServer.StartAsync();
        var admin = AddServices(redis.Url);
        var published = await admin.PublishAsync(ControlPlaneCaller.InstallWide, "acme", RuntimeAdminService.ExampleConfigJson("acme").Replace("\"secret://runtime/webhook\"", "\"secret://runtime/webhook\", \"webhookSecret\": \"s3cr3t-value\"", StringComparison.Ordinal), false, CancellationToken.None);
        Assert.Equal(200, published.StatusCode);
        using (var mapBody = System.Text.Json.JsonDocument.Parse("""{ "didE164": "+15551234567", "tenantId": "acme" }"""))
        {
            Assert.Equal(200, (await admin.MapAsync(ControlPlaneCaller.InstallWide, mapBody.RootElement, CancellationToken.None)).StatusCode);
        }

        var section = Render<ControlPlaneSection>(p => p.Add(c => c.Caller, ControlPlaneCaller.InstallWide));
        section.WaitForAssertion(() => Assert.Equal("ok", section.Find("[data-control-plane]").GetAttribute("data-control-plane-state")), Wait);
        section.WaitForAssertion(() => section.Find("[data-tenant=acme]"), Wait);
        Assert.Equal("redis://127.0.0.1:" + redis.Port, section.Find("[data-redis-url]").TextContent);
        var did = section.Find("[data-tenant-dids=acme] [data-did]");
        Assert.Equal("+15551234567", did.GetAttribute("data-did"));
        Assert.Equal("mapped", did.GetAttribute("data-did-mapped"));
        Assert.Contains("10 concurrent · 60/min · 200 global", section.Find("[data-tenant-caps]").TextContent, StringComparison.Ordinal);
        var secret = section.Find("[data-tenant-secret]").TextContent;
        Assert.Contains("REDACTED", secret, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", section.Markup, StringComparison.Ordinal);

        // The form is prefilled with a valid example for a tenant id not yet used; publishing it answers 200 with the stored document.
        Assert.Equal("tenant-1", Field(section, "publish-tenant").GetAttribute("value"));
        section.Find("form[data-form=publish]").Submit();
        section.WaitForAssertion(() => Assert.Equal("200", section.Find("[data-admin-answer=publish]").GetAttribute("data-status")), Wait);
        var expected = System.Text.Json.JsonSerializer.Serialize(RuntimeContractReport.Sample with { TenantId = "tenant-1", WebhookSecret = null }, RuntimeContract.Json);
        Assert.Equal(expected, AnswerBody(section, "publish"));
        Assert.Equal("POST /api/admin/runtime/tenants/tenant-1/config", section.Find("[data-admin-answer=publish] [data-answer-request]").TextContent);
        // The example's DID is the one mapped to acme: the new tenant's chip says where it points.
        section.WaitForAssertion(() => Assert.Equal("elsewhere", section.Find("[data-tenant-dids=tenant-1] [data-did]").GetAttribute("data-did-mapped")), Wait);
        Assert.Contains("+15551234567 · mapped to acme", section.Find("[data-tenant-dids=tenant-1] [data-did]").TextContent, StringComparison.Ordinal);

        // Lookup answers the endpoint's body.
        Field(section, "lookup-did").Change(" +1 555 123 4567 ");
        section.Find("form[data-form=lookup]").Submit();
        section.WaitForAssertion(() => Assert.Equal("""{"didE164":"+15551234567","tenantId":"acme"}""", AnswerBody(section, "lookup")), Wait);
    }

    [Fact]
    public async Task Validation_errors_show_the_endpoint_body_verbatim()
    {
        await using var redis = await RedisServer.StartAsync();
        AddServices(redis.Url);
        var section = Render<ControlPlaneSection>(p => p.Add(c => c.Caller, ControlPlaneCaller.InstallWide));
        section.WaitForAssertion(() => Assert.Equal("ok", section.Find("[data-control-plane]").GetAttribute("data-control-plane-state")), Wait);

        Field(section, "publish-json").Change(RuntimeAdminService.ExampleConfigJson("tenant-1").Replace("\"maxConcurrentCallsTenant\": 10", "\"maxConcurrentCallsTenant\": -1", StringComparison.Ordinal));
        section.Find("form[data-form=publish]").Submit();
        section.WaitForAssertion(() => Assert.Equal(
            """{"error":"caps.maxConcurrentCallsTenant must be a positive integer (got -1).","field":"caps.maxConcurrentCallsTenant"}""",
            AnswerBody(section, "publish")), Wait);
        Assert.Equal("400", section.Find("[data-admin-answer=publish]").GetAttribute("data-status"));

        Field(section, "map-did").Change("+0123");
        Field(section, "map-tenant").Change("acme");
        section.Find("form[data-form=map]").Submit();
        section.WaitForAssertion(() => Assert.Equal(
            """{"error":"didE164 is not an E.164 number (^\\+[1-9]\\d{1,14}$ after trimming and removing spaces), for example \"+15551234567\".","field":"didE164"}""",
            AnswerBody(section, "map")), Wait);

        Field(section, "publish-json").Change("{ not json");
        section.Find("form[data-form=publish]").Submit();
        section.WaitForAssertion(() => Assert.Equal("""{"error":"The body is not valid JSON.","field":"body"}""", AnswerBody(section, "publish")), Wait);
    }

    [Fact]
    public async Task A_section_scoped_to_one_tenant_lists_only_it_and_refuses_the_other_tenants_DIDs()
    {
        await using var redis = await RedisServer.StartAsync();
        var admin = AddServices(redis.Url);
        var everyone = ControlPlaneCaller.InstallWide;
        Assert.Equal(200, (await admin.PublishAsync(everyone, "beta", RuntimeAdminService.ExampleConfigJson("beta"), false, CancellationToken.None)).StatusCode);
        using (var mapBody = System.Text.Json.JsonDocument.Parse("""{ "didE164": "+15551234567", "tenantId": "beta" }"""))
        {
            Assert.Equal(200, (await admin.MapAsync(everyone, mapBody.RootElement, CancellationToken.None)).StatusCode);
        }

        var section = Render<ControlPlaneSection>(p => p.Add(c => c.Caller, ControlPlaneCaller.ForTenant("acme")));
        section.WaitForAssertion(() => Assert.Equal("ok", section.Find("[data-control-plane]").GetAttribute("data-control-plane-state")), Wait);
        Assert.Equal("acme", section.Find("[data-control-plane]").GetAttribute("data-control-plane-scope"));
        section.WaitForAssertion(() => section.Find("[data-tenants-empty]"), Wait);
        Assert.Equal("acme", Field(section, "publish-tenant").GetAttribute("value"));
        Assert.Equal("acme", Field(section, "map-tenant").GetAttribute("value"));

        // acme publishes the example: its DID is beta's, and acme's listing says so without naming beta.
        section.Find("form[data-form=publish]").Submit();
        section.WaitForAssertion(() => Assert.Equal("200", section.Find("[data-admin-answer=publish]").GetAttribute("data-status")), Wait);
        section.WaitForAssertion(() => Assert.Equal("elsewhere", section.Find("[data-tenant-dids=acme] [data-did]").GetAttribute("data-did-mapped")), Wait);
        Assert.Empty(section.FindAll("[data-tenant=beta]"));
        Assert.DoesNotContain("beta", section.Find("[data-tenant-table]").TextContent, StringComparison.Ordinal);

        Field(section, "map-did").Change("+15551234567");
        section.Find("form[data-form=map]").Submit();
        section.WaitForAssertion(() => Assert.Equal("409", section.Find("[data-admin-answer=map]").GetAttribute("data-status")), Wait);

        Field(section, "map-did").Change("+15557654321");
        Field(section, "map-tenant").Change("beta");
        section.Find("form[data-form=map]").Submit();
        section.WaitForAssertion(() => Assert.Equal("""{"error":"you can map DIDs only to your own tenant 'acme'"}""", AnswerBody(section, "map")), Wait);

        Field(section, "lookup-did").Change("+15551234567");
        section.Find("form[data-form=lookup]").Submit();
        section.WaitForAssertion(() => Assert.Equal("""{"error":"runtime_did_not_mapped","field":"didE164"}""", AnswerBody(section, "lookup")), Wait);
        Assert.Equal("beta", (await admin.LookupAsync(everyone, "+15551234567", CancellationToken.None)).Body is DidMapping m ? m.TenantId : null);
    }

    [Fact]
    public async Task Redis_down_shows_the_health_error_and_the_failure_bodies()
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.StopAsync();
        AddServices(redis.Url);
        var section = Render<ControlPlaneSection>(p => p.Add(c => c.Caller, ControlPlaneCaller.InstallWide));

        section.WaitForAssertion(() => Assert.Equal("down", section.Find("[data-control-plane]").GetAttribute("data-control-plane-state")), Wait);
        Assert.False(string.IsNullOrWhiteSpace(section.Find("[data-redis-error]").TextContent));
        section.WaitForAssertion(() => section.Find("[data-tenants-error]"), Wait);

        section.Find("form[data-form=publish]").Submit();
        section.WaitForAssertion(() => Assert.Equal("""{"error":"runtime_publish_failed"}""", AnswerBody(section, "publish")), Wait);
        Assert.Equal("500", section.Find("[data-admin-answer=publish]").GetAttribute("data-status"));

        Field(section, "unmap-did").Change("+15551234567");
        section.Find("form[data-form=unmap]").Submit();
        section.WaitForAssertion(() => Assert.Equal("""{"error":"runtime_unmap_failed"}""", AnswerBody(section, "unmap")), Wait);
    }
}
