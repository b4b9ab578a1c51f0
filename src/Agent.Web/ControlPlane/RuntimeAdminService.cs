using System.Text.Json;
using System.Text.Json.Serialization;
using Agent.Domain.ControlPlane;
using Agent.Domain.Sessions;
using Agent.Runtime.ControlPlane;
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
    public const int Forbidden = 403;
    public const int NotFound = 404;
    public const int Conflict = 409;
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
/// bodies the API would return. The admin gate (flag, token, Redis) stays with each caller; the tenant scope is here:
/// every operation takes a <see cref="ControlPlaneCaller"/>, and a caller scoped to one tenant gets the same 404 for
/// another tenant's config or DID as for one that does not exist.
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

    public async Task<RuntimeAdminResult> PublishAsync(ControlPlaneCaller caller, string tenantId, string bodyText, bool includeSecrets, CancellationToken ct)
    {
        var body = ParseBody(bodyText);
        if (body.Error is not null)
        {
            return RuntimeAdminResult.Invalid(body.Error);
        }

        using var document = body.Value!;
        return await PublishAsync(caller, tenantId, document.RootElement, includeSecrets, ct);
    }

    public async Task<RuntimeAdminResult> PublishAsync(ControlPlaneCaller caller, string tenantId, JsonElement body, bool includeSecrets, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(tenantId);
        var id = tenantId.Trim();
        if (id.Length > 0)
        {
            RuntimeContractError? badId;
            try
            {
                badId = await CheckTenantIdAsync(caller, id, ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                return Failed(ex, RuntimeAdminRoutes.PublishFailed, id);
            }

            if (badId is not null)
            {
                logger.LogInformation("Runtime config for tenant {TenantId} refused ({Caller}): {Problem}", id, caller, badId.Error);
                return RuntimeAdminResult.Invalid(badId);
            }

            if (!caller.Reaches(id))
            {
                logger.LogWarning("Runtime config publish for tenant {TenantId} refused: the caller is scoped to {Caller}", id, caller);
                return ConfigNotFound();
            }
        }

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
        logger.LogInformation("Published runtime config for tenant {TenantId} to {Key} ({Caller}): {DidCount} DIDs, secret ref {HasRef}, inline secret {HasSecret}",
            config.TenantId, RuntimeContract.TenantConfigKey(config.TenantId), caller, config.Dids.Count, config.WebhookSecretRef is not null, config.WebhookSecret is not null);
        return Document(config, includeSecrets);
    }

    public async Task<RuntimeAdminResult> ReadConfigAsync(ControlPlaneCaller caller, string tenantId, bool includeSecrets, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(tenantId);
        var id = tenantId.Trim();
        if (id.Length == 0)
        {
            return RuntimeAdminResult.Invalid(new RuntimeContractError("tenantId in the route is empty.", "tenantId"));
        }

        if (!caller.Reaches(id))
        {
            logger.LogWarning("Runtime config read of tenant {TenantId} refused: the caller is scoped to {Caller}", id, caller);
            return ConfigNotFound();
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

        return config is null ? ConfigNotFound() : Document(config, includeSecrets);
    }

    public async Task<RuntimeAdminResult> MapAsync(ControlPlaneCaller caller, JsonElement body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var parsed = RuntimeDidRequests.ParseMap(body);
        if (parsed.Error is not null)
        {
            return RuntimeAdminResult.Invalid(parsed.Error);
        }

        var mapping = parsed.Value!;
        string? holder = null;
        try
        {
            if (await CheckTenantIdAsync(caller, mapping.TenantId, ct) is { } badId)
            {
                return RuntimeAdminResult.Invalid(badId);
            }

            // 403, not 404: the caller named the tenant in the body, so the answer reveals nothing they did not say.
            if (!caller.Reaches(mapping.TenantId))
            {
                logger.LogWarning("Mapping DID {Did} to tenant {TenantId} refused: the caller is scoped to {Caller}", mapping.DidE164, mapping.TenantId, caller);
                return RuntimeAdminResult.Error(RuntimeAdminResult.Forbidden, $"you can map DIDs only to your own tenant '{caller.TenantId}'");
            }

            if (caller.IsInstallWide)
            {
                await publisher.MapDidAsync(mapping, ct);
            }
            else
            {
                holder = await publisher.MapDidUnlessHeldAsync(mapping, ct);
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return Failed(ex, RuntimeAdminRoutes.MapFailed, mapping.TenantId);
        }

        if (holder is not null)
        {
            logger.LogWarning("Mapping DID {Did} to tenant {TenantId} refused: another tenant holds it", mapping.DidE164, mapping.TenantId);
            return RuntimeAdminResult.Error(RuntimeAdminResult.Conflict,
                $"{mapping.DidE164} is mapped to another tenant; it can be mapped to '{mapping.TenantId}' only after that tenant unmaps it (or the operator, with RUNTIME_ADMIN_TOKEN, maps it).");
        }

        logger.LogInformation("Mapped DID {Did} to tenant {TenantId} ({Caller})", mapping.DidE164, mapping.TenantId, caller);
        return RuntimeAdminResult.Json(mapping);
    }

    public async Task<RuntimeAdminResult> UnmapAsync(ControlPlaneCaller caller, JsonElement body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var parsed = RuntimeDidRequests.ParseUnmap(body);
        if (parsed.Error is not null)
        {
            return RuntimeAdminResult.Invalid(parsed.Error);
        }

        var did = parsed.Value!;
        bool removed;
        try
        {
            if (caller.IsInstallWide)
            {
                removed = await publisher.UnmapDidAsync(did, ct);
            }
            else
            {
                var holder = await publisher.UnmapDidHeldByAsync(did, caller.TenantId!, ct);
                if (holder is not null && !caller.Reaches(holder))
                {
                    logger.LogWarning("Unmapping DID {Did} refused: another tenant holds it, the caller is scoped to {Caller}", did, caller);
                    return DidNotMapped();
                }

                removed = holder is not null;
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return Failed(ex, RuntimeAdminRoutes.UnmapFailed, caller.TenantId);
        }

        logger.LogInformation("Unmapped DID {Did} (was mapped: {Removed}; {Caller})", did, removed, caller);
        return RuntimeAdminResult.Json(new DidUnmapped(did, removed));
    }

    public async Task<RuntimeAdminResult> LookupAsync(ControlPlaneCaller caller, string didE164, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
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
            return Failed(ex, RuntimeAdminRoutes.LookupFailed, caller.TenantId);
        }

        // Another tenant's DID answers as an unmapped one.
        return tenantId is null || !caller.Reaches(tenantId)
            ? DidNotMapped()
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
    /// A caller scoped to one tenant sees only that tenant, and a DID of it held by another tenant as
    /// <see cref="RuntimeDidState.OtherTenant"/>. Throws when Redis is down.
    /// </summary>
    public async Task<RuntimeTenantListing> ListTenantsAsync(ControlPlaneCaller caller, bool includeSecrets, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var scan = caller.IsInstallWide ? await directory.ScanTenantIdsAsync(TenantListLimit, ct) : new RuntimeTenantScan([caller.TenantId!], false);
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
                var mappedTo = await publisher.LookupDidAsync(did, ct);
                dids.Add(new RuntimeDidState(did, mappedTo is null || caller.Reaches(mappedTo) ? mappedTo : RuntimeDidState.OtherTenant));
            }

            tenants.Add(new RuntimeTenantSummary(Visible(config, includeSecrets), dids));
        }

        return new RuntimeTenantListing(tenants, unreadable, scan.Truncated);
    }

    /// <summary>
    /// A tenant id a config or a DID mapping names: new ids must pass <see cref="Tenant.IsValidNewId"/>. An id of the
    /// older, lenient rule still passes when it is the caller's own tenant or (install-wide only, so a scoped caller
    /// learns nothing of other tenants) when its config is already published.
    /// </summary>
    private async Task<RuntimeContractError?> CheckTenantIdAsync(ControlPlaneCaller caller, string tenantId, CancellationToken ct)
    {
        if (Tenant.IsValidNewId(tenantId)
            || (Tenant.IsValidId(tenantId) && (caller.TenantId == tenantId || (caller.IsInstallWide && await publisher.ConfigExistsAsync(tenantId, ct)))))
        {
            return null;
        }

        return new RuntimeContractError($"tenantId must match {Tenant.NewIdRule}.", "tenantId");
    }

    private static RuntimeAdminResult ConfigNotFound() =>
        RuntimeAdminResult.Json(new RuntimeContractError(RuntimeAdminRoutes.TenantConfigNotFound, "tenantId"), RuntimeAdminResult.NotFound);

    private static RuntimeAdminResult DidNotMapped() =>
        RuntimeAdminResult.Json(new RuntimeContractError(RuntimeAdminRoutes.DidNotMapped, "didE164"), RuntimeAdminResult.NotFound);

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
public sealed record RuntimeDidState(string DidE164, string? MappedTo)
{
    /// <summary>What a caller scoped to one tenant sees in place of the id of the other tenant that holds the DID.</summary>
    public const string OtherTenant = "another tenant";
}

/// <summary>A tenant's config (redacted unless secret read is allowed and asked for) and the state of its DIDs.</summary>
public sealed record RuntimeTenantSummary(RuntimeTenantConfig Config, IReadOnlyList<RuntimeDidState> Dids);

/// <summary>The listed tenants, the keys that hold no valid config, and whether the scan stopped at its limit.</summary>
public sealed record RuntimeTenantListing(IReadOnlyList<RuntimeTenantSummary> Tenants, IReadOnlyList<string> Unreadable, bool Truncated);
