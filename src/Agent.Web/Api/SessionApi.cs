using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Agent.Domain.Configuration;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Runtime.Chat;
using Agent.Runtime.Services;
using Agent.Web.Services;

namespace Agent.Web.Api;

public sealed record CreateSessionRequest(string? Title, string? Provider, string? Model, string? TeamId = null);

/// <summary>
/// A session as PATCH, DELETE and restore answer it: the listing's fields, <c>archived</c> spelled out, and the team it is
/// bound to; PATCH adds the chat's settings when it changed them.
/// </summary>
public sealed record SessionDto(
    Guid Id,
    string Title,
    string ProviderName,
    string ModelId,
    string? AgentProfileId,
    bool Pinned,
    bool Archived,
    DateTimeOffset? ArchivedAt,
    DateTimeOffset? DeletedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? TeamId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ChatSettingsDto? Settings = null)
{
    public static SessionDto From(ChatSession s, string? teamId, ChatSettings? settings = null) =>
        new(s.Id, s.Title, s.ProviderName, s.ModelId, s.AgentProfileId, s.Pinned, s.ArchivedAt is not null, s.ArchivedAt, s.DeletedAt, s.CreatedAt, s.UpdatedAt, teamId,
            settings is null ? null : ChatSettingsDto.From(settings));
}

