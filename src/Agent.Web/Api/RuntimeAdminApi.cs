using System.Text.Json;
using Agent.Domain.ControlPlane;
using Agent.Runtime.ControlPlane;
using Agent.Web.ControlPlane;
using Microsoft.Extensions.Options;

namespace Agent.Web.Api;

/// <summary>
/// The control plane's admin API under /api/admin/runtime: publish and read tenant configs, map, unmap and look up
/// DIDs, and Redis health, with the runtime integration report's bodies. Off (503) unless ENABLE_RUNTIME_ADMIN is
/// true and RUNTIME_ADMIN_TOKEN is set; every call then presents that token as a Bearer token (install-wide), or
/// comes from a signed-in administrator (scoped to their own tenant: see <see cref="ControlPlaneCaller"/>); 401
/// otherwise. The endpoints only read the request and write the answer: the operations and their bodies are in
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

            if (CallerOf(context.HttpContext, admin) is not { } caller)
            {
                context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
                return Error(StatusCodes.Status401Unauthorized, RuntimeAdminRoutes.Unauthorized);
            }

            context.HttpContext.Items[CallerKey] = caller;
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

    private static readonly object CallerKey = new();

    /// <summary>
    /// The operator's token: install-wide. Else a signed-in administrator (cookie, OpenID Connect or personal access
    /// token): their own tenant only. Else nobody: the loopback owner alone is not enough, that is anyone on this machine.
    /// </summary>
    private static ControlPlaneCaller? CallerOf(HttpContext http, RuntimeAdminOptions admin)
    {
        if (admin.IsAuthorized(http.Request.Headers.Authorization.ToString()))
        {
            return ControlPlaneCaller.InstallWide;
        }

        var principal = http.RequestServices.GetRequiredService<Services.PrincipalTenant>();
        return principal.IsAdministrator && !principal.IsLocalOwner ? ControlPlaneCaller.ForTenant(principal.TenantId) : null;
    }

    /// <summary>Set by the group's filter before any endpoint runs.</summary>
    private static ControlPlaneCaller Caller(HttpContext http) => (ControlPlaneCaller)http.Items[CallerKey]!;

    private static async Task<IResult> PublishAsync(string tenantId, HttpContext http, RuntimeAdminService admin, CancellationToken ct)
    {
        var body = await ReadBodyAsync(http, ct);
        if (body.Error is not null)
        {
            return Invalid(body.Error);
        }

        using var document = body.Value!;
        return ToHttp(await admin.PublishAsync(Caller(http), tenantId, document.RootElement, IncludeSecrets(http), ct));
    }

    private static async Task<IResult> ReadConfigAsync(string tenantId, HttpContext http, RuntimeAdminService admin, CancellationToken ct) =>
        ToHttp(await admin.ReadConfigAsync(Caller(http), tenantId, IncludeSecrets(http), ct));

    private static async Task<IResult> MapAsync(HttpContext http, RuntimeAdminService admin, CancellationToken ct)
    {
        var body = await ReadBodyAsync(http, ct);
        if (body.Error is not null)
        {
            return Invalid(body.Error);
        }

        using var document = body.Value!;
        return ToHttp(await admin.MapAsync(Caller(http), document.RootElement, ct));
    }

    private static async Task<IResult> UnmapAsync(HttpContext http, RuntimeAdminService admin, CancellationToken ct)
    {
        var body = await ReadBodyAsync(http, ct);
        if (body.Error is not null)
        {
            return Invalid(body.Error);
        }

        using var document = body.Value!;
        return ToHttp(await admin.UnmapAsync(Caller(http), document.RootElement, ct));
    }

    private static async Task<IResult> LookupAsync(string didE164, HttpContext http, RuntimeAdminService admin, CancellationToken ct) =>
        ToHttp(await admin.LookupAsync(Caller(http), didE164, ct));

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
