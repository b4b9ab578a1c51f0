using Agent.Web.Chat;
using Agent.Web.Mcp;
using Agent.Web.Services;
using Agent.Web.Tools;

namespace Agent.Web.Api;

/// <summary>Tools, pending approvals and MCP servers over HTTP (the same services the panels call).</summary>
public static class ToolsApi
{
    public sealed record DenyRequest(string? Reason);

    public static IEndpointRouteBuilder MapToolsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/tools", async (ToolRegistry registry, ICurrentTenant tenant, CancellationToken ct) =>
            (await registry.GetToolsAsync(tenant.TenantId, ct)).Tools.Select(t => t.Spec));

        endpoints.MapGet("/api/tools/approvals", (ToolApprovalService approvals, ICurrentTenant tenant, CancellationToken ct) =>
            approvals.ListPendingAsync(tenant.TenantId, ct));

        // A decision on a call whose turn ended with a previous process resumes that turn (see ChatCoordinator).
        endpoints.MapPost("/api/tools/approvals/{id:guid}/approve", async (Guid id, bool? forSession, ToolApprovalService approvals, ChatCoordinator chat, ICurrentTenant tenant, CancellationToken ct) =>
            await approvals.FindAsync(tenant.TenantId, id, ct) is not null && await approvals.ApproveAsync(id, forSession ?? false, ct) is { } decided
                ? Results.Ok(new { decision = decided, resumed = await chat.ResumeAfterDecisionAsync(decided, ct) })
                : Results.NotFound(new { error = $"No pending approval {id}." }));

        endpoints.MapPost("/api/tools/approvals/{id:guid}/deny", async (Guid id, DenyRequest? body, ToolApprovalService approvals, ChatCoordinator chat, ICurrentTenant tenant, CancellationToken ct) =>
            await approvals.FindAsync(tenant.TenantId, id, ct) is not null && await approvals.DenyAsync(id, body?.Reason, ct) is { } decided
                ? Results.Ok(new { decision = decided, resumed = await chat.ResumeAfterDecisionAsync(decided, ct) })
                : Results.NotFound(new { error = $"No pending approval {id}." }));

        endpoints.MapGet("/api/mcp", (McpServerManager mcp, CancellationToken ct) => mcp.ListAsync(ct));

        // MCP servers run as processes of this install, shared by every tenant: only an administrator adds, starts or stops them.
        var mcpAdmin = endpoints.MapGroup("/api/mcp").RequireAuthorization(Security.AgentClaims.AdministratorPolicy);
        mcpAdmin.MapPost("/import", async (HttpRequest request, McpServerManager mcp, CancellationToken ct) =>
        {
            using var reader = new StreamReader(request.Body);
            var json = await reader.ReadToEndAsync(ct);
            try
            {
                return Results.Ok(new { imported = await mcp.ImportAsync(json, ct) });
            }
            catch (McpImportException ex)
            {
                return Results.BadRequest(new { problems = ex.Problems });
            }
        });

        mcpAdmin.MapPost("/{name}/confirm", async (string name, McpServerManager mcp, CancellationToken ct) =>
        {
            try
            {
                await mcp.ConfirmAsync(name, ct);
                return Results.Ok((await mcp.ListAsync(ct)).First(s => s.Spec.Name == name));
            }
            catch (KeyNotFoundException ex)
            {
                return Results.NotFound(new { error = ex.Message });
            }
        });

        mcpAdmin.MapPost("/{name}/restart", async (string name, McpServerManager mcp, CancellationToken ct) =>
        {
            await mcp.RestartAsync(name, ct);
            return Results.Ok(await mcp.ListAsync(ct));
        });

        mcpAdmin.MapPost("/{name}/enabled/{enabled:bool}", async (string name, bool enabled, McpServerManager mcp, CancellationToken ct) =>
        {
            await mcp.SetEnabledAsync(name, enabled, ct);
            return Results.Ok(await mcp.ListAsync(ct));
        });

        return endpoints;
    }
}
