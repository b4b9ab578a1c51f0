using System.Text.Json;
using Agent.Domain.ControlPlane;
using Agent.Web.ControlPlane;
using Microsoft.Extensions.Options;

namespace Agent.Web.Api;

/// <summary>
/// The control plane's admin API under /api/admin/runtime: publish and read tenant configs, map, unmap and look up
/// DIDs, and Redis health, with the runtime integration report's bodies. Off (503) unless ENABLE_RUNTIME_ADMIN is
/// true and RUNTIME_ADMIN_TOKEN is set; every call then presents that token as a Bearer token (401 otherwise).
/// The endpoints only read the request and write the answer: the operations and their bodies are in
/// <see cref="RuntimeAdminService"/>, which the Settings page calls too.
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

            // The operator's token, or a signed-in administrator (the loopback owner alone is not enough: that is anyone on this machine).
            var caller = context.HttpContext.RequestServices.GetRequiredService<Services.PrincipalTenant>();
            var signedInAdministrator = caller.IsAdministrator && !caller.IsLocalOwner;
            if (!signedInAdministrator && !admin.IsAuthorized(context.HttpContext.Request.Headers.Authorization.ToString()))
            {
                context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
                return Error(StatusCodes.Status401Unauthorized, RuntimeAdminRoutes.Unauthorized);
            }

            return await next(context);
        }).AllowAnonymous();

        group.MapPost(RuntimeAdminRoutes.TenantConfig, PublishAsync);
        group.MapGet(RuntimeAdminRoutes.TenantConfig, ReadConfigAsync);
        group.MapPost(RuntimeAdminRoutes.MapDid, MapAsync);
        group.MapPost(RuntimeAdminRoutes.UnmapDid, UnmapAsync);
        group.MapGet(RuntimeAdminRoutes.LookupDid, LookupAsync);
        group.MapGet(RuntimeAdminRoutes.Health, HealthAsync);
        return endpoints;
    }

    private static async Task<IResult> PublishAsync(string tenantId, HttpContext http, RuntimeAdminService admin, CancellationToken ct)
    {
        var body = await ReadBodyAsync(http, ct);
        if (body.Error is not null)
        {
            return Invalid(body.Error);
        }

        using var document = body.Value!;
        return ToHttp(await admin.PublishAsync(tenantId, document.RootElement, IncludeSecrets(http), ct));
    }

    private static async Task<IResult> ReadConfigAsync(string tenantId, HttpContext http, RuntimeAdminService admin, CancellationToken ct) =>
        ToHttp(await admin.ReadConfigAsync(tenantId, IncludeSecrets(http), ct));

    private static async Task<IResult> MapAsync(HttpContext http, RuntimeAdminService admin, CancellationToken ct)
    {
        var body = await ReadBodyAsync(http, ct);
        if (body.Error is not null)
        {
            return Invalid(body.Error);
        }

        using var document = body.Value!;
        return ToHttp(await admin.MapAsync(document.RootElement, ct));
    }

    private static async Task<IResult> UnmapAsync(HttpContext http, RuntimeAdminService admin, CancellationToken ct)
    {
        var body = await ReadBodyAsync(http, ct);
        if (body.Error is not null)
        {
            return Invalid(body.Error);
        }

        using var document = body.Value!;
        return ToHttp(await admin.UnmapAsync(document.RootElement, ct));
    }

    private static async Task<IResult> LookupAsync(string didE164, RuntimeAdminService admin, CancellationToken ct) =>
        ToHttp(await admin.LookupAsync(didE164, ct));

    private static async Task<IResult> HealthAsync(RuntimeAdminService admin, CancellationToken ct) =>
        ToHttp(await admin.HealthAsync(ct));

    /// <summary>?includeSecrets=1 asks for webhookSecret; the service returns it only when ALLOW_RUNTIME_SECRET_READ is true.</summary>
    private static bool IncludeSecrets(HttpContext http) => http.Request.Query["includeSecrets"].ToString() is "1" or "true";

    private static IResult ToHttp(RuntimeAdminResult result) => Results.Json(result.Body, RuntimeContract.Json, statusCode: result.StatusCode);

    private static async Task<RuntimeParseResult<JsonDocument>> ReadBodyAsync(HttpContext http, CancellationToken ct)
    {
        try
        {
            return RuntimeParseResult<JsonDocument>.Ok(await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: ct));
        }
        catch (JsonException)
        {
            return RuntimeParseResult<JsonDocument>.Fail("body", RuntimeAdminService.InvalidJson);
        }
    }

    private static IResult Invalid(RuntimeContractError error) =>
        Results.Json(error, RuntimeContract.Json, statusCode: StatusCodes.Status400BadRequest);

    private static IResult Error(int status, string error) =>
        Results.Json(new { error }, RuntimeContract.Json, statusCode: status);
}
