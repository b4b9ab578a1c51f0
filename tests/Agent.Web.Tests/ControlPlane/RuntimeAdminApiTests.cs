using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Agent.Domain.ControlPlane;
using Agent.Runtime.ControlPlane;
using Agent.Runtime.Runtime;
using Agent.Web.ControlPlane;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Agent.Web.Tests.ControlPlane;

/// <summary>The admin API against a real redis-server started by the test.</summary>
public sealed class RuntimeAdminApiTests
{
    internal static string Config(string tenantId, string? secret = null, string dids = "\" +1 555 123 4567 \"", int tenantCap = 2, int globalCap = 10)
    {
        var node = JsonNode.Parse($$"""
            {
              "contractVersion": "v1",
              "tenantId": "{{tenantId}}",
              "dids": [{{dids}}],
              "webhookSecretRef": "secret://runtime/webhook",
              "caps": { "maxConcurrentCallsTenant": {{tenantCap}}, "maxCallsPerMinuteTenant": 30, "maxConcurrentCallsGlobal": {{globalCap}} },
              "stt": { "mode": "whisper_http", "whisperUrl": "http://127.0.0.1:9000/transcribe", "chunkMs": 500, "language": "en" },
              "tts": { "mode": "kokoro_http", "kokoroUrl": "http://127.0.0.1:9001/tts", "voice": "default", "format": "wav", "sampleRate": 24000 },
              "audio": { "publicBaseUrl": "https://api.example.com/audio", "storageDir": "/var/lib/agent/audio", "runtimeManaged": true }
            }
            """)!.AsObject();
        if (secret is not null)
        {
            node["webhookSecret"] = secret;
        }

        return node.ToJsonString();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, RuntimeAdminRoutes.Prefix + path) { Content = json is null ? null : Json(json) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task Publish_read_map_lookup_and_unmap_round_trip_through_the_runtime_keys()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = new AdminApp(redis.Url);
        var client = app.Client;

        Assert.Equal((HttpStatusCode.OK, "{\"ok\":true}"), await RawAsync(client, "/health"));

        var (status, stored) = await SendAsync(client, HttpMethod.Post, "/tenants/%20acme%20/config", Config("acme", dids: "\" +1 555 123 4567 \", \"+442071838750\""));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("acme", stored.GetProperty("tenantId").GetString());
        Assert.Equal(["+15551234567", "+442071838750"], stored.GetProperty("dids").EnumerateArray().Select(d => d.GetString()));
        Assert.False(stored.TryGetProperty("webhookSecret", out _), "no secret was published, so none is shown");

        var (readStatus, read) = await SendAsync(client, HttpMethod.Get, "/tenants/acme/config");
        Assert.Equal(HttpStatusCode.OK, readStatus);
        Assert.Equal(stored.GetRawText(), read.GetRawText());

        var (mapStatus, mapped) = await SendAsync(client, HttpMethod.Post, "/dids/map", """{ "didE164": " +44 20 7183 8750 ", "tenantId": " acme " }""");
        Assert.Equal(HttpStatusCode.OK, mapStatus);
        Assert.Equal("""{"didE164":"+442071838750","tenantId":"acme"}""", mapped.GetRawText());

        var (lookupStatus, found) = await SendAsync(client, HttpMethod.Get, "/dids/%2B44%2020%207183%208750");
        Assert.Equal(HttpStatusCode.OK, lookupStatus);
        Assert.Equal("acme", found.GetProperty("tenantId").GetString());

        // The runtime reads these exact keys and values.
        await using (var direct = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}"))
        {
            var db = direct.GetDatabase();
            Assert.Equal("acme", (string?)await db.StringGetAsync("tenantmap:did:+442071838750"));
            var raw = JsonDocument.Parse((string)(await db.StringGetAsync("tenantcfg:acme"))!).RootElement;
            Assert.Equal("v1", raw.GetProperty("contractVersion").GetString());
            Assert.Equal(2, raw.GetProperty("caps").GetProperty("maxConcurrentCallsTenant").GetInt32());
        }

        var (unmapStatus, unmapped) = await SendAsync(client, HttpMethod.Post, "/dids/unmap", """{ "didE164": "+442071838750" }""");
        Assert.Equal(HttpStatusCode.OK, unmapStatus);
        Assert.True(unmapped.GetProperty("removed").GetBoolean());
        Assert.Equal((HttpStatusCode.NotFound, "runtime_did_not_mapped"), await ErrorAsync(client, HttpMethod.Get, "/dids/+442071838750"));
        Assert.Equal((HttpStatusCode.NotFound, "runtime_config_not_found"), await ErrorAsync(client, HttpMethod.Get, "/tenants/nobody/config"));
        Assert.False((await SendAsync(client, HttpMethod.Post, "/dids/unmap", """{ "didE164": "+442071838750" }""")).Body.GetProperty("removed").GetBoolean());
    }

