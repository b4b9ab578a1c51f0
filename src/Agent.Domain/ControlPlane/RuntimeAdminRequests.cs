using System.Text.Json;

namespace Agent.Domain.ControlPlane;

/// <summary>A DID mapped to a tenant: the body of map, and the answer of map and lookup.</summary>
public sealed record DidMapping(string DidE164, string TenantId);

/// <summary>Reads the DID admin requests with strict types; every DID comes back normalized.</summary>
public static class RuntimeDidRequests
{
    /// <summary><c>{ "didE164": "...", "tenantId": "..." }</c>.</summary>
    public static RuntimeParseResult<DidMapping> ParseMap(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return RuntimeParseResult<DidMapping>.Fail("body", "The body must be a JSON object { \"didE164\": \"...\", \"tenantId\": \"...\" }.");
        }

        var did = ParseDidField(body);
        if (did.Error is not null)
        {
            return RuntimeParseResult<DidMapping>.Fail(did.Error.Field, did.Error.Error);
        }

        if (!body.TryGetProperty("tenantId", out var tenant) || tenant.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(tenant.GetString()))
        {
            return RuntimeParseResult<DidMapping>.Fail("tenantId", "tenantId is required and must be a non-empty string.");
        }

        return RuntimeParseResult<DidMapping>.Ok(new DidMapping(did.Value!, tenant.GetString()!.Trim()));
    }

    /// <summary><c>{ "didE164": "..." }</c>.</summary>
    public static RuntimeParseResult<string> ParseUnmap(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object
            ? ParseDidField(body)
            : RuntimeParseResult<string>.Fail("body", "The body must be a JSON object { \"didE164\": \"...\" }.");

    /// <summary>A DID from a route or a body string.</summary>
    public static RuntimeParseResult<string> ParseDid(string? raw) =>
        RuntimeContract.TryNormalizeDid(raw) is { } did
            ? RuntimeParseResult<string>.Ok(did)
            : RuntimeParseResult<string>.Fail("didE164", "didE164 is not an E.164 number (^\\+[1-9]\\d{1,14}$ after trimming and removing spaces), for example \"+15551234567\".");

    private static RuntimeParseResult<string> ParseDidField(JsonElement body)
    {
        if (!body.TryGetProperty("didE164", out var did) || did.ValueKind != JsonValueKind.String)
        {
            return RuntimeParseResult<string>.Fail("didE164", "didE164 is required and must be a string.");
        }

        return ParseDid(did.GetString());
    }
}
