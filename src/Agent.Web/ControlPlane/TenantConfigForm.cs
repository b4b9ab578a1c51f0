using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Agent.Domain.ControlPlane;

namespace Agent.Web.ControlPlane;

/// <summary>
/// The fields of the Settings page's "Publish a tenant config" form, for a <see cref="RuntimeTenantConfig"/> v1.
/// Every field is the text as typed, so a value the contract refuses (caps "0", a DID without "+", "ten") survives a
/// round trip to the Advanced JSON and back, and reaches <see cref="RuntimeTenantConfigValidator"/> unchanged: the form
/// is checked by the same code the admin endpoint runs, and each error lands on the field its path names.
/// </summary>
public sealed class TenantConfigForm
{
    private static readonly char[] DidSeparators = [',', ';', '\n', '\r'];

    public string TenantId { get; set; } = "";

    /// <summary>E.164 numbers, one per line or separated by commas.</summary>
    public string Dids { get; set; } = "";

    public string WebhookSecretRef { get; set; } = "";

    /// <summary>
    /// The contract's inline secret. The form never shows a field for it (a secret typed into a page lands in screenshots
    /// and browser autofill); it is set only from the Advanced JSON and carried along so switching back does not drop it.
    /// </summary>
    public string? InlineWebhookSecret { get; set; }

    public string MaxConcurrentCallsTenant { get; set; } = "";

    public string MaxCallsPerMinuteTenant { get; set; } = "";

    public string MaxConcurrentCallsGlobal { get; set; } = "";

    public string SttMode { get; set; } = RuntimeContract.SttMode;

    public string WhisperUrl { get; set; } = "";

    public string ChunkMs { get; set; } = "";

    public string Language { get; set; } = "";

    public string TtsMode { get; set; } = RuntimeContract.TtsMode;

    public string KokoroUrl { get; set; } = "";

    public string Voice { get; set; } = "";

    public string Format { get; set; } = "";

    public string SampleRate { get; set; } = "";

    public string PublicBaseUrl { get; set; } = "";

    public string StorageDir { get; set; } = "";

    public bool RuntimeManaged { get; set; }

    /// <summary>The DIDs as listed: split on new lines, commas and semicolons, trimmed, blanks dropped.</summary>
    public IReadOnlyList<string> DidList =>
        Dids.Split(DidSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static TenantConfigForm FromConfig(RuntimeTenantConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new TenantConfigForm
        {
            TenantId = config.TenantId,
            Dids = string.Join('\n', config.Dids),
            WebhookSecretRef = config.WebhookSecretRef ?? "",
            InlineWebhookSecret = config.WebhookSecret,
            MaxConcurrentCallsTenant = Number(config.Caps.MaxConcurrentCallsTenant),
            MaxCallsPerMinuteTenant = Number(config.Caps.MaxCallsPerMinuteTenant),
            MaxConcurrentCallsGlobal = Number(config.Caps.MaxConcurrentCallsGlobal),
            SttMode = config.Stt.Mode,
            WhisperUrl = config.Stt.WhisperUrl,
            ChunkMs = Number(config.Stt.ChunkMs),
            Language = config.Stt.Language,
            TtsMode = config.Tts.Mode,
            KokoroUrl = config.Tts.KokoroUrl,
            Voice = config.Tts.Voice,
            Format = config.Tts.Format,
            SampleRate = Number(config.Tts.SampleRate),
            PublicBaseUrl = config.Audio.PublicBaseUrl,
            StorageDir = config.Audio.StorageDir,
            RuntimeManaged = config.Audio.RuntimeManaged,
        };
    }

    /// <summary>The prefilled example for a tenant not yet published: <see cref="RuntimeAdminService.ExampleConfigJson"/>.</summary>
    public static TenantConfigForm Example(string tenantId) => TryParseJson(RuntimeAdminService.ExampleConfigJson(tenantId), out var form, out _)
        ? form
        : throw new InvalidOperationException("The example config does not read back into the form.");

    /// <summary>
    /// Reads Advanced JSON into the fields without judging the values (that is the validator's job on publish): only
    /// what cannot be shown in a field is refused, with a sentence saying which part.
    /// </summary>
    public static bool TryParseJson(string json, out TenantConfigForm form, out string? error)
    {
        form = new TenantConfigForm();
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json ?? "");
        }
        catch (JsonException ex)
        {
            error = $"The JSON does not parse: {ex.Message}";
            return false;
        }

        if (root is not JsonObject body)
        {
            error = "The JSON must be an object (a RuntimeTenantConfig v1).";
            return false;
        }

