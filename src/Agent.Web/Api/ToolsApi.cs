using Agent.Domain.Tools;
using Agent.Runtime.Chat;
using Agent.Runtime.Mcp;
using Agent.Runtime.Tools;
using Agent.Web.Services;

namespace Agent.Web.Api;

/// <summary>Tools, pending approvals and MCP servers over HTTP (the same services the panels call).</summary>
public static class ToolsApi
{
    public sealed record DenyRequest(string? Reason);

    /// <summary>"ask", "auto" or "off" (see <see cref="ToolSetting"/>).</summary>
    public sealed record SettingRequest(string? Approval);

    public static IEndpointRouteBuilder MapToolsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/tools", async (ToolRegistry registry, ICurrentTenant tenant, CancellationToken ct) =>
            (await registry.GetToolsAsync(tenant.TenantId, ct)).Tools.Select(t => t.Spec));

        // Whether a tool asks, runs on its own or is off is the tenant's setting: only its administrator changes it, and only
        // for a tool the tenant has (another tenant's MCP tool answers 404).
        endpoints.MapPut("/api/tools/{name}/setting", async (string name, SettingRequest? body, ToolRegistry registry, ICurrentTenant tenant, CancellationToken ct) =>
        {
            if (!ToolApprovalPolicy.TryParseSetting(body?.Approval, out var setting))
            {
                return Results.BadRequest(new { error = "approval must be \"ask\", \"auto\" or \"off\"." });
            }

            if ((await registry.GetToolsAsync(tenant.TenantId, ct)).Find(name) is null)
            {
                return Results.NotFound(new { error = $"No tool {name}." });
            }

            await registry.SetSettingAsync(tenant.TenantId, name, setting, ct);
            var tool = (await registry.GetToolsAsync(tenant.TenantId, ct)).Find(name)!.Spec;
            return Results.Ok(new { tool, approval = ToolApprovalPolicy.SettingOf(tool).ToString().ToLowerInvariant() });
        }).RequireAuthorization(Security.AgentClaims.AdministratorPolicy);

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

        // A member sees which servers there are and their state, not their commands, URLs or stderr (install details).
        endpoints.MapGet("/api/mcp", (McpServerManager mcp, PrincipalTenant caller, CancellationToken ct) => mcp.ListAsync(caller.TenantId, installDetails: caller.IsAdministrator, ct));

        // MCP servers run as processes of this install: only an administrator adds, starts or stops them. An imported server
        // belongs to the importer's tenant (another tenant's server name answers 404); appsettings servers are install-wide.
        var mcpAdmin = endpoints.MapGroup("/api/mcp").RequireAuthorization(Security.AgentClaims.AdministratorPolicy);
        mcpAdmin.MapPost("/import", async (HttpRequest request, McpServerManager mcp, ICurrentTenant tenant, CancellationToken ct) =>
        {
            using var reader = new StreamReader(request.Body);
            var json = await reader.ReadToEndAsync(ct);
            try
            {
                return Results.Ok(new { imported = await mcp.ImportAsync(tenant.TenantId, json, ct) });
            }
            catch (McpImportException ex)
            {
                return Results.BadRequest(new { error = ex.Message, problems = ex.Problems });
            }
        });

        // Confirming lets a stdio command run. From a browser that is done in the MCP panel, where the person reads the command;
        // over the API only a script may confirm (a personal access token, or the owner's own client with no cookie).
        mcpAdmin.MapPost("/{name}/confirm", (string name, HttpRequest request, McpServerManager mcp, ICurrentTenant tenant, CancellationToken ct) =>
            !Security.AccessTokenHandler.Carries(request) && !Security.RequestGuard.IsScriptClient(request)
                ? Task.FromResult(Results.Json(new { error = "Confirm a server's command in the MCP panel, where it is shown; over the API, confirm with a personal access token (Authorization: Bearer pat_...)." }, statusCode: StatusCodes.Status403Forbidden))
                : OnServerAsync(name, mcp, tenant.TenantId, () => mcp.ConfirmAsync(tenant.TenantId, name, ct), servers => servers.First(s => s.Spec.Name == name), ct));

        mcpAdmin.MapPost("/{name}/restart", (string name, McpServerManager mcp, ICurrentTenant tenant, CancellationToken ct) =>
            OnServerAsync(name, mcp, tenant.TenantId, () => mcp.RestartAsync(tenant.TenantId, name, ct), servers => servers, ct));

        mcpAdmin.MapPost("/{name}/enabled/{enabled:bool}", (string name, bool enabled, McpServerManager mcp, ICurrentTenant tenant, CancellationToken ct) =>
            OnServerAsync(name, mcp, tenant.TenantId, () => mcp.SetEnabledAsync(tenant.TenantId, name, enabled, ct), servers => servers, ct));

        mcpAdmin.MapDelete("/{name}", async (string name, McpServerManager mcp, ICurrentTenant tenant, CancellationToken ct) =>
        {
            try
            {
                await mcp.RemoveImportedAsync(tenant.TenantId, name, ct);
                return Results.NoContent();
            }
            catch (KeyNotFoundException ex)
            {
                return Results.NotFound(new { error = ex.Message });
            }
            catch (McpImportException ex)
            {
                return Results.BadRequest(new { error = ex.Message });
            }
        });

        return endpoints;
    }

    /// <summary>Runs an action on a server the caller's tenant sees and answers with the tenant's servers after it; any other name is 404.</summary>
    private static async Task<IResult> OnServerAsync(string name, McpServerManager mcp, string tenantId, Func<Task> action, Func<IReadOnlyList<McpServerView>, object> answer, CancellationToken ct)
    {
        try
        {
            await action();
            return Results.Ok(answer(await mcp.ListAsync(tenantId, ct)));
        }
        catch (KeyNotFoundException ex)
        {
            return Results.NotFound(new { error = ex.Message });
        }
    }
}
