using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Agent.Domain.ControlPlane;

/// <summary>The fixed parts of the runtime contract: version, Redis key formats, DID rules, serialization.</summary>
public static partial class RuntimeContract
{
    public const string Version = "v1";
    public const string SttMode = "whisper_http";
    public const string TtsMode = "kokoro_http";
    public const string RedactedValue = "REDACTED";

    /// <summary>Hard-coded on purpose: the runtime reads the same prefixes, so they are not configurable.</summary>
    public const string DidKeyPrefix = "tenantmap:did:";

    public const string TenantConfigKeyPrefix = "tenantcfg:";

    public const string E164Pattern = @"^\+[1-9]\d{1,14}$";

    public static string DidKey(string didE164) => DidKeyPrefix + didE164;

    public static string TenantConfigKey(string tenantId) => TenantConfigKeyPrefix + tenantId;

    /// <summary>camelCase, nulls left out (an absent secret stays absent), compact: the form stored in Redis.</summary>
    /// <remarks>Relaxed escaping keeps "+15551234567" readable (the default writes \u002B); these documents are never embedded in HTML.</remarks>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The same as <see cref="Json"/>, indented, for documents people read.</summary>
    public static JsonSerializerOptions IndentedJson { get; } = new(Json) { WriteIndented = true };

    /// <summary>Trim, then remove all internal whitespace; the result still has to pass <see cref="IsE164"/>.</summary>
    public static string NormalizeDid(string did)
    {
        ArgumentNullException.ThrowIfNull(did);
        return Whitespace().Replace(did.Trim(), "");
    }

    /// <summary>ECMAScript semantics as in the runtime: <c>\d</c> is 0-9 only; a trailing newline (which <c>$</c> tolerates) is refused.</summary>
    public static bool IsE164(string did) => did is not null && !did.EndsWith('\n') && E164().IsMatch(did);

    /// <summary>Normalizes and validates a DID; null when it is not E.164 after normalization.</summary>
    public static string? TryNormalizeDid(string? did) =>
        did is null ? null : NormalizeDid(did) is var normalized && IsE164(normalized) ? normalized : null;

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(E164Pattern, RegexOptions.ECMAScript)]
    private static partial Regex E164();
}