    [Theory]
    [InlineData("POST", "/tenants/acme/config", "{", "body")]
    [InlineData("POST", "/tenants/acme/config", "[]", "body")]
    [InlineData("POST", "/tenants/acme/config", "CONFIG:contractVersion=v2", "contractVersion")]
    [InlineData("POST", "/tenants/acme/config", "CONFIG:tenantId=other", "tenantId")]
    [InlineData("POST", "/tenants/acme/config", "CONFIG:webhookSecretRef=", "webhookSecretRef")]
    [InlineData("POST", "/tenants/acme/config", "CONFIG:dids=5551234567", "dids[0]")]
    [InlineData("POST", "/tenants/acme/config", "CONFIG:cap=-1", "caps.maxConcurrentCallsTenant")]
    [InlineData("POST", "/dids/map", """{ "didE164": "+0123", "tenantId": "acme" }""", "didE164")]
    [InlineData("POST", "/dids/map", """{ "didE164": 15551234567, "tenantId": "acme" }""", "didE164")]
    [InlineData("POST", "/dids/map", """{ "didE164": "+15551234567", "tenantId": 7 }""", "tenantId")]
    [InlineData("POST", "/dids/unmap", """{ "did": "+15551234567" }""", "didE164")]
    [InlineData("GET", "/dids/15551234567", null, "didE164")]
    [InlineData("GET", "/dids/+1555abc", null, "didE164")]
    public async Task A_request_that_breaks_the_contract_is_a_400_naming_the_field(string method, string path, string? body, string field)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = new AdminApp(redis.Url);
        var json = body switch
        {
            "CONFIG:contractVersion=v2" => Config("acme").Replace("\"v1\"", "\"v2\"", StringComparison.Ordinal),
            "CONFIG:tenantId=other" => Config("other"),
            "CONFIG:webhookSecretRef=" => Config("acme").Replace("\"webhookSecretRef\":\"secret://runtime/webhook\",", "", StringComparison.Ordinal),
            "CONFIG:dids=5551234567" => Config("acme", dids: "\"5551234567\""),
            "CONFIG:cap=-1" => Config("acme", tenantCap: -1),
            _ => body,
        };

