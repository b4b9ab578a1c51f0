using Agent.Domain.Configuration;
using Agent.Runtime.Runtime;
using Agent.Runtime.Services;
using Agent.Runtime.Teams;
using Agent.Web.Services;

namespace Agent.Web.Api;

/// <summary>A session's team: GET /api/sessions/{id}/team (PATCH /api/sessions/{id} with "teamId" binds one, see SessionApi).</summary>
public sealed record SessionTeamDto(Guid SessionId, string? TeamId);

/// <summary>Profiles, teams, session binding, run trees and resume; the tenant of every route is <see cref="ICurrentTenant"/>.</summary>
public static class TeamApi
{
    public static IEndpointRouteBuilder MapTeamApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/team/profiles", async (ICurrentTenant tenant, TeamCatalog catalog, CancellationToken ct) =>
            Results.Ok(await catalog.ProfilesAsync(tenant.TenantId, ct)));

        endpoints.MapPut("/api/team/profiles/{id}", async (string id, AgentProfileOptions? body, ICurrentTenant tenant, TeamCatalog catalog, CancellationToken ct) =>
        {
            if (InputLimits.IdProblem("Profile", id) is { } badId)
            {
                return Error(StatusCodes.Status400BadRequest, badId);
            }

            if (body is null)
            {
                return Error(StatusCodes.Status400BadRequest, "A JSON profile body is required.");
            }

            if (!string.IsNullOrEmpty(body.Id) && !string.Equals(body.Id, id, StringComparison.OrdinalIgnoreCase))
            {
                return Error(StatusCodes.Status400BadRequest, $"The body's id {InputLimits.Shown(body.Id)} differs from the path's '{id}'.");
            }

            body.Id = id;
            return await SaveAsync(() => catalog.SaveProfileAsync(tenant.TenantId, body, ct), body);
        });

        endpoints.MapDelete("/api/team/profiles/{id}", async (string id, ICurrentTenant tenant, TeamCatalog catalog, CancellationToken ct) =>
            InputLimits.IdProblem("Profile", id) is { } badId ? Error(StatusCodes.Status400BadRequest, badId) : await SaveAsync(async () =>
            {
                if (!await catalog.ResetProfileAsync(tenant.TenantId, id, ct))
                {
                    throw new KeyNotFoundException($"Profile '{id}' has no stored edit to reset.");
                }
            }, new { reset = id }));

        endpoints.MapGet("/api/teams", async (ICurrentTenant tenant, TeamCatalog catalog, CancellationToken ct) =>
            Results.Ok(await catalog.TeamsAsync(tenant.TenantId, ct)));

        endpoints.MapPut("/api/teams/{id}", async (string id, TeamOptions? body, ICurrentTenant tenant, TeamCatalog catalog, CancellationToken ct) =>
        {
            if (InputLimits.IdProblem("Team", id) is { } badId)
            {
                return Error(StatusCodes.Status400BadRequest, badId);
            }

            if (body is null)
            {
                return Error(StatusCodes.Status400BadRequest, "A JSON team body is required.");
            }

            if (!string.IsNullOrEmpty(body.Id) && !string.Equals(body.Id, id, StringComparison.OrdinalIgnoreCase))
            {
                return Error(StatusCodes.Status400BadRequest, $"The body's id {InputLimits.Shown(body.Id)} differs from the path's '{id}'.");
            }

            body.Id = id;
            return await SaveAsync(() => catalog.SaveTeamAsync(tenant.TenantId, body, ct), body);
        });

        endpoints.MapDelete("/api/teams/{id}", async (string id, ICurrentTenant tenant, TeamCatalog catalog, CancellationToken ct) =>
            InputLimits.IdProblem("Team", id) is { } badId ? Error(StatusCodes.Status400BadRequest, badId) : await SaveAsync(async () =>
            {
                if (!await catalog.ResetTeamAsync(tenant.TenantId, id, ct))
                {
                    throw new KeyNotFoundException($"Team '{id}' has no stored edit to reset.");
                }
            }, new { reset = id }));

        endpoints.MapGet("/api/sessions/{id:guid}/team", async (Guid id, ICurrentTenant tenant, SessionService sessions, TeamCatalog catalog, CancellationToken ct) =>
            await sessions.FindAsync(tenant.TenantId, id, ct) is null
                ? Error(StatusCodes.Status404NotFound, $"Session {id} does not exist.")
                : Results.Ok(new SessionTeamDto(id, (await catalog.TeamOfSessionAsync(tenant.TenantId, id, ct))?.Id)));

        endpoints.MapGet("/api/execution/{id}/tree", async (string id, ICurrentTenant tenant, TeamRunQueries queries, CancellationToken ct) =>
        {
            if (!Guid.TryParse(id, out var executionId))
            {
                return Error(StatusCodes.Status400BadRequest, $"'{id}' is not an execution id (a GUID).");
            }

            return await queries.TreeAsync(tenant.TenantId, executionId, ct) is { } tree
                ? Results.Ok(tree)
                : Error(StatusCodes.Status404NotFound, $"Execution {executionId} does not exist.");
        });

        endpoints.MapGet("/api/team/runs", async (ICurrentTenant tenant, TeamRunQueries queries, CancellationToken ct) =>
            Results.Ok(await queries.RecentExecutionsAsync(tenant.TenantId, 20, ct)));

        endpoints.MapGet("/api/team/tasks/{taskId:guid}", async (Guid taskId, ICurrentTenant tenant, TeamRunQueries queries, CancellationToken ct) =>
            await queries.TaskAsync(tenant.TenantId, taskId, ct) is { } task
                ? Results.Ok(task)
                : Error(StatusCodes.Status404NotFound, $"Team task {taskId} does not exist."));

        endpoints.MapPost("/api/team/runs/{id:guid}/resume", async (Guid id, ICurrentTenant tenant, TeamRecovery recovery, CancellationToken ct) =>
        {
            try
            {
                return Results.Accepted(value: await recovery.ResumeAsync(tenant.TenantId, id, ct));
            }
            catch (KeyNotFoundException ex)
            {
                return Error(StatusCodes.Status404NotFound, ex.Message);
            }
            catch (ArgumentException ex)
            {
                return Error(StatusCodes.Status400BadRequest, ex.Message);
            }
            catch (ExecutionStateConflictException ex)
            {
                return Error(StatusCodes.Status409Conflict, ex.Message);
            }
            catch (CapsExceededException ex)
            {
                return Error(StatusCodes.Status429TooManyRequests, ex.Message);
            }
        });

        return endpoints;
    }

    private static async Task<IResult> SaveAsync(Func<Task> save, object saved)
    {
        try
        {
            await save();
            return Results.Ok(saved);
        }
        catch (TeamConfigException ex)
        {
            return Results.Json(new { error = ex.Message, errors = ex.Errors }, statusCode: StatusCodes.Status400BadRequest);
        }
        catch (KeyNotFoundException ex)
        {
            return Error(StatusCodes.Status404NotFound, ex.Message);
        }
    }

    private static IResult Error(int status, string reason) => Results.Json(new { error = reason }, statusCode: status);
}
