using System.Text.Json;
using Agent.Domain.ControlPlane;
using Agent.Web.ControlPlane;

namespace Agent.Web.Tests.ControlPlane;

public sealed class TenantConfigFormTests
{
    private static readonly RuntimeTenantConfig Config = RuntimeContractReport.Sample with
    {
        TenantId = "acme",
        Dids = ["+15551234567", "+442079460000"],
        WebhookSecret = null,
    };

    private static string Json(RuntimeTenantConfig config) => JsonSerializer.Serialize(config, RuntimeContract.Json);

    [Fact]
    public void A_config_read_into_the_fields_validates_back_to_the_same_config()
    {
        var form = TenantConfigForm.FromConfig(Config);

        Assert.Equal("+15551234567\n+442079460000", form.Dids);
        Assert.Equal("10", form.MaxConcurrentCallsTenant);
        var back = form.Validate();
        Assert.Null(back.Error);
        Assert.Equal(Json(Config), Json(back.Value!));
        Assert.Empty(form.CheckFields());
    }

    [Fact]
    public void An_inline_secret_survives_the_fields_and_the_JSON_without_a_field_of_its_own()
    {
        var config = Config with { WebhookSecretRef = null, WebhookSecret = "s3cr3t" };
        var form = TenantConfigForm.FromConfig(config);

        Assert.Equal("", form.WebhookSecretRef);
        Assert.Equal(Json(config), Json(form.Validate().Value!));
        Assert.True(TenantConfigForm.TryParseJson(form.ToJson(), out var again, out var error), error);
        Assert.Equal(form.ToJson(), again.ToJson());
        Assert.Equal("s3cr3t", again.InlineWebhookSecret);
    }

    [Fact]
    public void The_example_is_the_services_example_for_the_tenant()
    {
        var form = TenantConfigForm.Example("tenant-7");

        Assert.Equal("tenant-7", form.TenantId);
        Assert.Equal(RuntimeAdminService.ExampleConfigJson("tenant-7"), form.ToJson());
    }

    [Fact]
    public void DIDs_are_split_on_lines_commas_and_semicolons()
    {
        var form = TenantConfigForm.FromConfig(Config);
        form.Dids = " +1 555 123 4567 ,\n\n+44 20 7946 0000; +15551234567 ";

        Assert.Equal(["+1 555 123 4567", "+44 20 7946 0000", "+15551234567"], form.DidList);
        Assert.Equal(["+15551234567", "+442079460000"], form.Validate().Value!.Dids);
    }

    [Fact]
    public void Values_the_contract_refuses_keep_their_text_through_the_JSON()
    {
        var form = TenantConfigForm.FromConfig(Config);
        form.MaxConcurrentCallsTenant = "0";
        form.ChunkMs = "ten";
        form.WhisperUrl = "not a url";

        Assert.True(TenantConfigForm.TryParseJson(form.ToJson(), out var again, out _));
        Assert.Equal("0", again.MaxConcurrentCallsTenant);
        Assert.Equal("ten", again.ChunkMs);
        Assert.Equal("not a url", again.WhisperUrl);
        Assert.Equal("The chunk length in ms must be a whole number (got \"ten\").", again.CheckFields()[nameof(TenantConfigForm.ChunkMs)]);
    }

    [Theory]
    [InlineData("tenantId", nameof(TenantConfigForm.TenantId))]
    [InlineData("dids", nameof(TenantConfigForm.Dids))]
    [InlineData("dids[3]", nameof(TenantConfigForm.Dids))]
    [InlineData("webhookSecretRef", nameof(TenantConfigForm.WebhookSecretRef))]
    [InlineData("caps.maxConcurrentCallsTenant", nameof(TenantConfigForm.MaxConcurrentCallsTenant))]
    [InlineData("caps.maxCallsPerMinuteTenant", nameof(TenantConfigForm.MaxCallsPerMinuteTenant))]
    [InlineData("caps.maxConcurrentCallsGlobal", nameof(TenantConfigForm.MaxConcurrentCallsGlobal))]
    [InlineData("stt.mode", nameof(TenantConfigForm.SttMode))]
    [InlineData("stt.whisperUrl", nameof(TenantConfigForm.WhisperUrl))]
    [InlineData("stt.chunkMs", nameof(TenantConfigForm.ChunkMs))]
    [InlineData("stt.language", nameof(TenantConfigForm.Language))]
    [InlineData("tts.mode", nameof(TenantConfigForm.TtsMode))]
    [InlineData("tts.kokoroUrl", nameof(TenantConfigForm.KokoroUrl))]
    [InlineData("tts.voice", nameof(TenantConfigForm.Voice))]
    [InlineData("tts.format", nameof(TenantConfigForm.Format))]
    [InlineData("tts.sampleRate", nameof(TenantConfigForm.SampleRate))]
    [InlineData("audio.publicBaseUrl", nameof(TenantConfigForm.PublicBaseUrl))]
    [InlineData("audio.storageDir", nameof(TenantConfigForm.StorageDir))]
    [InlineData("audio.runtimeManaged", nameof(TenantConfigForm.RuntimeManaged))]
    [InlineData("body", null)]
    [InlineData("contractVersion", null)]
    [InlineData("caps", null)]
    public void Every_contract_path_maps_to_the_field_that_holds_it(string path, string? property) =>
        Assert.Equal(property, TenantConfigForm.PropertyFor(path));

