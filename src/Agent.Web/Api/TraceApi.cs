using Agent.Domain.Storage;
using Agent.Runtime.Services;
using Agent.Web.Services;

namespace Agent.Web.Api;

/// <summary>GET /api/execution/{id}/trace: the run's timeline (provider calls, tool calls, approvals) with durations and outcomes.</summary>
public static class TraceApi
{
    public static IEndpointRouteBuilder MapTraceApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/execution/{id:guid}/trace", async (Guid id, ExecutionTraceService traces, IExecutionStore executions, ICurrentTenant tenant, CancellationToken ct) =>
            await executions.FindAsync(tenant.TenantId, id, ct) is null
                ? Results.Json(new { error = $"No execution {id} in this tenant." }, statusCode: StatusCodes.Status404NotFound)
                : Results.Ok(await traces.TimelineAsync(tenant.TenantId, id, ct)));
        return endpoints;
    }
}
