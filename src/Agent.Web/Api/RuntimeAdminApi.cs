using System.Text.Json;
using Agent.Domain.ControlPlane;
using Agent.Web.ControlPlane;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Agent.Web.Api;

/// <summary>
/// The control plane's admin API under /api/admin/runtime: publish and read tenant configs, map, unmap and look up
/// DIDs, and Redis health, with the runtime integration report's bodies. Off (503) unless ENABLE_RUNTIME_ADMIN is
/// true and RUNTIME_ADMIN_TOKEN is set; every call then presents that token as a Bearer token (401 otherwise).
/// </summary>
public static class RuntimeAdminApi
{
    public static IEndpointRouteBuilder MapRuntimeAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(RuntimeAdminRoutes.Prefix).AddEndpointFilter(async (context, next) =>
        {
            var admin = context.HttpContext.RequestServices.GetRequiredService<IOptions<RuntimeAdminOptions>>().Value;
            if (!admin.AdminEnabled)
            {
                return Error(StatusCodes.Status503ServiceUnavailable, RuntimeAdminRoutes.AdminDisabled);
            }

            if (!admin.IsAuthorized(context.HttpContext.Request.Headers.Authorization.ToString()))
            {
                context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
                return Error(StatusCodes.Status401Unauthorized, RuntimeAdminRoutes.Unauthorized);
            }

            return await next(context);
        });