    [Fact]
    public void Every_validator_error_of_a_field_maps_to_a_form_property()
    {
        // Each field broken alone: the validator's path always names a property of the form.
        var breakers = new Dictionary<string, Action<TenantConfigForm>>
        {
            [nameof(TenantConfigForm.Dids)] = f => f.Dids = "+15551234567\n12345",
            [nameof(TenantConfigForm.MaxCallsPerMinuteTenant)] = f => f.MaxCallsPerMinuteTenant = "0",
            [nameof(TenantConfigForm.SttMode)] = f => f.SttMode = "local",
            [nameof(TenantConfigForm.KokoroUrl)] = f => f.KokoroUrl = "ftp://tts.example.com",
            [nameof(TenantConfigForm.SampleRate)] = f => f.SampleRate = "-1",
            [nameof(TenantConfigForm.StorageDir)] = f => f.StorageDir = "",
        };
        foreach (var (property, breakIt) in breakers)
        {
            var form = TenantConfigForm.FromConfig(Config);
            breakIt(form);
            var error = form.Validate().Error;
            Assert.NotNull(error);
            Assert.Equal(property, TenantConfigForm.PropertyFor(error.Field));
        }
    }

    [Fact]
    public void A_DID_error_names_the_DID_as_typed()
    {
        var form = TenantConfigForm.FromConfig(Config);
        form.Dids = "+15551234567, 0800 123";

        var error = form.Validate().Error!;

        Assert.Equal("dids[1]", error.Field);
        Assert.Equal("\"0800 123\" is not an E.164 number: a + and 2 to 15 digits, the first not 0, for example +15551234567.", form.MessageFor(error));
    }

    [Theory]
    [InlineData("{ not json", "The JSON does not parse")]
    [InlineData("[1, 2]", "The JSON must be an object (a RuntimeTenantConfig v1).")]
    [InlineData("""{ "caps": 3 }""", "caps must be an object to show it in the form.")]
    [InlineData("""{ "dids": "+15551234567" }""", "dids must be a list to show it in the form.")]
    [InlineData("""{ "audio": { "runtimeManaged": "yes" } }""", "audio.runtimeManaged must be true or false to show it in the form.")]
    [InlineData("""{ "stt": { "language": { "code": "en" } } }""", "language must be a string or a number to show it in the form.")]
    public void JSON_that_fields_cannot_show_is_refused_with_a_reason(string json, string reason)
    {
        Assert.False(TenantConfigForm.TryParseJson(json, out _, out var error));
        Assert.StartsWith(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Blank_and_non_numeric_fields_are_caught_before_the_validator()
    {
        var form = new TenantConfigForm { TenantId = "acme", MaxConcurrentCallsTenant = "12a" };

        var errors = form.CheckFields();

        Assert.Equal("The tenant's concurrent calls must be a whole number (got \"12a\").", errors[nameof(TenantConfigForm.MaxConcurrentCallsTenant)]);
        Assert.Equal("Enter the Whisper URL.", errors[nameof(TenantConfigForm.WhisperUrl)]);
        Assert.False(errors.ContainsKey(nameof(TenantConfigForm.TenantId)));
        Assert.False(errors.ContainsKey(nameof(TenantConfigForm.Dids)));
    }

    [Fact]
    public void Under_a_field_a_contract_message_drops_the_path_the_label_already_gives()
    {
        var form = new TenantConfigForm();
        Assert.Equal("Must be an absolute http(s) URL.", form.MessageFor(new RuntimeContractError("stt.whisperUrl must be an absolute http(s) URL.", "stt.whisperUrl")));
        Assert.Equal("Required, and must be an integer.", form.MessageFor(new RuntimeContractError("stt.chunkMs is required and must be an integer.", "stt.chunkMs")));
        Assert.Equal("tenantId in the route is empty.", form.MessageFor(new RuntimeContractError("tenantId in the route is empty.", "tenantId")));

        // Where no field holds it, the path stays, once.
        Assert.Equal("caps.maxConcurrentCallsTenant must be a positive integer (got 0).", TenantConfigForm.Describe(new RuntimeContractError("caps.maxConcurrentCallsTenant must be a positive integer (got 0).", "caps.maxConcurrentCallsTenant")));
        Assert.Equal("body: The body must be a JSON object (a RuntimeTenantConfig v1).", TenantConfigForm.Describe(new RuntimeContractError("The body must be a JSON object (a RuntimeTenantConfig v1).", "body")));
    }
}
