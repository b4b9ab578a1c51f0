using System.Text.Json;
using System.Text.Json.Serialization;
using Agent.Domain.ControlPlane;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Agent.Web.ControlPlane;

/// <summary>
/// What an admin operation answers: the status code and the body, exactly as the admin API sends them. The API maps it
/// to an HTTP result; the Settings page shows <see cref="BodyJson"/> verbatim.
/// </summary>
public sealed record RuntimeAdminResult(int StatusCode, object Body)
{
    public const int Ok = 200;
    public const int BadRequest = 400;
    public const int NotFound = 404;
    public const int ServerError = 500;
    public const int Unavailable = 503;

    public bool Succeeded => StatusCode is >= 200 and < 300;

    /// <summary>The body as the API writes it: compact, camelCase, nulls left out.</summary>
    public string BodyJson => JsonSerializer.Serialize(Body, Body.GetType(), RuntimeContract.Json);

    public static RuntimeAdminResult Json(object body, int statusCode = Ok) => new(statusCode, body);

    public static RuntimeAdminResult Invalid(RuntimeContractError error) => new(BadRequest, error);

    public static RuntimeAdminResult Error(int statusCode, string error) => new(statusCode, new RuntimeAdminError(error));
}

/// <summary><c>{ "error": "..." }</c>: a refusal or failure without a field.</summary>
public sealed record RuntimeAdminError([property: JsonPropertyName("error")] string Error);

/// <summary><c>{ "ok": true }</c>, or <c>{ "ok": false, "error": "..." }</c> when Redis does not answer.</summary>
public sealed record RuntimeHealth([property: JsonPropertyName("ok")] bool Ok, [property: JsonPropertyName("error")] string? Error = null);

/// <summary>The answer of unmap: <c>{ "didE164": "...", "removed": true }</c>.</summary>
public sealed record DidUnmapped([property: JsonPropertyName("didE164")] string DidE164, [property: JsonPropertyName("removed")] bool Removed);