        group.MapPost(RuntimeAdminRoutes.TenantConfig, PublishAsync);
        group.MapGet(RuntimeAdminRoutes.TenantConfig, ReadConfigAsync);
        group.MapPost(RuntimeAdminRoutes.MapDid, MapAsync);
        group.MapPost(RuntimeAdminRoutes.UnmapDid, UnmapAsync);
        group.MapGet(RuntimeAdminRoutes.LookupDid, LookupAsync);
        group.MapGet(RuntimeAdminRoutes.Health, HealthAsync);
        return endpoints;
    }

    private static async Task<IResult> PublishAsync(string tenantId, HttpContext http, IRuntimePublisher publisher, ITenantCapsSource caps,
        IOptions<RuntimeAdminOptions> admin, ILogger<RuntimeAdminOptions> logger, CancellationToken ct)
    {
        var body = await ReadBodyAsync(http, ct);
        if (body.Error is not null)
        {
            return Invalid(body.Error);
        }

        var parsed = RuntimeTenantConfigValidator.Parse(body.Value!.RootElement, tenantId);
        body.Value.Dispose();
        if (parsed.Error is not null)
        {
            logger.LogInformation("Runtime config for tenant {TenantId} refused: {Field}: {Problem}", tenantId.Trim(), parsed.Error.Field, parsed.Error.Error);
            return Invalid(parsed.Error);
        }

        var config = parsed.Value!;
        try
        {
            await publisher.PublishAsync(config, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return Failed(logger, ex, RuntimeAdminRoutes.PublishFailed, config.TenantId);
        }

        caps.Invalidate(config.TenantId);
        logger.LogInformation("Published runtime config for tenant {TenantId} to {Key}: {DidCount} DIDs, secret ref {HasRef}, inline secret {HasSecret}",
            config.TenantId, RuntimeContract.TenantConfigKey(config.TenantId), config.Dids.Count, config.WebhookSecretRef is not null, config.WebhookSecret is not null);
        return Document(config, http, admin.Value);
    }

    private static async Task<IResult> ReadConfigAsync(string tenantId, HttpContext http, IRuntimePublisher publisher,
        IOptions<RuntimeAdminOptions> admin, ILogger<RuntimeAdminOptions> logger, CancellationToken ct)
    {
        var id = tenantId.Trim();
        if (id.Length == 0)
        {
            return Invalid(new RuntimeContractError("tenantId in the route is empty.", "tenantId"));
        }

        RuntimeTenantConfig? config;
        try
        {
            config = await publisher.GetConfigAsync(id, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return Failed(logger, ex, RuntimeAdminRoutes.ConfigReadFailed, id);
        }

        return config is null
            ? Results.Json(new RuntimeContractError(RuntimeAdminRoutes.TenantConfigNotFound, "tenantId"), RuntimeContract.Json, statusCode: StatusCodes.Status404NotFound)
            : Document(config, http, admin.Value);
    }

    private static async Task<IResult> MapAsync(HttpContext http, IRuntimePublisher publisher, ILogger<RuntimeAdminOptions> logger, CancellationToken ct)
    {
        var body = await ReadBodyAsync(http, ct);
        if (body.Error is not null)
        {
            return Invalid(body.Error);
        }

        var parsed = RuntimeDidRequests.ParseMap(body.Value!.RootElement);
        body.Value.Dispose();
        if (parsed.Error is not null)
        {
            return Invalid(parsed.Error);
        }

        try
        {
            await publisher.MapDidAsync(parsed.Value!, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return Failed(logger, ex, RuntimeAdminRoutes.MapFailed, parsed.Value!.TenantId);
        }

        logger.LogInformation("Mapped DID {Did} to tenant {TenantId}", parsed.Value!.DidE164, parsed.Value.TenantId);
        return Results.Json(parsed.Value, RuntimeContract.Json);
    }

    private static async Task<IResult> UnmapAsync(HttpContext http, IRuntimePublisher publisher, ILogger<RuntimeAdminOptions> logger, CancellationToken ct)
    {
        var body = await ReadBodyAsync(http, ct);
        if (body.Error is not null)
        {
            return Invalid(body.Error);
        }

        var parsed = RuntimeDidRequests.ParseUnmap(body.Value!.RootElement);
        body.Value.Dispose();
        if (parsed.Error is not null)
        {
            return Invalid(parsed.Error);
        }

        bool removed;
        try
        {
            removed = await publisher.UnmapDidAsync(parsed.Value!, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return Failed(logger, ex, RuntimeAdminRoutes.UnmapFailed, null);
        }

        logger.LogInformation("Unmapped DID {Did} (was mapped: {Removed})", parsed.Value, removed);
        return Results.Json(new { didE164 = parsed.Value, removed }, RuntimeContract.Json);
    }

    private static async Task<IResult> LookupAsync(string didE164, IRuntimePublisher publisher, ILogger<RuntimeAdminOptions> logger, CancellationToken ct)
    {
        var parsed = RuntimeDidRequests.ParseDid(didE164);
        if (parsed.Error is not null)
        {
            return Invalid(parsed.Error);
        }

        string? tenantId;
        try
        {
            tenantId = await publisher.LookupDidAsync(parsed.Value!, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return Failed(logger, ex, RuntimeAdminRoutes.LookupFailed, null);
        }

        return tenantId is null
            ? Results.Json(new RuntimeContractError(RuntimeAdminRoutes.DidNotMapped, "didE164"), RuntimeContract.Json, statusCode: StatusCodes.Status404NotFound)
            : Results.Json(new DidMapping(parsed.Value!, tenantId), RuntimeContract.Json);
    }

    private static async Task<IResult> HealthAsync(IRuntimePublisher publisher, ILogger<RuntimeAdminOptions> logger, CancellationToken ct)
    {
        try
        {
            await publisher.PingAsync(ct);
            return Results.Json(new { ok = true }, RuntimeContract.Json);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is RedisException or TimeoutException)
        {
            // RedisConnectionException, RedisTimeoutException and RedisServerException all derive from RedisException or TimeoutException.
            logger.LogWarning("Runtime Redis health check failed: {Reason}", ex.Message);
            return Results.Json(new { ok = false, error = ex.Message }, RuntimeContract.Json, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogError("Runtime Redis health check threw {ExceptionType}: {Reason}", ex.GetType().Name, ex.Message);
            return Error(StatusCodes.Status500InternalServerError, RuntimeAdminRoutes.HealthFailed);
        }
    }

    /// <summary>The stored document, redacted unless the caller asks with ?includeSecrets=1 and ALLOW_RUNTIME_SECRET_READ is true.</summary>
    private static IResult Document(RuntimeTenantConfig config, HttpContext http, RuntimeAdminOptions admin)
    {
        var include = admin.AllowSecretRead && http.Request.Query["includeSecrets"].ToString() is "1" or "true";
        return Results.Json(include ? config : config.Redacted(), RuntimeContract.Json);
    }

    private static async Task<RuntimeParseResult<JsonDocument>> ReadBodyAsync(HttpContext http, CancellationToken ct)
    {
        try
        {
            return RuntimeParseResult<JsonDocument>.Ok(await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: ct));
        }
        catch (JsonException)
        {
            return RuntimeParseResult<JsonDocument>.Fail("body", "The body is not valid JSON.");
        }
    }

    private static IResult Invalid(RuntimeContractError error) =>
        Results.Json(error, RuntimeContract.Json, statusCode: StatusCodes.Status400BadRequest);

    private static IResult Error(int status, string error) =>
        Results.Json(new { error }, RuntimeContract.Json, statusCode: status);

    private static IResult Failed(ILogger logger, Exception ex, string error, string? tenantId)
    {
        logger.LogWarning("Runtime admin {Error} (tenant {TenantId}): {ExceptionType}: {Reason}", error, tenantId, ex.GetType().Name, ex.Message);
        return Error(StatusCodes.Status500InternalServerError, error);
    }
}
