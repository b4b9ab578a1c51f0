using System.Text.Json;

namespace Agent.Domain.ControlPlane;

/// <summary>The outcome of reading a request: a value, or the first contract error found.</summary>
public sealed record RuntimeParseResult<T>(T? Value, RuntimeContractError? Error)
    where T : class
{
    public static RuntimeParseResult<T> Ok(T value) => new(value, null);

    public static RuntimeParseResult<T> Fail(string field, string error) => new(null, new RuntimeContractError(error, field));
}

/// <summary>
/// Reads a RuntimeTenantConfig v1 from JSON with strict types, normalizing every DID. Fields outside the contract
/// are dropped. The route's tenant id wins; a body tenantId that differs from it is refused.
/// </summary>
public static class RuntimeTenantConfigValidator
{
    public static RuntimeParseResult<RuntimeTenantConfig> Parse(JsonElement body, string routeTenantId)
    {
        ArgumentNullException.ThrowIfNull(routeTenantId);
        try
        {
            return RuntimeParseResult<RuntimeTenantConfig>.Ok(Read(body, routeTenantId.Trim()));
        }
        catch (ContractViolation violation)
        {
            return RuntimeParseResult<RuntimeTenantConfig>.Fail(violation.Field, violation.Message);
        }
    }

    /// <summary>Validates a config built in code (for example the sample in the generated report).</summary>
    public static RuntimeContractError? Validate(RuntimeTenantConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var element = JsonSerializer.SerializeToElement(config, RuntimeContract.Json);
        return Parse(element, config.TenantId).Error;
    }

    private static RuntimeTenantConfig Read(JsonElement body, string routeTenantId)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new ContractViolation("body", "The body must be a JSON object (a RuntimeTenantConfig v1).");
        }

        if (routeTenantId.Length == 0)
        {
            throw new ContractViolation("tenantId", "tenantId in the route is empty.");
        }

        var version = RequiredString(body, "contractVersion");
        if (!string.Equals(version, RuntimeContract.Version, StringComparison.Ordinal))
        {
            throw new ContractViolation("contractVersion", $"contractVersion must be \"{RuntimeContract.Version}\" (got \"{version}\").");
        }

        if (OptionalString(body, "tenantId") is { } bodyTenant && !string.Equals(bodyTenant.Trim(), routeTenantId, StringComparison.Ordinal))
        {
            throw new ContractViolation("tenantId", $"tenantId in the body (\"{bodyTenant}\") differs from the route's \"{routeTenantId}\".");
        }

        var webhookSecretRef = OptionalString(body, "webhookSecretRef");
        var webhookSecret = OptionalString(body, "webhookSecret");
        if (string.IsNullOrWhiteSpace(webhookSecretRef) && string.IsNullOrWhiteSpace(webhookSecret))
        {
            throw new ContractViolation("webhookSecretRef", "webhookSecretRef or webhookSecret is required (a non-empty string).");
        }

        var caps = RequiredObject(body, "caps", "caps");
        var stt = RequiredObject(body, "stt", "stt");
        var tts = RequiredObject(body, "tts", "tts");
        var audio = RequiredObject(body, "audio", "audio");
        return new RuntimeTenantConfig(
            RuntimeContract.Version,
            routeTenantId,
            ReadDids(body),
            string.IsNullOrWhiteSpace(webhookSecretRef) ? null : webhookSecretRef,
            string.IsNullOrWhiteSpace(webhookSecret) ? null : webhookSecret,
            new RuntimeCaps(
                PositiveInt(caps, "caps", "maxConcurrentCallsTenant"),
                PositiveInt(caps, "caps", "maxCallsPerMinuteTenant"),
                PositiveInt(caps, "caps", "maxConcurrentCallsGlobal")),
            new RuntimeStt(
                Mode(stt, "stt", RuntimeContract.SttMode),
                HttpUrl(stt, "stt", "whisperUrl"),
                PositiveInt(stt, "stt", "chunkMs"),
                NonEmptyString(stt, "stt", "language")),
            new RuntimeTts(
                Mode(tts, "tts", RuntimeContract.TtsMode),
                HttpUrl(tts, "tts", "kokoroUrl"),
                NonEmptyString(tts, "tts", "voice"),
                NonEmptyString(tts, "tts", "format"),
                PositiveInt(tts, "tts", "sampleRate")),
            new RuntimeAudio(
                HttpUrl(audio, "audio", "publicBaseUrl"),
                NonEmptyString(audio, "audio", "storageDir"),
                RequiredBool(audio, "audio", "runtimeManaged")));
    }

    private static List<string> ReadDids(JsonElement body)
    {
        if (!body.TryGetProperty("dids", out var dids) || dids.ValueKind != JsonValueKind.Array)
        {
            throw new ContractViolation("dids", "dids is required: an array of E.164 numbers such as \"+15551234567\".");
        }

        var result = new List<string>();
        var index = 0;
        foreach (var item in dids.EnumerateArray())
        {
            var field = $"dids[{index++}]";
            if (item.ValueKind != JsonValueKind.String)
            {
                throw new ContractViolation(field, $"{field} must be a string.");
            }

            var did = RuntimeContract.TryNormalizeDid(item.GetString())
                ?? throw new ContractViolation(field, $"{field} is not an E.164 number (^\\+[1-9]\\d{{1,14}}$ after trimming and removing spaces).");
            if (!result.Contains(did, StringComparer.Ordinal))
            {
                result.Add(did);
            }
        }

        return result;
    }

    private static JsonElement RequiredObject(JsonElement parent, string name, string field)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Object)
        {
            throw new ContractViolation(field, $"{field} is required and must be an object.");
        }

        return value;
    }

    private static string RequiredString(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            throw new ContractViolation(name, $"{name} is required and must be a string.");
        }

        return value.GetString()!;
    }

    private static string? OptionalString(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new ContractViolation(name, $"{name} must be a string.");
    }

    private static string NonEmptyString(JsonElement parent, string section, string name)
    {
        var field = $"{section}.{name}";
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            throw new ContractViolation(field, $"{field} is required and must be a non-empty string.");
        }

        return value.GetString()!;
    }

    private static string Mode(JsonElement parent, string section, string expected)
    {
        var mode = NonEmptyString(parent, section, "mode");
        return string.Equals(mode, expected, StringComparison.Ordinal)
            ? mode
            : throw new ContractViolation($"{section}.mode", $"{section}.mode must be \"{expected}\" (got \"{mode}\").");
    }

    private static string HttpUrl(JsonElement parent, string section, string name)
    {
        var url = NonEmptyString(parent, section, name);
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? url
            : throw new ContractViolation($"{section}.{name}", $"{section}.{name} must be an absolute http(s) URL.");
    }

    private static int PositiveInt(JsonElement parent, string section, string name)
    {
        var field = $"{section}.{name}";
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
        {
            throw new ContractViolation(field, $"{field} is required and must be an integer.");
        }

        return number >= 1 ? number : throw new ContractViolation(field, $"{field} must be a positive integer (got {number}).");
    }

    private static bool RequiredBool(JsonElement parent, string section, string name)
    {
        var field = $"{section}.{name}";
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw new ContractViolation(field, $"{field} is required and must be true or false.");
        }

        return value.GetBoolean();
    }

    private sealed class ContractViolation(string field, string message) : Exception(message)
    {
        public string Field { get; } = field;
    }
}
