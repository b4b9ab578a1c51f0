using Agent.Domain.Memory;
using Agent.Runtime.Memories;
using Agent.Web.Services;

namespace Agent.Web.Api;

/// <summary>A memory item as the API shows it; <see cref="Tier"/> is pinned, archival, episode, attachment or raw; <see cref="AgentId"/> is the team member's profile that saved it.</summary>
public sealed record MemoryItemDto(
    Guid Id,
    string Tier,
    string Title,
    string Content,
    string Source,
    Guid? SessionId,
    Guid? MessageId,
    Guid? AttachmentId,
    string? AgentId,
    DateOnly? Day,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static MemoryItemDto From(MemoryItem item) => new(
        item.Id, MemoryTiers.ToApi(item.Tier), item.Title, item.Content, item.Source.ToString().ToLowerInvariant(),
        item.SessionId, item.SourceMessageId, item.AttachmentId, item.AgentId, item.Day, item.CreatedAt, item.UpdatedAt);
}

public sealed record MemoryPageDto(IReadOnlyList<MemoryItemDto> Items, int Total);

/// <summary>GET/POST /api/memory, PUT/DELETE /api/memory/{id}, POST /api/memory/{id}/pin|unpin, for the current tenant.</summary>
public static class MemoryApi
{
    public sealed record SaveRequest(string? Tier, string? Content, string? Title);

    public sealed record EditRequest(string? Content, string? Title);

    public static IEndpointRouteBuilder MapMemoryApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/memory", async (string? tier, string? q, int? skip, int? take, ICurrentTenant tenant, MemoryService memory, CancellationToken ct) =>
        {
            MemoryTier? parsed = null;
            if (!string.IsNullOrWhiteSpace(tier))
            {
                if (!MemoryTiers.TryParse(tier, out var t) || t == MemoryTier.RawHistory)
                {
                    return Error($"tier '{tier}' is not one of pinned, archival, episode, attachment (raw history is the sessions' messages: GET /api/sessions?q=).");
                }

                parsed = t;
            }

            if (take is < 1 or > 200 || skip is < 0)
            {
                return Error("take must be 1 to 200 and skip 0 or more.");
            }

            var page = await memory.SearchAsync(tenant.TenantId, parsed, q, skip ?? 0, take ?? 50, ct);
            return Results.Ok(new MemoryPageDto(page.Items.Select(MemoryItemDto.From).ToList(), page.Total));
        });

        endpoints.MapGet("/api/memory/{id:guid}", async (Guid id, ICurrentTenant tenant, MemoryService memory, CancellationToken ct) =>
            await memory.FindAsync(tenant.TenantId, id, ct) is { } item
                ? Results.Ok(MemoryItemDto.From(item))
                : Results.NotFound(new { error = $"There is no memory item {id}." }));

        endpoints.MapPost("/api/memory", async (SaveRequest? body, ICurrentTenant tenant, MemoryService memory, CancellationToken ct) =>
        {
            if (body is null)
            {
                return Error("the body must be JSON: { \"tier\": \"pinned\"|\"archival\", \"content\": \"...\" }.");
            }

            if (body.Tier is not ("pinned" or "archival"))
            {
                return Error($"tier must be \"pinned\" or \"archival\", not {(body.Tier is null ? "missing" : $"\"{body.Tier}\"")}.");
            }

            return await Run(async () =>
            {
                var item = await memory.SaveAsync(tenant.TenantId, MemoryTiers.Parse(body.Tier), body.Content, body.Title, MemorySource.Person, null, null, ct);
                return Results.Created($"/api/memory/{item.Id}", MemoryItemDto.From(item));
            });
        });

        endpoints.MapPut("/api/memory/{id:guid}", async (Guid id, EditRequest? body, ICurrentTenant tenant, MemoryService memory, CancellationToken ct) =>
            body is null
                ? Error("the body must be JSON: { \"content\": \"...\" }.")
                : await Run(async () => Results.Ok(MemoryItemDto.From(await memory.EditAsync(tenant.TenantId, id, body.Content, body.Title, ct)))));

        endpoints.MapDelete("/api/memory/{id:guid}", async (Guid id, ICurrentTenant tenant, MemoryService memory, CancellationToken ct) =>
            await memory.ForgetAsync(tenant.TenantId, id, ct)
                ? Results.NoContent()
                : Results.NotFound(new { error = $"There is no memory item {id}." }));

        endpoints.MapPost("/api/memory/{id:guid}/pin", async (Guid id, ICurrentTenant tenant, MemoryService memory, CancellationToken ct) =>
            await Run(async () => Results.Ok(MemoryItemDto.From(await memory.PinAsync(tenant.TenantId, id, ct)))));

        endpoints.MapPost("/api/memory/{id:guid}/unpin", async (Guid id, ICurrentTenant tenant, MemoryService memory, CancellationToken ct) =>
            await Run(async () => Results.Ok(MemoryItemDto.From(await memory.UnpinAsync(tenant.TenantId, id, ct)))));

        return endpoints;
    }

    private static IResult Error(string message) => Results.BadRequest(new { error = message });

    private static async Task<IResult> Run(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (MemoryRuleException ex)
        {
            return Error(ex.Message);
        }
        catch (KeyNotFoundException ex)
        {
            return Results.NotFound(new { error = ex.Message });
        }
    }
}
