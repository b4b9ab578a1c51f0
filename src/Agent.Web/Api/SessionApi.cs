using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Runtime.Chat;
using Agent.Runtime.Services;
using Agent.Web.Services;

namespace Agent.Web.Api;

public sealed record CreateSessionRequest(string? Title, string? Provider, string? Model, string? TeamId = null);

public sealed record SendMessageRequest(string? Text, Guid? EditOf, IReadOnlyList<Guid>? AttachmentIds = null);

public sealed record MessageDto(
    Guid Id,
    Guid? ParentId,
    string Role,
    string Status,
    string Text,
    string? Error,
    string? Provider,
    string? Model,
    string? ProviderMode,
    long? InputTokens,
    long? OutputTokens,
    double? TimeToFirstTokenMs,
    double? TokensPerSecond,
    Guid? ExecutionId,
    DateTimeOffset CreatedAt,
    long? CachedInputTokens = null,
    long? ReasoningTokens = null,
    bool? UsageEstimated = null,
    decimal? Cost = null,
    string? PriceTableVersion = null,
    double? TotalTimeMs = null,
    int? Retries = null)
{
    public static MessageDto From(SessionMessage m) => new(
        m.Id, m.ParentId, m.Role.ToString().ToLowerInvariant(), m.Status.ToString().ToLowerInvariant(), m.Text, m.Error,
        m.ProviderName, m.ModelId, m.ProviderMode, m.Usage?.InputTokens, m.Usage?.OutputTokens, m.TimeToFirstTokenMs, m.TokensPerSecond, m.ExecutionId, m.CreatedAt,
        m.Usage?.CachedInputTokens, m.Usage?.ReasoningTokens, m.Usage?.IsEstimate, m.Cost, m.PriceTableVersion, m.TotalTimeMs, m.Retries);
}

/// <summary>The chat flows, headless: the same services the UI uses.</summary>
public static class SessionApi
{
    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/sessions");

        group.MapPost("", async (CreateSessionRequest? body, SessionService sessions, ICurrentTenant currentTenant, Agent.Runtime.Teams.TeamCatalog teams, CancellationToken ct) =>
        {
            var tenant = currentTenant.TenantId;
            try
            {
                if (body?.TeamId is { Length: > 0 } named && Agent.Domain.Configuration.InputLimits.IdProblem("Team", named) is { } badTeam)
                {
                    return ChatActionResults.Problem(StatusCodes.Status400BadRequest, badTeam);
                }

                if (body?.TeamId is { Length: > 0 } teamId && await teams.FindTeamAsync(tenant, teamId, ct) is null)
                {
                    return ChatActionResults.Problem(StatusCodes.Status400BadRequest, $"No team '{teamId}' is configured.");
                }

                var session = await sessions.CreateAsync(tenant, body?.Title, ct);
                if (body?.Provider is { Length: > 0 } provider)
                {
                    session = await sessions.ChangeModelAsync(tenant, session.Id, provider, body.Model ?? "", ct) ?? session;
                }

                if (body?.TeamId is { Length: > 0 } bound)
                {
                    await sessions.BindTeamAsync(tenant, session.Id, bound, ct);
                    session = await sessions.FindAsync(tenant, session.Id, ct) ?? session;
                }

                return Results.Created($"/api/sessions/{session.Id}", session);
            }
            catch (ArgumentException ex)
            {
                return ChatActionResults.Problem(StatusCodes.Status400BadRequest, ex.Message);
            }
        });

        group.MapGet("", async (string? q, SessionService sessions, ICurrentTenant current, CancellationToken ct) =>
            Results.Ok(await sessions.SearchAsync(current.TenantId, q ?? "", ct)));

        group.MapGet("/{id:guid}/messages", async (Guid id, int? skip, int? take, SessionService sessions, IMessageStore messages, ICurrentTenant current, CancellationToken ct) =>
        {
            if (skip is < 0 || take is < 1 or > 1000)
            {
                return ChatActionResults.Problem(StatusCodes.Status400BadRequest, "skip must be 0 or more and take from 1 to 1000.");
            }

            var tenant = current.TenantId;
            if (await sessions.FindAsync(tenant, id, ct) is null)
            {
                return ChatActionResults.Problem(StatusCodes.Status404NotFound, $"Session {id} does not exist.");
            }

            var page = await messages.PageBySessionAsync(tenant, id, skip ?? 0, take ?? 100, ct);
            return Results.Ok(page.Select(MessageDto.From));
        });

        group.MapPost("/{id:guid}/messages", (Guid id, SendMessageRequest? body, ChatCoordinator chat, ICurrentTenant current, CancellationToken ct) =>
            string.IsNullOrWhiteSpace(body?.Text)
                ? Task.FromResult(ChatActionResults.Problem(StatusCodes.Status400BadRequest, "text is required and cannot be blank."))
                : StartAsync(() => chat.SendAsync(current.TenantId, id, body.Text, body.EditOf, body.AttachmentIds, ct)));

        group.MapPost("/{id:guid}/messages/{messageId:guid}/regenerate", (Guid id, Guid messageId, ChatCoordinator chat, ICurrentTenant current, CancellationToken ct) =>
            StartAsync(() => chat.RegenerateAsync(current.TenantId, id, messageId, ct)));

        group.MapPost("/{id:guid}/messages/{messageId:guid}/continue", (Guid id, Guid messageId, ChatCoordinator chat, ICurrentTenant current, CancellationToken ct) =>
            StartAsync(() => chat.ContinueAsync(current.TenantId, id, messageId, ct)));

        group.MapPost("/{id:guid}/stop", async (Guid id, ChatCoordinator chat, SessionService sessions, ICurrentTenant current, CancellationToken ct) =>
            await sessions.FindAsync(current.TenantId, id, ct) is null
                ? ChatActionResults.Problem(StatusCodes.Status404NotFound, $"Session {id} does not exist.")
                : Results.Ok(new { stopped = await chat.StopAsync(id, ct) }));

        return endpoints;
    }

    private static Task<IResult> StartAsync(Func<Task<TurnStarted>> start) =>
        ChatActionResults.RunAsync(async () => Results.Accepted(value: await start()));
}
