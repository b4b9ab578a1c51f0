using System.Text;
using System.Text.Json.Serialization;

namespace Agent.Domain.ControlPlane;

/// <summary>A tenant's runtime configuration, contract v1, as published to Redis under <c>tenantcfg:{tenantId}</c>.</summary>
public sealed record RuntimeTenantConfig(
    [property: JsonPropertyName("contractVersion")] string ContractVersion,
    [property: JsonPropertyName("tenantId")] string TenantId,
    [property: JsonPropertyName("dids")] IReadOnlyList<string> Dids,
    [property: JsonPropertyName("webhookSecretRef")] string? WebhookSecretRef,
    [property: JsonPropertyName("webhookSecret")] string? WebhookSecret,
    [property: JsonPropertyName("caps")] RuntimeCaps Caps,
    [property: JsonPropertyName("stt")] RuntimeStt Stt,
    [property: JsonPropertyName("tts")] RuntimeTts Tts,
    [property: JsonPropertyName("audio")] RuntimeAudio Audio)
{
    /// <summary>The same document with <see cref="WebhookSecret"/> replaced by "REDACTED" (or left absent when there is none).</summary>
    public RuntimeTenantConfig Redacted() =>
        WebhookSecret is null ? this : this with { WebhookSecret = RuntimeContract.RedactedValue };

    // The compiler's record ToString would print the secret into any log line or exception that formats this value.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("ContractVersion = ").Append(ContractVersion)
            .Append(", TenantId = ").Append(TenantId)
            .Append(", Dids = [").Append(string.Join(", ", Dids)).Append(']')
            .Append(", WebhookSecretRef = ").Append(WebhookSecretRef)
            .Append(", WebhookSecret = ").Append(WebhookSecret is null ? "" : RuntimeContract.RedactedValue)
            .Append(", Caps = ").Append(Caps)
            .Append(", Stt = ").Append(Stt)
            .Append(", Tts = ").Append(Tts)
            .Append(", Audio = ").Append(Audio);
        return true;
    }
}

public sealed record RuntimeCaps(
    [property: JsonPropertyName("maxConcurrentCallsTenant")] int MaxConcurrentCallsTenant,
    [property: JsonPropertyName("maxCallsPerMinuteTenant")] int MaxCallsPerMinuteTenant,
    [property: JsonPropertyName("maxConcurrentCallsGlobal")] int MaxConcurrentCallsGlobal);

public sealed record RuntimeStt(
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("whisperUrl")] string WhisperUrl,
    [property: JsonPropertyName("chunkMs")] int ChunkMs,
    [property: JsonPropertyName("language")] string Language);

public sealed record RuntimeTts(
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("kokoroUrl")] string KokoroUrl,
    [property: JsonPropertyName("voice")] string Voice,
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("sampleRate")] int SampleRate);

public sealed record RuntimeAudio(
    [property: JsonPropertyName("publicBaseUrl")] string PublicBaseUrl,
    [property: JsonPropertyName("storageDir")] string StorageDir,
    [property: JsonPropertyName("runtimeManaged")] bool RuntimeManaged);

/// <summary>A request that breaks the contract: <c>{ "error": "...", "field": "..." }</c>, answered with 400.</summary>
public sealed record RuntimeContractError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("field")] string Field);