        var (status, error) = await SendAsync(app.Client, new HttpMethod(method), path, json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("error").GetString()));
        Assert.Equal((HttpStatusCode.NotFound, "runtime_config_not_found"), await ErrorAsync(app.Client, HttpMethod.Get, "/tenants/acme/config"));
    }

    [Fact]
    public async Task Redis_shut_down_mid_test_gives_every_failure_body_then_recovers()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = new AdminApp(redis.Url);
        var client = app.Client;
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, HttpMethod.Post, "/tenants/acme/config", Config("acme"))).Status);

        await redis.StopAsync();

        Assert.Equal((HttpStatusCode.InternalServerError, "runtime_publish_failed"), await ErrorAsync(client, HttpMethod.Post, "/tenants/acme/config", Config("acme")));
        Assert.Equal((HttpStatusCode.InternalServerError, "runtime_config_read_failed"), await ErrorAsync(client, HttpMethod.Get, "/tenants/acme/config"));
        Assert.Equal((HttpStatusCode.InternalServerError, "runtime_map_failed"), await ErrorAsync(client, HttpMethod.Post, "/dids/map", """{ "didE164": "+15551234567", "tenantId": "acme" }"""));
        Assert.Equal((HttpStatusCode.InternalServerError, "runtime_unmap_failed"), await ErrorAsync(client, HttpMethod.Post, "/dids/unmap", """{ "didE164": "+15551234567" }"""));
        Assert.Equal((HttpStatusCode.InternalServerError, "runtime_lookup_failed"), await ErrorAsync(client, HttpMethod.Get, "/dids/+15551234567"));
        var (healthStatus, health) = await SendAsync(client, HttpMethod.Get, "/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, healthStatus);
        Assert.False(health.GetProperty("ok").GetBoolean());
        Assert.False(string.IsNullOrWhiteSpace(health.GetProperty("error").GetString()));
        Assert.Equal(2, health.EnumerateObject().Count());

        // Validation still answers 400 without Redis: the contract is checked before anything is sent.
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(client, HttpMethod.Get, "/dids/12")).Status);

        await redis.RestartAsync();
        await WaitForAsync(async () => (await RawAsync(client, "/health")).Status == HttpStatusCode.OK, "health to answer 200 after Redis came back");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, HttpMethod.Post, "/dids/map", """{ "didE164": "+15551234567", "tenantId": "acme" }""")).Status);
    }

    [Fact]
    public async Task An_unexpected_publisher_exception_gives_the_failure_bodies_and_health_500()
    {
        await using var app = new AdminApp("redis://127.0.0.1:1", services: s => s.AddSingleton<IRuntimePublisher, ThrowingPublisher>());
        var client = app.Client;
        Assert.Equal((HttpStatusCode.InternalServerError, "runtime_publish_failed"), await ErrorAsync(client, HttpMethod.Post, "/tenants/acme/config", Config("acme")));
        Assert.Equal((HttpStatusCode.InternalServerError, "runtime_config_read_failed"), await ErrorAsync(client, HttpMethod.Get, "/tenants/acme/config"));
        Assert.Equal((HttpStatusCode.InternalServerError, "runtime_map_failed"), await ErrorAsync(client, HttpMethod.Post, "/dids/map", """{ "didE164": "+15551234567", "tenantId": "acme" }"""));
        Assert.Equal((HttpStatusCode.InternalServerError, "runtime_unmap_failed"), await ErrorAsync(client, HttpMethod.Post, "/dids/unmap", """{ "didE164": "+15551234567" }"""));
        Assert.Equal((HttpStatusCode.InternalServerError, "runtime_lookup_failed"), await ErrorAsync(client, HttpMethod.Get, "/dids/+15551234567"));
        Assert.Equal((HttpStatusCode.InternalServerError, "{\"error\":\"runtime_health_failed\"}"), await RawAsync(client, "/health"));
    }

    [Theory]
    [InlineData(false, AdminApp.Token)]
    [InlineData(true, null)]
    public async Task Admin_disabled_answers_503_on_every_endpoint(bool enable, string? token)
    {
        await using var app = new AdminApp("redis://127.0.0.1:1", enable, token);
        foreach (var (method, path) in EveryEndpoint)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), RuntimeAdminRoutes.Prefix + path) { Content = method == "POST" ? Json("{}") : null };
            request.Headers.Authorization = new("Bearer", AdminApp.Token);
            using var response = await app.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("{\"error\":\"runtime_admin_disabled\"}", await response.Content.ReadAsStringAsync());
        }

        if (enable)
        {
            Assert.Contains("Runtime admin API is disabled: ENABLE_RUNTIME_ADMIN is true but RUNTIME_ADMIN_TOKEN is not set", app.Logs.Text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token")]
    [InlineData("Basic dGVzdC1hZG1pbi10b2tlbi1ub3QtcmVhbA==")]
    [InlineData(AdminApp.Token)]
    [InlineData("Bearer " + AdminApp.Token + "x")]
    public async Task A_missing_or_wrong_token_is_401_on_every_endpoint(string? authorization)
    {
        await using var app = new AdminApp("redis://127.0.0.1:1");
        using var client = app.NewClientWithoutToken();
        foreach (var (method, path) in EveryEndpoint)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), RuntimeAdminRoutes.Prefix + path) { Content = method == "POST" ? Json("{}") : null };
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("{\"error\":\"unauthorized\"}", await response.Content.ReadAsStringAsync());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_webhook_secret_is_redacted_unless_secret_read_is_allowed_and_asked_for_and_never_logged(bool allowSecretRead)
    {
        var secret = "test-secret-not-real-" + Guid.NewGuid().ToString("N");
        var tenant = "secret-tenant-" + Guid.NewGuid().ToString("N")[..8];
        await using var redis = await RedisServer.StartAsync();
        string captured;
        await using (var app = new AdminApp(redis.Url, allowSecretRead: allowSecretRead))
        {
            var client = app.Client;
            var (status, published) = await SendAsync(client, HttpMethod.Post, $"/tenants/{tenant}/config?includeSecrets=1", Config(tenant, secret));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(allowSecretRead ? secret : "REDACTED", published.GetProperty("webhookSecret").GetString());
            Assert.Equal("REDACTED", (await SendAsync(client, HttpMethod.Get, $"/tenants/{tenant}/config")).Body.GetProperty("webhookSecret").GetString());
            Assert.Equal("REDACTED", (await SendAsync(client, HttpMethod.Get, $"/tenants/{tenant}/config?includeSecrets=0")).Body.GetProperty("webhookSecret").GetString());
            Assert.Equal(allowSecretRead ? secret : "REDACTED",
                (await SendAsync(client, HttpMethod.Get, $"/tenants/{tenant}/config?includeSecrets=1")).Body.GetProperty("webhookSecret").GetString());

            // A refused config and a Redis failure are logged too: neither may carry the secret.
            Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(client, HttpMethod.Post, $"/tenants/{tenant}/config", Config(tenant, secret).Replace("\"v1\"", "\"v2\"", StringComparison.Ordinal))).Status);
            await redis.StopAsync();
            Assert.Equal((HttpStatusCode.InternalServerError, "runtime_publish_failed"), await ErrorAsync(client, HttpMethod.Post, $"/tenants/{tenant}/config", Config(tenant, secret)));
            captured = app.Logs.Text;
        }

        Assert.Contains($"Published runtime config for tenant {tenant}", captured, StringComparison.Ordinal);
        Assert.Contains("runtime_publish_failed", captured, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, captured, StringComparison.Ordinal);
        var logFiles = Directory.Exists(Path.Combine(RepoPaths.Root, "logs")) ? Directory.GetFiles(Path.Combine(RepoPaths.Root, "logs")) : [];
        Assert.NotEmpty(logFiles);
        var fileText = string.Concat(logFiles.Select(ReadShared));
        Assert.Contains($"Published runtime config for tenant {tenant}", fileText, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, fileText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Published_caps_feed_admission_and_fall_back_to_Agent_Caps()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = new AdminApp(redis.Url);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app.Client, HttpMethod.Post, "/tenants/capped/config", Config("capped", tenantCap: 3, globalCap: 1))).Status);
        var admission = app.Services.GetRequiredService<ExecutionAdmission>();

        using (await admission.AcquireAsync("capped", _ => Task.CompletedTask, CancellationToken.None))
        {
            var queued = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var cancel = new CancellationTokenSource();
            var second = admission.AcquireAsync("capped", r => { queued.TrySetResult(r); return Task.CompletedTask; }, cancel.Token);
            var reason = await queued.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains("is running 1 executions", reason, StringComparison.Ordinal);
            Assert.Contains("from tenantcfg:capped", reason, StringComparison.Ordinal);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        }

        // An unpublished tenant gets Agent:Caps (4 concurrent by default): a second start does not queue.
        using var a = await admission.AcquireAsync("unpublished", _ => throw new InvalidOperationException("should not queue"), CancellationToken.None);
        using var b = await admission.AcquireAsync("unpublished", _ => throw new InvalidOperationException("should not queue"), CancellationToken.None);
        Assert.Equal(TenantCaps.ConfiguredSource, (await app.Services.GetRequiredService<ITenantCapsSource>().GetCapsAsync("unpublished", CancellationToken.None)).Source);
    }

    [Fact]
    public async Task Without_REDIS_URL_admission_uses_Agent_Caps_and_admin_is_disabled()
    {
        await using var app = new AdminApp(redisUrl: null, enable: false);
        Assert.IsType<ConfiguredTenantCaps>(app.Services.GetRequiredService<ITenantCapsSource>());
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "{\"error\":\"runtime_admin_disabled\"}"), await RawAsync(app.Client, "/health"));
    }

    private static readonly (string Method, string Path)[] EveryEndpoint =
    [
        ("POST", "/tenants/acme/config"), ("GET", "/tenants/acme/config"), ("POST", "/dids/map"), ("POST", "/dids/unmap"), ("GET", "/dids/+15551234567"), ("GET", "/health"),
    ];

    private static async Task<(HttpStatusCode Status, string Error)> ErrorAsync(HttpClient client, HttpMethod method, string path, string? json = null)
    {
        var (status, body) = await SendAsync(client, method, path, json);
        return (status, body.GetProperty("error").GetString()!);
    }

    private static async Task<(HttpStatusCode Status, string Body)> RawAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(RuntimeAdminRoutes.Prefix + path, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"Waited 60 s for {what}.");
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }

    private sealed class ThrowingPublisher : IRuntimePublisher
    {
        public Task PublishAsync(RuntimeTenantConfig config, CancellationToken cancellationToken) => throw new InvalidOperationException("boom");

        public Task<RuntimeTenantConfig?> GetConfigAsync(string tenantId, CancellationToken cancellationToken) => throw new InvalidOperationException("boom");

        public Task MapDidAsync(DidMapping mapping, CancellationToken cancellationToken) => throw new InvalidOperationException("boom");

        public Task<bool> UnmapDidAsync(string didE164, CancellationToken cancellationToken) => throw new InvalidOperationException("boom");

        public Task<string?> LookupDidAsync(string didE164, CancellationToken cancellationToken) => throw new InvalidOperationException("boom");

        public Task<string?> MapDidUnlessHeldAsync(DidMapping mapping, CancellationToken cancellationToken) => throw new InvalidOperationException("boom");

        public Task<string?> UnmapDidHeldByAsync(string didE164, string tenantId, CancellationToken cancellationToken) => throw new InvalidOperationException("boom");

        public Task<bool> ConfigExistsAsync(string tenantId, CancellationToken cancellationToken) => throw new InvalidOperationException("boom");

        public Task PingAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("boom");
    }
}