/// <summary>A chat's own settings: instructions added to its agent's system prompt, and the temperature (null: the provider's default).</summary>
public sealed record ChatSettingsDto(string? SystemPrompt, double? Temperature)
{
    public static ChatSettingsDto From(ChatSettings settings) => new(settings.SystemPrompt, settings.Temperature);
}

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

        group.MapPost("", async (CreateSessionRequest? body, SessionService sessions, ICurrentTenant currentTenant, Agent.Runtime.Services.TeamCatalog teams, CancellationToken ct) =>
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

        group.MapGet("", async (string? q, bool? archived, int? skip, int? take, SessionService sessions, ICurrentTenant current, CancellationToken ct) =>
        {
            if (skip is < 0 || take is < 1 or > 1000)
            {
                return ChatActionResults.Problem(StatusCodes.Status400BadRequest, "skip must be 0 or more and take from 1 to 1000.");
            }

            if (archived == true)
            {
                return string.IsNullOrWhiteSpace(q)
                    ? Results.Ok(await sessions.ListArchivedAsync(current.TenantId, skip ?? 0, take ?? 200, ct))
                    : ChatActionResults.Problem(StatusCodes.Status400BadRequest, "Search (q) covers the active sessions only; leave out q or archived.");
            }

            return Results.Ok(string.IsNullOrWhiteSpace(q)
                ? await sessions.ListPageAsync(current.TenantId, skip ?? 0, take ?? 200, ct)
                : await sessions.SearchAsync(current.TenantId, q, take ?? 200, ct));
        });

        group.MapGet("/trash", async (int? skip, int? take, SessionService sessions, ICurrentTenant current, CancellationToken ct) =>
            skip is < 0 || take is < 1 or > 1000
                ? ChatActionResults.Problem(StatusCodes.Status400BadRequest, "skip must be 0 or more and take from 1 to 1000.")
                : Results.Ok(await sessions.ListTrashAsync(current.TenantId, skip ?? 0, take ?? 200, ct)));

        group.MapPatch("/{id:guid}", PatchAsync);

        group.MapDelete("/{id:guid}", async (Guid id, SessionService sessions, TeamCatalog teams, ICurrentTenant current, CancellationToken ct) =>
            await sessions.DeleteAsync(current.TenantId, id, ct) is { } trashed
                ? Results.Ok(SessionDto.From(trashed, (await teams.TeamOfSessionAsync(current.TenantId, id, ct))?.Id))
                : ChatActionResults.Problem(StatusCodes.Status404NotFound, $"Session {id} does not exist (or is already in the trash)."));

        group.MapPost("/{id:guid}/restore", async (Guid id, SessionService sessions, TeamCatalog teams, ICurrentTenant current, CancellationToken ct) =>
            await sessions.RestoreAsync(current.TenantId, id, ct) is { } restored
                ? Results.Ok(SessionDto.From(restored, (await teams.TeamOfSessionAsync(current.TenantId, id, ct))?.Id))
                : ChatActionResults.Problem(StatusCodes.Status404NotFound, $"Session {id} is not in the trash."));

        group.MapDelete("/trash/{id:guid}", async (Guid id, SessionService sessions, ICurrentTenant current, CancellationToken ct) =>
            await sessions.DeleteForGoodAsync(current.TenantId, id, ct)
                ? Results.NoContent()
                : ChatActionResults.Problem(StatusCodes.Status404NotFound, $"Session {id} is not in the trash."));

        group.MapGet("/{id:guid}/settings", async (Guid id, SessionService sessions, ICurrentTenant current, CancellationToken ct) =>
            await sessions.ChatSettingsAsync(current.TenantId, id, ct) is { } settings
                ? Results.Ok(ChatSettingsDto.From(settings))
                : ChatActionResults.Problem(StatusCodes.Status404NotFound, $"Session {id} does not exist."));

        group.MapGet("/{id:guid}/export", async (Guid id, string? format, SessionService sessions, ICurrentTenant current, CancellationToken ct) =>
        {
            if (SessionExport.Parse(format) is not { } parsed)
            {
                return ChatActionResults.Problem(StatusCodes.Status400BadRequest, $"format must be md or json, not {InputLimits.Shown(format)}.");
            }

            return await sessions.ExportAsync(current.TenantId, id, parsed, ct) is { } file
                ? Results.File(Encoding.UTF8.GetBytes(file.Content), file.ContentType, file.FileName)
                : ChatActionResults.Problem(StatusCodes.Status404NotFound, $"Session {id} does not exist.");
        });

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

    /// <summary>
    /// PATCH /api/sessions/{id}: only the fields present change. "title" (a string, not blank, at most
    /// <see cref="InputLimits.MaxSessionTitleLength"/> characters), "pinned" and "archived" (true or false), "teamId" (a team
    /// id, or null to unbind), "systemPrompt" (the chat's own instructions; "" or null removes them) and "temperature"
    /// (0 to 2, or null for the provider's default). Every field is checked before any is applied.
    /// </summary>
    private static async Task<IResult> PatchAsync(Guid id, JsonElement? body, SessionService sessions, TeamCatalog teams, ICurrentTenant current, CancellationToken ct)
    {
        if (body is not { ValueKind: JsonValueKind.Object } patch)
        {
            return ChatActionResults.Problem(StatusCodes.Status400BadRequest, "The body must be a JSON object such as { \"title\": \"Trip plans\", \"pinned\": true }.");
        }

        string? title = null;
        bool? pinned = null, archived = null;
        if (patch.TryGetProperty("title", out var titleValue))
        {
            if (titleValue.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(titleValue.GetString()))
            {
                return ChatActionResults.Problem(StatusCodes.Status400BadRequest, "'title' must be a non-blank string.");
            }

            title = titleValue.GetString()!;
            if (InputLimits.LengthProblem("The title", title.Trim(), InputLimits.MaxSessionTitleLength) is { } tooLong)
            {
                return ChatActionResults.Problem(StatusCodes.Status400BadRequest, tooLong);
            }
        }

        if (patch.TryGetProperty("pinned", out var pinnedValue))
        {
            if (pinnedValue.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return ChatActionResults.Problem(StatusCodes.Status400BadRequest, "'pinned' must be true or false.");
            }

            pinned = pinnedValue.GetBoolean();
        }

        if (patch.TryGetProperty("archived", out var archivedValue))
        {
            if (archivedValue.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return ChatActionResults.Problem(StatusCodes.Status400BadRequest, "'archived' must be true or false.");
            }

            archived = archivedValue.GetBoolean();
        }

        var bindTeam = patch.TryGetProperty("teamId", out var teamValue);
        if (bindTeam)
        {
            if (teamValue.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                return ChatActionResults.Problem(StatusCodes.Status400BadRequest, "'teamId' must be a team id (a string) or null.");
            }

            if (teamValue.GetString() is { Length: > 0 } named && InputLimits.IdProblem("Team", named) is { } badTeam)
            {
                return ChatActionResults.Problem(StatusCodes.Status400BadRequest, badTeam);
            }
        }

        var setPrompt = patch.TryGetProperty("systemPrompt", out var promptValue);
        if (setPrompt && promptValue.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
        {
            return ChatActionResults.Problem(StatusCodes.Status400BadRequest, "'systemPrompt' must be a string, or null to remove the chat's instructions.");
        }

        var setTemperature = patch.TryGetProperty("temperature", out var temperatureValue);
        if (setTemperature && temperatureValue.ValueKind is not (JsonValueKind.Number or JsonValueKind.Null))
        {
            return ChatActionResults.Problem(StatusCodes.Status400BadRequest, $"'temperature' must be a number from 0 to {ChatSettings.MaxTemperature}, or null for the provider's default.");
        }

        if (title is null && pinned is null && archived is null && !bindTeam && !setPrompt && !setTemperature)
        {
            return ChatActionResults.Problem(StatusCodes.Status400BadRequest, "Nothing to change: give 'title', 'pinned', 'archived', 'teamId', 'systemPrompt' or 'temperature'.");
        }

        var tenant = current.TenantId;
        if (await sessions.FindAsync(tenant, id, ct) is null)
        {
            return ChatActionResults.Problem(StatusCodes.Status404NotFound, $"Session {id} does not exist.");
        }

        var teamId = teamValue.ValueKind == JsonValueKind.String ? teamValue.GetString() : null;
        if (bindTeam && teamId is { Length: > 0 } && await teams.FindTeamAsync(tenant, teamId, ct) is null)
        {
            return ChatActionResults.Problem(StatusCodes.Status400BadRequest, $"No team '{teamId}' is configured.");
        }

        ChatSettings? settings = null;
        if (setPrompt || setTemperature)
        {
            var stored = await sessions.ChatSettingsAsync(tenant, id, ct) ?? ChatSettings.Default;
            settings = new ChatSettings(
                setPrompt ? promptValue.GetString() : stored.SystemPrompt,
                setTemperature ? (temperatureValue.ValueKind == JsonValueKind.Number ? temperatureValue.GetDouble() : null) : stored.Temperature);
            if (settings.Problem() is { } badSettings)
            {
                return ChatActionResults.Problem(StatusCodes.Status400BadRequest, badSettings);
            }
        }

        return await ChatActionResults.RunAsync(async () =>
        {
            if (bindTeam)
            {
                await sessions.BindTeamAsync(tenant, id, string.IsNullOrEmpty(teamId) ? null : teamId, ct);
            }

            if (settings is not null)
            {
                settings = await sessions.UpdateChatSettingsAsync(tenant, id, settings, ct);
            }

            var session = title is null && pinned is null && archived is null
                ? await sessions.FindAsync(tenant, id, ct)
                : await sessions.UpdateAsync(tenant, id, title, pinned, archived, ct);
            return session is null
                ? ChatActionResults.Problem(StatusCodes.Status404NotFound, $"Session {id} does not exist.")
                : Results.Ok(SessionDto.From(session, (await teams.TeamOfSessionAsync(tenant, id, ct))?.Id, settings));
        });
    }

    private static Task<IResult> StartAsync(Func<Task<TurnStarted>> start) =>
        ChatActionResults.RunAsync(async () => Results.Accepted(value: await start()));
}
