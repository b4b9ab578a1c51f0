using Agent.Domain.Context;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Runtime.Chat.Context;
using Agent.Web.Services;

namespace Agent.Web.Api;

public sealed record CreateCheckpointRequest(string? Label);

/// <summary>One part of what a run's request carried, for the API: its kind as a word.</summary>
public sealed record ContextPartDto(int Order, string Kind, string Label, int Tokens, bool IsEstimate, bool Included, string? Text, string Source, int Items, string? Note)
{
    public static ContextPartDto From(ContextPart part, int order) => new(
        order, KindName(part.Kind), part.Label, part.Tokens, part.IsEstimate, part.Included, part.Text, part.Source, part.Items, part.Note);

    public static string KindName(ContextPartKind kind) => kind switch
    {
        ContextPartKind.System => "system",
        ContextPartKind.Skills => "skills",
        ContextPartKind.Pinned => "pinned",
        ContextPartKind.Recalled => "recalled",
        ContextPartKind.Episode => "episode",
        ContextPartKind.CompactionSummary => "compaction_summary",
        ContextPartKind.RecentTurns => "recent_turns",
        _ => "instruction",
    };
}

public sealed record TurnContextDto(
    Guid ExecutionId, Guid SessionId, Guid MessageId, string Provider, string Model, string Tokenizer, bool IsEstimate,
    int ContextWindow, int Budget, int TotalTokens, IReadOnlyList<ContextPartDto> Parts, DateTimeOffset CreatedAt)
{
    public static TurnContextDto From(TurnContext c) => new(
        c.ExecutionId, c.SessionId, c.MessageId, c.ProviderName, c.ModelId, c.Tokenizer, c.IsEstimate, c.ContextWindow, c.Budget, c.TotalTokens,
        c.Parts.Select(ContextPartDto.From).ToList(), c.CreatedAt);
}

public sealed record CheckpointDto(Guid Id, Guid SessionId, string TenantId, string Kind, string Label, Guid? LeafMessageId, string? Summary, string Source, Guid? ExecutionId, DateTimeOffset CreatedAt)
{
    public static CheckpointDto From(Checkpoint c) => new(
        c.Id, c.SessionId, c.TenantId, c.Kind.ToString().ToLowerInvariant(), c.Label, c.LeafMessageId, c.Summary, c.Source, c.ExecutionId, c.CreatedAt);
}

/// <summary>"What the model saw" per run, the context gauge, and checkpoints (list, save, rewind, fork).</summary>
public static class ContextApi
{
    public static IEndpointRouteBuilder MapContextApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/execution/{id}/context", async (string id, ICurrentTenant tenant, ITurnContextStore contexts, CancellationToken ct) =>
        {
            if (!Guid.TryParse(id, out var executionId))
            {
                return ChatActionResults.Problem(StatusCodes.Status400BadRequest, $"'{id}' is not an execution id (a GUID).");
            }

            return await contexts.FindAsync(tenant.TenantId, executionId, ct) is { } found
                ? Results.Ok(TurnContextDto.From(found))
                : ChatActionResults.Problem(StatusCodes.Status404NotFound, $"Execution {executionId} has no recorded context (only chat turns have one).");
        });

        var sessions = endpoints.MapGroup("/api/sessions/{id:guid}");
        sessions.MapGet("/context", async (Guid id, ICurrentTenant tenant, ChatContextService contexts, CancellationToken ct) =>
            await contexts.MeasureAsync(tenant.TenantId, id, ct) is { } gauge
                ? Results.Ok(gauge)
                : ChatActionResults.Problem(StatusCodes.Status404NotFound, $"Session {id} does not exist."));

        sessions.MapGet("/checkpoints", (Guid id, ICurrentTenant tenant, CheckpointService checkpoints, CancellationToken ct) =>
            ChatActionResults.RunAsync(async () => Results.Ok((await checkpoints.ListAsync(tenant.TenantId, id, ct)).Select(CheckpointDto.From))));

        sessions.MapPost("/checkpoints", (Guid id, CreateCheckpointRequest? body, ICurrentTenant tenant, CheckpointService checkpoints, CancellationToken ct) =>
            ChatActionResults.RunAsync(async () =>
            {
                var created = await checkpoints.CreateAsync(tenant.TenantId, id, body?.Label, ct);
                return Results.Created($"/api/sessions/{id}/checkpoints/{created.Id}", CheckpointDto.From(created));
            }));

        sessions.MapPost("/checkpoints/{cid:guid}/rewind", (Guid id, Guid cid, ICurrentTenant tenant, CheckpointService checkpoints, CancellationToken ct) =>
            ChatActionResults.RunAsync(async () => Results.Ok(await checkpoints.RewindAsync(tenant.TenantId, id, cid, ct))));

        sessions.MapPost("/checkpoints/{cid:guid}/fork", (Guid id, Guid cid, ICurrentTenant tenant, CheckpointService checkpoints, CancellationToken ct) =>
            ChatActionResults.RunAsync(async () =>
            {
                var fork = await checkpoints.ForkAsync(tenant.TenantId, id, cid, ct);
                return Results.Created($"/api/sessions/{fork.Id}", fork);
            }));

        return endpoints;
    }
}