        try
        {
            var caps = Section(body, "caps");
            var stt = Section(body, "stt");
            var tts = Section(body, "tts");
            var audio = Section(body, "audio");
            form.TenantId = Text(body, "tenantId");
            form.Dids = body["dids"] switch
            {
                null => "",
                JsonArray items => string.Join('\n', items.Select(i => i is JsonValue v && v.TryGetValue<string>(out var s) ? s : i?.ToJsonString() ?? "null")),
                _ => throw new FormatException("dids must be a list to show it in the form."),
            };
            form.WebhookSecretRef = Text(body, "webhookSecretRef");
            form.InlineWebhookSecret = body["webhookSecret"] is null ? null : Text(body, "webhookSecret");
            form.MaxConcurrentCallsTenant = Text(caps, "maxConcurrentCallsTenant");
            form.MaxCallsPerMinuteTenant = Text(caps, "maxCallsPerMinuteTenant");
            form.MaxConcurrentCallsGlobal = Text(caps, "maxConcurrentCallsGlobal");
            form.SttMode = Text(stt, "mode");
            form.WhisperUrl = Text(stt, "whisperUrl");
            form.ChunkMs = Text(stt, "chunkMs");
            form.Language = Text(stt, "language");
            form.TtsMode = Text(tts, "mode");
            form.KokoroUrl = Text(tts, "kokoroUrl");
            form.Voice = Text(tts, "voice");
            form.Format = Text(tts, "format");
            form.SampleRate = Text(tts, "sampleRate");
            form.PublicBaseUrl = Text(audio, "publicBaseUrl");
            form.StorageDir = Text(audio, "storageDir");
            form.RuntimeManaged = audio["runtimeManaged"] switch
            {
                null => false,
                JsonValue v when v.TryGetValue<bool>(out var b) => b,
                _ => throw new FormatException("audio.runtimeManaged must be true or false to show it in the form."),
            };
        }
        catch (FormatException ex)
        {
            error = ex.Message;
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>The config as the request body: numbers that parse are written as numbers, anything else as typed.</summary>
    public JsonObject ToJsonObject()
    {
        var body = new JsonObject
        {
            ["contractVersion"] = RuntimeContract.Version,
            ["tenantId"] = TenantId.Trim(),
            ["dids"] = new JsonArray([.. DidList.Select(d => JsonValue.Create(d))]),
            ["webhookSecretRef"] = Blank(WebhookSecretRef) ? null : WebhookSecretRef.Trim(),
            ["webhookSecret"] = InlineWebhookSecret,
            ["caps"] = new JsonObject
            {
                ["maxConcurrentCallsTenant"] = NumberNode(MaxConcurrentCallsTenant),
                ["maxCallsPerMinuteTenant"] = NumberNode(MaxCallsPerMinuteTenant),
                ["maxConcurrentCallsGlobal"] = NumberNode(MaxConcurrentCallsGlobal),
            },
            ["stt"] = new JsonObject
            {
                ["mode"] = SttMode,
                ["whisperUrl"] = WhisperUrl.Trim(),
                ["chunkMs"] = NumberNode(ChunkMs),
                ["language"] = Language.Trim(),
            },
            ["tts"] = new JsonObject
            {
                ["mode"] = TtsMode,
                ["kokoroUrl"] = KokoroUrl.Trim(),
                ["voice"] = Voice.Trim(),
                ["format"] = Format.Trim(),
                ["sampleRate"] = NumberNode(SampleRate),
            },
            ["audio"] = new JsonObject
            {
                ["publicBaseUrl"] = PublicBaseUrl.Trim(),
                ["storageDir"] = StorageDir.Trim(),
                ["runtimeManaged"] = RuntimeManaged,
            },
        };
        if (InlineWebhookSecret is null)
        {
            body.Remove("webhookSecret");
        }

        if (body["webhookSecretRef"] is null)
        {
            body.Remove("webhookSecretRef");
        }

        return body;
    }

    /// <summary>The JSON the Advanced editor starts from: indented, the same shape as the example.</summary>
    public string ToJson() => ToJsonObject().ToJsonString(RuntimeContract.IndentedJson).Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>Exactly the check the admin endpoint runs on this body for this tenant id: the config, or its first error.</summary>
    public RuntimeParseResult<RuntimeTenantConfig> Validate() =>
        RuntimeTenantConfigValidator.Parse(JsonSerializer.SerializeToElement(ToJsonObject(), RuntimeContract.Json), TenantId);

    /// <summary>Blank required fields and numbers that are not whole numbers, by property name, before anything is sent.</summary>
    public Dictionary<string, string> CheckFields()
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        void Required(string property, string value, string label)
        {
            if (Blank(value))
            {
                errors[property] = $"Enter {label}.";
            }
        }

        void WholeNumber(string property, string value, string label)
        {
            if (Blank(value))
            {
                errors[property] = $"Enter {label}.";
            }
            else if (!long.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            {
                errors[property] = $"{Capitalized(label)} must be a whole number (got \"{value.Trim()}\").";
            }
        }

        Required(nameof(TenantId), TenantId, "a tenant id");
        if (Blank(WebhookSecretRef) && InlineWebhookSecret is null)
        {
            errors[nameof(WebhookSecretRef)] = "Enter the name of the secret (for example secret://runtime/webhook or an environment variable).";
        }

        WholeNumber(nameof(MaxConcurrentCallsTenant), MaxConcurrentCallsTenant, "the tenant's concurrent calls");
        WholeNumber(nameof(MaxCallsPerMinuteTenant), MaxCallsPerMinuteTenant, "the tenant's calls per minute");
        WholeNumber(nameof(MaxConcurrentCallsGlobal), MaxConcurrentCallsGlobal, "the concurrent calls for all tenants");
        Required(nameof(WhisperUrl), WhisperUrl, "the Whisper URL");
        WholeNumber(nameof(ChunkMs), ChunkMs, "the chunk length in ms");
        Required(nameof(Language), Language, "a language");
        Required(nameof(KokoroUrl), KokoroUrl, "the Kokoro URL");
        Required(nameof(Voice), Voice, "a voice");
        Required(nameof(Format), Format, "a format");
        WholeNumber(nameof(SampleRate), SampleRate, "the sample rate");
        Required(nameof(PublicBaseUrl), PublicBaseUrl, "the public base URL");
        Required(nameof(StorageDir), StorageDir, "the storage folder");
        return errors;
    }

    /// <summary>
    /// The property that shows an error whose contract path is <paramref name="field"/> ("caps.maxConcurrentCallsTenant",
    /// "dids[2]", "tenantId"); null when no field of the form holds it ("body", "contractVersion", an inline secret).
    /// </summary>
    public static string? PropertyFor(string? field) => field switch
    {
        null => null,
        "tenantId" => nameof(TenantId),
        "dids" => nameof(Dids),
        _ when field.StartsWith("dids[", StringComparison.Ordinal) => nameof(Dids),
        "webhookSecretRef" => nameof(WebhookSecretRef),
        "caps.maxConcurrentCallsTenant" => nameof(MaxConcurrentCallsTenant),
        "caps.maxCallsPerMinuteTenant" => nameof(MaxCallsPerMinuteTenant),
        "caps.maxConcurrentCallsGlobal" => nameof(MaxConcurrentCallsGlobal),
        "stt.mode" => nameof(SttMode),
        "stt.whisperUrl" => nameof(WhisperUrl),
        "stt.chunkMs" => nameof(ChunkMs),
        "stt.language" => nameof(Language),
        "tts.mode" => nameof(TtsMode),
        "tts.kokoroUrl" => nameof(KokoroUrl),
        "tts.voice" => nameof(Voice),
        "tts.format" => nameof(Format),
        "tts.sampleRate" => nameof(SampleRate),
        "audio.publicBaseUrl" => nameof(PublicBaseUrl),
        "audio.storageDir" => nameof(StorageDir),
        "audio.runtimeManaged" => nameof(RuntimeManaged),
        _ => null,
    };

    /// <summary>
    /// The contract error as said under its field, without the contract path the field's label already gives
    /// ("stt.whisperUrl must be an absolute http(s) URL." reads "Must be an absolute http(s) URL."); a DID's error names
    /// the DID as typed.
    /// </summary>
    public string MessageFor(RuntimeContractError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var rest = error.Error.StartsWith(error.Field + " ", StringComparison.Ordinal) ? error.Error[(error.Field.Length + 1)..] : null;
        if (rest is not null && !rest.StartsWith("must ", StringComparison.Ordinal) && !rest.StartsWith("is ", StringComparison.Ordinal))
        {
            rest = null; // "tenantId in the route is empty." names more than the field: it stays whole
        }

        if (error.Field.StartsWith("dids[", StringComparison.Ordinal)
            && int.TryParse(error.Field.AsSpan(5, error.Field.Length - 6), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && index < DidList.Count)
        {
            return DidProblem(DidList[index]) ?? (rest is null ? $"\"{DidList[index]}\": {error.Error}" : $"\"{DidList[index]}\" {rest}");
        }

        return rest switch
        {
            null => error.Error,
            _ when rest.StartsWith("is required and ", StringComparison.Ordinal) => "Required, and " + rest["is required and ".Length..],
            _ => Capitalized(rest),
        };
    }

    /// <summary>What is wrong with a DID as typed, in words (the contract's check), or null when it is a valid E.164 number.</summary>
    public static string? DidProblem(string? did) =>
        string.IsNullOrWhiteSpace(did) ? "Enter a DID, for example +15551234567."
        : RuntimeContract.TryNormalizeDid(did) is null ? $"\"{did.Trim()}\" is not an E.164 number: a + and 2 to 15 digits, the first not 0, for example +15551234567."
        : null;

    /// <summary>A contract error where no field names it: its path first, unless the message already starts with it.</summary>
    public static string Describe(RuntimeContractError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Error.StartsWith(error.Field, StringComparison.Ordinal) ? error.Error : $"{error.Field}: {error.Error}";
    }

    private static JsonObject Section(JsonObject body, string name) => body[name] switch
    {
        null => [],
        JsonObject section => section,
        _ => throw new FormatException($"{name} must be an object to show it in the form."),
    };

    /// <summary>A string as is, a number as its digits; null or absent as blank.</summary>
    private static string Text(JsonObject parent, string name) => parent[name] switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => throw new FormatException($"{name} must be a string or a number to show it in the form."),
    };

    private static JsonNode? NumberNode(string text) =>
        long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number) : JsonValue.Create(text.Trim());

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static bool Blank(string? value) => string.IsNullOrWhiteSpace(value);

    private static string Capitalized(string label) => label.Length == 0 ? label : char.ToUpperInvariant(label[0]) + label[1..];
}
