using Agent.Data;
using Agent.Web.Services;

namespace Agent.Web.Api;

public static class AgentApi
{
    public static IEndpointRouteBuilder MapAgentApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/bootstrap", (BootstrapService bootstrap, CancellationToken ct) => bootstrap.GetAsync(BootstrapService.CurrentTenant, ct));

        endpoints.MapProviderApi();
        endpoints.MapSessionApi();

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
        });
        endpoints.MapRuntimeApi();
        endpoints.MapToolsApi();
        endpoints.MapRuntimeAdminApi();
        endpoints.MapVoiceApi();
        endpoints.MapTokensApi();
        endpoints.MapMemoryApi();
        endpoints.MapAttachmentApi();
        return endpoints;
    }
}
