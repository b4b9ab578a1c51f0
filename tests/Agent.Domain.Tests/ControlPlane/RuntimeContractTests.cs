using System.Text.Json;
using System.Text.Json.Nodes;
using Agent.Domain.ControlPlane;

namespace Agent.Domain.Tests.ControlPlane;

public sealed class RuntimeContractTests
{
    private const string FakeSecret = "test-secret-not-real";

    public static JsonObject GoodConfig() => JsonNode.Parse("""
        {
          "contractVersion": "v1",
          "tenantId": "acme",
          "dids": [" +1 555 123 4567 ", "+442071838750"],
          "webhookSecretRef": "secret://runtime/webhook",
          "caps": { "maxConcurrentCallsTenant": 2, "maxCallsPerMinuteTenant": 30, "maxConcurrentCallsGlobal": 10 },
          "stt": { "mode": "whisper_http", "whisperUrl": "http://127.0.0.1:9000/transcribe", "chunkMs": 500, "language": "en" },
          "tts": { "mode": "kokoro_http", "kokoroUrl": "http://127.0.0.1:9001/tts", "voice": "default", "format": "wav", "sampleRate": 24000 },
          "audio": { "publicBaseUrl": "https://api.example.com/audio", "storageDir": "/var/lib/agent/audio", "runtimeManaged": true }
        }
        """)!.AsObject();

    private static RuntimeParseResult<RuntimeTenantConfig> Parse(JsonNode node, string route = "acme") =>
        RuntimeTenantConfigValidator.Parse(JsonSerializer.SerializeToElement(node), route);