/// <summary>
/// The admin operations behind /api/admin/runtime, free of HTTP: validation, the Redis call, the failure bodies and
/// the log lines. The admin API and the Settings page's Control plane section both call it, so the page shows the
/// bodies the API would return. The admin gate (flag, token, Redis) stays with each caller.
/// </summary>
public sealed class RuntimeAdminService(
    IRuntimePublisher publisher,
    IRuntimeTenantDirectory directory,
    ITenantCapsSource caps,
    IOptions<RuntimeAdminOptions> admin,
    ILogger<RuntimeAdminOptions> logger)
{
    /// <summary>At most this many tenant configs are listed; the listing says when there are more.</summary>
    public const int TenantListLimit = 200;

    public const string InvalidJson = "The body is not valid JSON.";

    public RuntimeAdminOptions Options => admin.Value;

    /// <summary>A valid config for a tenant that is not published yet: the report's sample, with a secret ref and no inline secret.</summary>
    public static string ExampleConfigJson(string tenantId)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        var example = RuntimeContractReport.Sample with { TenantId = tenantId.Trim(), WebhookSecret = null };
        return JsonSerializer.Serialize(example, RuntimeContract.IndentedJson).Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    /// <summary>The first of tenant-1, tenant-2, ... that is not among <paramref name="existing"/>.</summary>
    public static string NewTenantId(IEnumerable<string> existing)
    {
        var taken = existing.ToHashSet(StringComparer.Ordinal);
        var n = 1;
        while (taken.Contains($"tenant-{n}"))
        {
            n++;
        }

        return $"tenant-{n}";
    }

    /// <summary>The body as JSON, or the 400 the API answers for a body that is not JSON.</summary>
    public static RuntimeParseResult<JsonDocument> ParseBody(string text)
    {
        try
        {
            return RuntimeParseResult<JsonDocument>.Ok(JsonDocument.Parse(text ?? ""));
        }
        catch (JsonException)
        {
            return RuntimeParseResult<JsonDocument>.Fail("body", InvalidJson);
        }
    }

    public async Task<RuntimeAdminResult> PublishAsync(string tenantId, string bodyText, bool includeSecrets, CancellationToken ct)
    {
        var body = ParseBody(bodyText);
        if (body.Error is not null)
        {
            return RuntimeAdminResult.Invalid(body.Error);
        }

        using var document = body.Value!;
        return await PublishAsync(tenantId, document.RootElement, includeSecrets, ct);
    }

    public async Task<RuntimeAdminResult> PublishAsync(string tenantId, JsonElement body, bool includeSecrets, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        var parsed = RuntimeTenantConfigValidator.Parse(body, tenantId);
        if (parsed.Error is not null)
        {
            logger.LogInformation("Runtime config for tenant {TenantId} refused: {Field}: {Problem}", tenantId.Trim(), parsed.Error.Field, parsed.Error.Error);
            return RuntimeAdminResult.Invalid(parsed.Error);
        }

        var config = parsed.Value!;
        try
        {
            await publisher.PublishAsync(config, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return Failed(ex, RuntimeAdminRoutes.PublishFailed, config.TenantId);
        }

        caps.Invalidate(config.TenantId);
        logger.LogInformation("Published runtime config for tenant {TenantId} to {Key}: {DidCount} DIDs, secret ref {HasRef}, inline secret {HasSecret}",
            config.TenantId, RuntimeContract.TenantConfigKey(config.TenantId), config.Dids.Count, config.WebhookSecretRef is not null, config.WebhookSecret is not null);
        return Document(config, includeSecrets);
    }

    public async Task<RuntimeAdminResult> ReadConfigAsync(string tenantId, bool includeSecrets, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        var id = tenantId.Trim();
        if (id.Length == 0)
        {
            return RuntimeAdminResult.Invalid(new RuntimeContractError("tenantId in the route is empty.", "tenantId"));
        }

        RuntimeTenantConfig? config;
        try
        {
            config = await publisher.GetConfigAsync(id, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return Failed(ex, RuntimeAdminRoutes.ConfigReadFailed, id);
        }

        return config is null
            ? RuntimeAdminResult.Json(new RuntimeContractError(RuntimeAdminRoutes.TenantConfigNotFound, "tenantId"), RuntimeAdminResult.NotFound)
            : Document(config, includeSecrets);
    }

    public async Task<RuntimeAdminResult> MapAsync(JsonElement body, CancellationToken ct)
    {
        var parsed = RuntimeDidRequests.ParseMap(body);
        if (parsed.Error is not null)
        {
            return RuntimeAdminResult.Invalid(parsed.Error);
        }

        try
        {
            await publisher.MapDidAsync(parsed.Value!, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return Failed(ex, RuntimeAdminRoutes.MapFailed, parsed.Value!.TenantId);
        }

        logger.LogInformation("Mapped DID {Did} to tenant {TenantId}", parsed.Value!.DidE164, parsed.Value.TenantId);
        return RuntimeAdminResult.Json(parsed.Value);
    }

    public async Task<RuntimeAdminResult> UnmapAsync(JsonElement body, CancellationToken ct)
    {
        var parsed = RuntimeDidRequests.ParseUnmap(body);
        if (parsed.Error is not null)
        {
            return RuntimeAdminResult.Invalid(parsed.Error);
        }

        bool removed;
        try
        {
            removed = await publisher.UnmapDidAsync(parsed.Value!, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return Failed(ex, RuntimeAdminRoutes.UnmapFailed, null);
        }

        logger.LogInformation("Unmapped DID {Did} (was mapped: {Removed})", parsed.Value, removed);
        return RuntimeAdminResult.Json(new DidUnmapped(parsed.Value!, removed));
    }

    public async Task<RuntimeAdminResult> LookupAsync(string didE164, CancellationToken ct)
    {
        var parsed = RuntimeDidRequests.ParseDid(didE164);
        if (parsed.Error is not null)
        {
            return RuntimeAdminResult.Invalid(parsed.Error);
        }

        string? tenantId;
        try
        {
            tenantId = await publisher.LookupDidAsync(parsed.Value!, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return Failed(ex, RuntimeAdminRoutes.LookupFailed, null);
        }

        return tenantId is null
            ? RuntimeAdminResult.Json(new RuntimeContractError(RuntimeAdminRoutes.DidNotMapped, "didE164"), RuntimeAdminResult.NotFound)
            : RuntimeAdminResult.Json(new DidMapping(parsed.Value!, tenantId));
    }

    public async Task<RuntimeAdminResult> HealthAsync(CancellationToken ct)
    {
        try
        {
            await publisher.PingAsync(ct);
            return RuntimeAdminResult.Json(new RuntimeHealth(true));
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is RedisException or TimeoutException)
        {
            // RedisConnectionException, RedisTimeoutException and RedisServerException all derive from RedisException or TimeoutException.
            logger.LogWarning("Runtime Redis health check failed: {Reason}", ex.Message);
            return RuntimeAdminResult.Json(new RuntimeHealth(false, ex.Message), RuntimeAdminResult.Unavailable);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogError("Runtime Redis health check threw {ExceptionType}: {Reason}", ex.GetType().Name, ex.Message);
            return RuntimeAdminResult.Error(RuntimeAdminResult.ServerError, RuntimeAdminRoutes.HealthFailed);
        }
    }

    /// <summary>
    /// The tenants whose config can be read (SCAN of <c>tenantcfg:*</c>, at most <see cref="TenantListLimit"/>), each
    /// with where its DIDs are mapped. Not part of the admin API: the runtime has no listing, this is for the page.
    /// Throws when Redis is down.
    /// </summary>
    public async Task<RuntimeTenantListing> ListTenantsAsync(bool includeSecrets, CancellationToken ct)
    {
        var scan = await directory.ScanTenantIdsAsync(TenantListLimit, ct);
        var tenants = new List<RuntimeTenantSummary>();
        var unreadable = new List<string>();
        foreach (var tenantId in scan.TenantIds)
        {
            RuntimeTenantConfig? config;
            try
            {
                config = await publisher.GetConfigAsync(tenantId, ct);
            }
            catch (RuntimeConfigUnreadableException ex)
            {
                unreadable.Add(ex.Message);
                continue;
            }

            if (config is null)
            {
                continue; // Deleted between SCAN and GET.
            }

            var dids = new List<RuntimeDidState>(config.Dids.Count);
            foreach (var did in config.Dids)
            {
                dids.Add(new RuntimeDidState(did, await publisher.LookupDidAsync(did, ct)));
            }

            tenants.Add(new RuntimeTenantSummary(Visible(config, includeSecrets), dids));
        }

        return new RuntimeTenantListing(tenants, unreadable, scan.Truncated);
    }

    private bool IncludeSecrets(bool asked) => admin.Value.AllowSecretRead && asked;

    private RuntimeTenantConfig Visible(RuntimeTenantConfig config, bool includeSecrets) => IncludeSecrets(includeSecrets) ? config : config.Redacted();

    /// <summary>The stored document, redacted unless the caller asks and ALLOW_RUNTIME_SECRET_READ is true.</summary>
    private RuntimeAdminResult Document(RuntimeTenantConfig config, bool includeSecrets) => RuntimeAdminResult.Json(Visible(config, includeSecrets));

    private RuntimeAdminResult Failed(Exception ex, string error, string? tenantId)
    {
        logger.LogWarning("Runtime admin {Error} (tenant {TenantId}): {ExceptionType}: {Reason}", error, tenantId, ex.GetType().Name, ex.Message);
        return RuntimeAdminResult.Error(RuntimeAdminResult.ServerError, error);
    }
}

/// <summary>One DID of a tenant's config and the tenant its <c>tenantmap:did:</c> key points to (null: not mapped).</summary>
public sealed record RuntimeDidState(string DidE164, string? MappedTo);

/// <summary>A tenant's config (redacted unless secret read is allowed and asked for) and the state of its DIDs.</summary>
public sealed record RuntimeTenantSummary(RuntimeTenantConfig Config, IReadOnlyList<RuntimeDidState> Dids);

/// <summary>The listed tenants, the keys that hold no valid config, and whether the scan stopped at its limit.</summary>
public sealed record RuntimeTenantListing(IReadOnlyList<RuntimeTenantSummary> Tenants, IReadOnlyList<string> Unreadable, bool Truncated);
