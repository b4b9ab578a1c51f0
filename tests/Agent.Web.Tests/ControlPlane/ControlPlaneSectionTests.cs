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

    /// <summary>What a field holds: an input's value, or a textarea's.</summary>
    private static string Value(IRenderedComponent<ControlPlaneSection> section, string name)
    {
        var field = Field(section, name);
        return field.GetAttribute("value") ?? field.TextContent;
    }

    private static string AnswerBody(IRenderedComponent<ControlPlaneSection> section, string form) =>
        section.Find($"[data-admin-answer={form}] [data-answer-body]").TextContent;

    private static string AnswerSentence(IRenderedComponent<ControlPlaneSection> section, string form) =>
        section.Find($"[data-admin-answer={form}] [data-answer-sentence]").TextContent.Trim();

    /// <summary>The message under a field (MudTextField's ErrorText), or null when it shows none.</summary>
    private static string? FieldError(IRenderedComponent<ControlPlaneSection> section, string name)
    {
        var control = section.Find($"[data-field={name}]").Closest(".mud-input-control") ?? throw new InvalidOperationException($"{name} is not in a MudTextField");
        return control.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim();
    }

    private static IRenderedComponent<ControlPlaneSection> RenderReady(AgentTestContext context, ControlPlaneCaller caller)
    {
        var section = context.Render<ControlPlaneSection>(p => p.Add(c => c.Caller, caller));
        section.WaitForAssertion(() => Assert.Equal("ok", section.Find("[data-control-plane]").GetAttribute("data-control-plane-state")), Wait);
        section.WaitForAssertion(() => section.Find("[data-tenants-empty], [data-tenant-table]"), Wait);
        return section;
    }

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
    public async Task The_fields_publish_a_config_that_the_endpoint_stores()
    {
        await using var redis = await RedisServer.StartAsync();
        var admin = AddServices(redis.Url);
        var section = RenderReady(this, ControlPlaneCaller.InstallWide);

        Assert.Equal("fields", section.Find("form[data-form=publish]").GetAttribute("data-publish-mode"));
        Assert.Empty(section.FindAll("[data-field=publish-json]"));
        Assert.Empty(section.FindAll("[data-field=publish-secret]"));
        Field(section, "publish-tenant").Change("acme");
        Field(section, "publish-dids").Change("+1 555 123 4567, +44 20 7946 0000");
        Field(section, "publish-secret-ref").Change("ACME_WEBHOOK_SECRET");
        Field(section, "publish-cap-tenant").Change("4");
        Field(section, "publish-cap-per-minute").Change("30");
        Field(section, "publish-cap-global").Change("50");
        Field(section, "publish-language").Change("nl");
        Field(section, "publish-sample-rate").Change("16000");
        section.Find("form[data-form=publish]").Submit();

        section.WaitForAssertion(() => Assert.Equal("200", section.Find("[data-admin-answer=publish]").GetAttribute("data-status")), Wait);
        Assert.Equal("Published the config of tenant acme.", AnswerSentence(section, "publish"));
        Assert.Equal("POST /api/admin/runtime/tenants/acme/config", section.Find("[data-admin-answer=publish] [data-answer-request]").TextContent);
        var stored = (await admin.ReadConfigAsync(ControlPlaneCaller.InstallWide, "acme", false, CancellationToken.None)).Body as RuntimeTenantConfig;
        Assert.NotNull(stored);
        Assert.Equal(["+15551234567", "+442079460000"], stored.Dids);
        Assert.Equal("ACME_WEBHOOK_SECRET", stored.WebhookSecretRef);
        Assert.Null(stored.WebhookSecret);
        Assert.Equal(new RuntimeCaps(4, 30, 50), stored.Caps);
        Assert.Equal("nl", stored.Stt.Language);
        Assert.Equal(16000, stored.Tts.SampleRate);
        section.WaitForAssertion(() => section.Find("[data-tenant=acme]"), Wait);

        // The details of the answer stay closed until asked for, and a click opens them.
        Assert.Equal("false", section.Find("[data-admin-answer=publish] [data-answer-details-toggle]").GetAttribute("aria-expanded"));
        section.Find("[data-admin-answer=publish] [data-answer-details-toggle]").Click();
        Assert.Equal("true", section.Find("[data-admin-answer=publish] [data-answer-details-toggle]").GetAttribute("aria-expanded"));
    }

    [Theory]
    [InlineData("publish-cap-tenant", "0", "Must be a positive integer (got 0).")]
    [InlineData("publish-cap-global", "-3", "Must be a positive integer (got -3).")]
    [InlineData("publish-dids", "+15551234567\n12345", "\"12345\" is not an E.164 number: a + and 2 to 15 digits, the first not 0, for example +15551234567.")]
    [InlineData("publish-whisper-url", "stt.example.com/transcribe", "Must be an absolute http(s) URL.")]
    [InlineData("publish-chunk-ms", "ten", "The chunk length in ms must be a whole number (got \"ten\").")]
    [InlineData("publish-language", " ", "Enter a language.")]
    [InlineData("publish-secret-ref", "", "Enter the name of the secret (for example secret://runtime/webhook or an environment variable).")]
    public async Task A_bad_field_shows_its_message_under_it_and_nothing_is_published(string field, string value, string message)
    {
        await using var redis = await RedisServer.StartAsync();
        var admin = AddServices(redis.Url);
        var section = RenderReady(this, ControlPlaneCaller.InstallWide);

        Field(section, field).Change(value);
        section.Find("form[data-form=publish]").Submit();

        Assert.Equal(message, FieldError(section, field));
        Assert.Contains("Nothing was published", section.Find("[data-publish-problem]").TextContent, StringComparison.Ordinal);
        Assert.Empty(section.FindAll("[data-admin-answer=publish]"));
        Assert.Equal(404, (await admin.ReadConfigAsync(ControlPlaneCaller.InstallWide, "tenant-1", false, CancellationToken.None)).StatusCode);
        // What was typed stays, and the other fields show no message.
        Assert.Equal(value, Value(section, field));
        Assert.Null(FieldError(section, "publish-tenant"));

        // Editing the field clears its message.
        Field(section, field).Change(value + "x");
        Assert.Null(FieldError(section, field));
    }

    [Fact]
    public async Task A_400_from_the_endpoint_lands_under_its_field_and_keeps_what_was_typed()
    {
        await using var redis = await RedisServer.StartAsync();
        AddServices(redis.Url);
        var section = RenderReady(this, ControlPlaneCaller.InstallWide);

        // The validator takes any tenant id; the endpoint refuses one that breaks the new-id rule.
        Field(section, "publish-tenant").Change("Acme Corp");
        Field(section, "publish-voice").Change("af_bella");
        section.Find("form[data-form=publish]").Submit();

        section.WaitForAssertion(() => Assert.Equal("400", section.Find("[data-admin-answer=publish]").GetAttribute("data-status")), Wait);
        Assert.Equal($"Must match {Agent.Domain.Sessions.Tenant.NewIdRule}.", FieldError(section, "publish-tenant"));
        Assert.Equal($"Not published. tenantId must match {Agent.Domain.Sessions.Tenant.NewIdRule}.", AnswerSentence(section, "publish"));
        Assert.Equal("Acme Corp", Value(section, "publish-tenant"));
        Assert.Equal("af_bella", Value(section, "publish-voice"));
    }

    [Fact]
    public async Task The_DID_forms_check_the_DID_before_sending_and_answer_in_words()
    {
        await using var redis = await RedisServer.StartAsync();
        AddServices(redis.Url);
        var section = RenderReady(this, ControlPlaneCaller.InstallWide);

        Field(section, "map-did").Change("+0123");
        Field(section, "map-tenant").Change("acme");
        section.Find("form[data-form=map]").Submit();
        Assert.Equal("\"+0123\" is not an E.164 number: a + and 2 to 15 digits, the first not 0, for example +15551234567.", FieldError(section, "map-did"));
        Assert.Empty(section.FindAll("[data-admin-answer=map]"));

        Field(section, "map-did").Change("+1 555 123 4567");
        Field(section, "map-tenant").Change("");
        section.Find("form[data-form=map]").Submit();
        Assert.Null(FieldError(section, "map-did"));
        Assert.Equal("Enter the tenant id to map the DID to.", FieldError(section, "map-tenant"));

        Field(section, "map-tenant").Change("acme");
        section.Find("form[data-form=map]").Submit();
        section.WaitForAssertion(() => Assert.Equal("Mapped +15551234567 to tenant acme.", AnswerSentence(section, "map")), Wait);
        // The buttons stay disabled while the map lists the tenants again; a submit then is not delivered.
        section.WaitForAssertion(() => Assert.False(section.Find("[data-submit=unmap]").HasAttribute("disabled")), Wait);

        section.Find("form[data-form=unmap]").Submit();
        Assert.Equal("Enter a DID, for example +15551234567.", FieldError(section, "unmap-did"));
        Field(section, "unmap-did").Change("+15551234567");
        section.Find("form[data-form=unmap]").Submit();
        section.WaitForAssertion(() => Assert.Equal("Unmapped +15551234567.", AnswerSentence(section, "unmap")), Wait);

        Field(section, "lookup-did").Change("+15551234567");
        section.Find("form[data-form=lookup]").Submit();
        section.WaitForAssertion(() => Assert.Equal("404", section.Find("[data-admin-answer=lookup]").GetAttribute("data-status")), Wait);
        Assert.Equal("That DID is not mapped to a tenant you can see.", AnswerSentence(section, "lookup"));
        Assert.Equal("""{"error":"runtime_did_not_mapped","field":"didE164"}""", AnswerBody(section, "lookup"));
    }

    [Fact]
    public async Task Advanced_shows_the_fields_as_JSON_publishes_it_as_typed_and_keeps_broken_JSON()
    {
        await using var redis = await RedisServer.StartAsync();
        var admin = AddServices(redis.Url);
        var section = RenderReady(this, ControlPlaneCaller.InstallWide);

        Field(section, "publish-cap-tenant").Change("7");
        Field(section, "publish-voice").Change("af_bella");
        section.Find("[data-advanced-toggle]").Click();
        Assert.Equal("json", section.Find("form[data-form=publish]").GetAttribute("data-publish-mode"));
        Assert.Empty(section.FindAll("[data-publish-fields]"));
        var expected = TenantConfigForm.Example("tenant-1");
        expected.MaxConcurrentCallsTenant = "7";
        expected.Voice = "af_bella";
        var json = Value(section, "publish-json");
        Assert.Equal(expected.ToJson(), json);

        // The JSON is sent as typed: the endpoint's 400 lands under the JSON, and nothing typed is lost.
        var bad = json.Replace("\"maxConcurrentCallsTenant\": 7", "\"maxConcurrentCallsTenant\": -1", StringComparison.Ordinal);
        Field(section, "publish-json").Change(bad);
        section.Find("form[data-form=publish]").Submit();
        section.WaitForAssertion(() => Assert.Equal("400", section.Find("[data-admin-answer=publish]").GetAttribute("data-status")), Wait);
        Assert.Equal(
            """{"error":"caps.maxConcurrentCallsTenant must be a positive integer (got -1).","field":"caps.maxConcurrentCallsTenant"}""",
            AnswerBody(section, "publish"));
        Assert.Equal("Not published. caps.maxConcurrentCallsTenant must be a positive integer (got -1).", AnswerSentence(section, "publish"));
        Assert.Equal("caps.maxConcurrentCallsTenant must be a positive integer (got -1).", FieldError(section, "publish-json"));
        Assert.Equal(bad, Value(section, "publish-json"));

        // An inline secret is reachable here only; publishing it works and it is never echoed back.
        var withSecret = json.Replace("\"webhookSecretRef\": \"secret://runtime/webhook\"", "\"webhookSecret\": \"s3cr3t-inline\"", StringComparison.Ordinal);
        Field(section, "publish-json").Change(withSecret);
        section.Find("form[data-form=publish]").Submit();
        section.WaitForAssertion(() => Assert.Equal("200", section.Find("[data-admin-answer=publish]").GetAttribute("data-status")), Wait);
        var stored = (await admin.ReadConfigAsync(ControlPlaneCaller.InstallWide, "tenant-1", false, CancellationToken.None)).Body as RuntimeTenantConfig;
        Assert.Equal(7, stored!.Caps.MaxConcurrentCallsTenant);
        Assert.Equal("af_bella", stored.Tts.Voice);
        Assert.DoesNotContain("s3cr3t-inline", AnswerBody(section, "publish"), StringComparison.Ordinal);

        // Back to the fields: the JSON reads into them, the inline secret is kept without a field of its own.
        section.WaitForAssertion(() => section.Find("[data-tenant=tenant-1]"), Wait);
        section.Find("[data-advanced-toggle]").Click();
        Assert.Equal("fields", section.Find("form[data-form=publish]").GetAttribute("data-publish-mode"));
        Assert.Equal("7", Value(section, "publish-cap-tenant"));
        Assert.Equal("", Value(section, "publish-secret-ref"));
        section.Find("[data-publish-inline-secret]");

        // Broken JSON: switching back says why and stays in Advanced with the text as typed.
        section.Find("[data-advanced-toggle]").Click();
        Assert.Contains("s3cr3t-inline", Value(section, "publish-json"), StringComparison.Ordinal);
        Field(section, "publish-json").Change("{ not json");
        section.Find("[data-advanced-toggle]").Click();
        Assert.Equal("json", section.Find("form[data-form=publish]").GetAttribute("data-publish-mode"));
        Assert.StartsWith("The JSON cannot be shown as fields, so it stays here: The JSON does not parse", FieldError(section, "publish-json"), StringComparison.Ordinal);
        Assert.Equal("{ not json", Value(section, "publish-json"));
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
