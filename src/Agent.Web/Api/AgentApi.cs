using Agent.Data;
using Agent.Web.Services;

namespace Agent.Web.Api;

public static class AgentApi
{
    public static IEndpointRouteBuilder MapAgentApi(this IEndpointRouteBuilder endpoints)
    {
        // Every /api route needs a principal with a tenant (see ApiRequiresSignIn for routes mapped elsewhere).
        var api = endpoints.MapGroup("").RequireAuthorization();
        api.MapGet("/api/bootstrap", (BootstrapService bootstrap, PrincipalTenant caller, CancellationToken ct) => bootstrap.GetAsync(caller.TenantId, caller.IsAdministrator, ct));

        api.MapProviderApi();
        api.MapSessionApi();
        api.MapContextApi();

        endpoints.MapGet("/health", async (AgentDatabase database, CancellationToken ct) =>
        {
            try
            {
                await database.PingAsync(ct);
                return Results.Ok(new { status = "ok" });
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return Results.Json(new { status = "unavailable", reason = $"The database does not answer: {ex.Message}" }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).AllowAnonymous();
        api.MapRuntimeApi();
        api.MapToolsApi();
        endpoints.MapRuntimeAdminApi();
        api.MapVoiceApi();
        api.MapTokensApi();
        api.MapTraceApi();
        api.MapTeamApi();
        api.MapMemoryApi();
        api.MapAttachmentApi();
        api.MapPeopleApi();
        return endpoints;
    }
}