    [Theory]
    [InlineData("+15551234567", "+15551234567")]
    [InlineData("  +15551234567\t", "+15551234567")]
    [InlineData("+1 555 123 4567", "+15551234567")]
    [InlineData("+44 20\u00A07183 8750", "+442071838750")]
    [InlineData("+12", "+12")]
    [InlineData("+123456789012345", "+123456789012345")]
    public void Good_dids_are_normalized(string raw, string expected) => Assert.Equal(expected, RuntimeContract.TryNormalizeDid(raw));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("15551234567")]
    [InlineData("+05551234567")]
    [InlineData("+1")]
    [InlineData("+1234567890123456")]
    [InlineData("+1-555-123-4567")]
    [InlineData("+1(555)1234567")]
    [InlineData("++15551234567")]
    [InlineData("+1555abc4567")]
    [InlineData("+١٥٥٥١٢٣٤٥٦٧")]
    [InlineData("+15551234567\nx")]
    public void Bad_dids_are_refused(string raw) => Assert.Null(RuntimeContract.TryNormalizeDid(raw));

    [Fact]
    public void Keys_use_the_hard_coded_prefixes()
    {
        Assert.Equal("tenantmap:did:+15551234567", RuntimeContract.DidKey("+15551234567"));
        Assert.Equal("tenantcfg:acme", RuntimeContract.TenantConfigKey("acme"));
    }

    [Fact]
    public void A_good_config_is_read_with_every_did_normalized_and_duplicates_dropped()
    {
        var node = GoodConfig();
        node["dids"]!.AsArray().Add("+1 5551234567");
        node["unknown"] = "dropped";
        var result = Parse(node, "  acme ");
        Assert.Null(result.Error);
        var config = result.Value!;
        Assert.Equal("acme", config.TenantId);
        Assert.Equal(["+15551234567", "+442071838750"], config.Dids);
        Assert.Null(config.WebhookSecret);
        Assert.Equal(new RuntimeCaps(2, 30, 10), config.Caps);
        Assert.DoesNotContain("unknown", JsonSerializer.Serialize(config, RuntimeContract.Json), StringComparison.Ordinal);
        Assert.DoesNotContain("webhookSecret\"", JsonSerializer.Serialize(config, RuntimeContract.Json), StringComparison.Ordinal);
    }

    [Fact]
    public void The_route_tenant_wins_and_a_missing_body_tenant_is_filled_in()
    {
        var node = GoodConfig();
        node.Remove("tenantId");
        Assert.Equal("acme", Parse(node).Value!.TenantId);
    }

    public static TheoryData<string, Action<JsonObject>> BadConfigs() => new()
    {
        { "contractVersion", n => n["contractVersion"] = "v2" },
        { "contractVersion", n => n.Remove("contractVersion") },
        { "contractVersion", n => n["contractVersion"] = 1 },
        { "tenantId", n => n["tenantId"] = "other" },
        { "tenantId", n => n["tenantId"] = 42 },
        { "webhookSecretRef", n => n.Remove("webhookSecretRef") },
        { "webhookSecretRef", n => { n["webhookSecretRef"] = " "; n["webhookSecret"] = ""; } },
        { "webhookSecret", n => n["webhookSecret"] = 123 },
        { "dids", n => n.Remove("dids") },
        { "dids", n => n["dids"] = "+15551234567" },
        { "dids[1]", n => n["dids"]!.AsArray()[1] = "5551234567" },
        { "dids[0]", n => n["dids"]!.AsArray()[0] = 15551234567 },
        { "caps", n => n.Remove("caps") },
        { "caps.maxConcurrentCallsTenant", n => n["caps"]!["maxConcurrentCallsTenant"] = -1 },
        { "caps.maxCallsPerMinuteTenant", n => n["caps"]!["maxCallsPerMinuteTenant"] = 0 },
        { "caps.maxConcurrentCallsGlobal", n => n["caps"]!["maxConcurrentCallsGlobal"] = "200" },
        { "caps.maxConcurrentCallsGlobal", n => n["caps"]!["maxConcurrentCallsGlobal"] = 2.5 },
        { "stt.mode", n => n["stt"]!["mode"] = "whisper_grpc" },
        { "stt.whisperUrl", n => n["stt"]!["whisperUrl"] = "not a url" },
        { "stt.chunkMs", n => n["stt"]!["chunkMs"] = true },
        { "stt.language", n => n["stt"]!["language"] = "" },
        { "stt", n => n["stt"] = JsonValue.Create("whisper_http") },
        { "tts.mode", n => n["tts"]!["mode"] = "piper" },
        { "tts.kokoroUrl", n => n["tts"]!["kokoroUrl"] = "ftp://tts.example.com" },
        { "tts.sampleRate", n => n["tts"]!["sampleRate"] = -24000 },
        { "tts.voice", n => n["tts"]!["voice"] = null },
        { "audio.runtimeManaged", n => n["audio"]!["runtimeManaged"] = "true" },
        { "audio.publicBaseUrl", n => ((JsonObject)n["audio"]!).Remove("publicBaseUrl") },
        { "audio.storageDir", n => n["audio"]!["storageDir"] = 7 },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void A_bad_config_is_refused_naming_the_field(string field, Action<JsonObject> breakIt)
    {
        ArgumentNullException.ThrowIfNull(breakIt);
        var node = GoodConfig();
        breakIt(node);
        var result = Parse(node);
        Assert.Null(result.Value);
        Assert.Equal(field, result.Error!.Field);
        Assert.False(string.IsNullOrWhiteSpace(result.Error.Error));
    }

    [Fact]
    public void A_body_that_is_not_an_object_is_refused()
    {
        Assert.Equal("body", RuntimeTenantConfigValidator.Parse(JsonSerializer.SerializeToElement(new[] { 1 }), "acme").Error!.Field);
        Assert.Equal("tenantId", Parse(GoodConfig(), "   ").Error!.Field);
    }

    [Fact]
    public void Redaction_and_ToString_never_show_the_secret()
    {
        var node = GoodConfig();
        node["webhookSecret"] = FakeSecret;
        var config = Parse(node).Value!;
        Assert.Equal(FakeSecret, config.WebhookSecret);
        Assert.Equal(RuntimeContract.RedactedValue, config.Redacted().WebhookSecret);
        Assert.DoesNotContain(FakeSecret, config.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(FakeSecret, JsonSerializer.Serialize(config.Redacted(), RuntimeContract.Json), StringComparison.Ordinal);
        Assert.Contains("\"+15551234567\"", JsonSerializer.Serialize(config, RuntimeContract.Json), StringComparison.Ordinal);
    }

    [Fact]
    public void Did_requests_are_read_strictly()
    {
        static JsonElement J(string json) => JsonDocument.Parse(json).RootElement;
        Assert.Equal(new DidMapping("+15551234567", "acme"), RuntimeDidRequests.ParseMap(J("""{ "didE164": " +1 555 123 4567", "tenantId": " acme " }""")).Value);
        Assert.Equal("didE164", RuntimeDidRequests.ParseMap(J("""{ "didE164": 15551234567, "tenantId": "acme" }""")).Error!.Field);
        Assert.Equal("didE164", RuntimeDidRequests.ParseMap(J("""{ "didE164": "555", "tenantId": "acme" }""")).Error!.Field);
        Assert.Equal("tenantId", RuntimeDidRequests.ParseMap(J("""{ "didE164": "+15551234567", "tenantId": " " }""")).Error!.Field);
        Assert.Equal("body", RuntimeDidRequests.ParseMap(J("[]")).Error!.Field);
        Assert.Equal("+15551234567", RuntimeDidRequests.ParseUnmap(J("""{ "didE164": "+1555 1234567" }""")).Value);
        Assert.Equal("didE164", RuntimeDidRequests.ParseUnmap(J("""{ }""")).Error!.Field);
    }
}
