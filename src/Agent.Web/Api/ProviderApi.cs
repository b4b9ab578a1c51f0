using Agent.Runtime.Clients;

namespace Agent.Web.Api;

public static class ProviderApi
{
    /// <summary>POST /api/providers/{name}/test: a one-token call through the real adapter; blocked providers answer with their action.</summary>
    public static IEndpointRouteBuilder MapProviderApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/providers/{name}/test", async (string name, ProviderConnectionTester tester, CancellationToken ct) =>
        {
            var result = await tester.TestAsync(name, ct);
            return Results.Ok(result);
        }).RequireAuthorization(Security.AgentClaims.AdministratorPolicy);
        return endpoints;
    }
}
