using System.Text.Json;
using System.Text.RegularExpressions;
using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Agent.Runtime.Runtime;
using Agent.Web.Services;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Agent.Web.Api;

/// <summary>A submission: <see cref="Parameters"/> are what the handler needs, <see cref="Metadata"/> what is about the request (handlers read a parameter from the metadata too, as earlier clients sent them there).</summary>
public sealed record SubmitExecutionRequest(string? Intent, Guid? SessionId, string? SolutionId, Dictionary<string, JsonElement>? Metadata, string? IdempotencyKey, Dictionary<string, JsonElement>? Parameters = null);

public sealed record ArtifactResolveRequest(Guid? Id);

/// <summary>A page of artifacts; <see cref="Lifecycle"/> filters by the contract's name (READY) or, for older clients, any case of it (Ready).</summary>
public sealed record ArtifactListRequest(string? Type, string? Lifecycle, Guid? ExecutionId, int? Skip, int? Take);

public sealed record ArtifactListResponse(IReadOnlyList<ArtifactView> Items, int Skip, int Take, bool HasMore);

public sealed record ApiError(string Error);

/// <summary>
/// The runtime's HTTP surface. The tenant is the caller's (<see cref="PrincipalTenant"/>); only the loopback owner may
/// name another one with the X-Tenant-Id header (a local operator's tool), a signed-in caller or token never: off
/// loopback the header would let anyone read any tenant. Another tenant's ids answer 404; every refusal has a JSON
/// body { "error": "..." } that says why. Executions are shown in the runtime contract's shape
/// (<see cref="ExecutionStatusView"/>): the full form, with artifacts and WAL events, only from GET .../status; a
/// submission, the list and cancel/retry answer with the short form (no artifacts, no events: a query each, for
/// every listed item, and long for a long execution).
/// </summary>
public static partial class RuntimeApi
{
    public const string TenantHeader = "X-Tenant-Id";
    public const int MaxPageSize = 200;

    public static IEndpointRouteBuilder MapRuntimeApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/execution", async (HttpContext http, ExecutionRuntime runtime, ExecutionStatusReader reader, CancellationToken ct) =>
        {
            if (Tenant(http) is not { } tenant)
            {
                return BadTenant();
            }

            var (body, error) = await ReadAsync<SubmitExecutionRequest>(http, ct);
            if (body is null)
            {
                return Error(StatusCodes.Status400BadRequest, error!);
            }

            if (string.IsNullOrWhiteSpace(body.Intent))
            {
                return Error(StatusCodes.Status400BadRequest, "intent is required (for example \"demo_long_task\").");
            }

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in body.Metadata ?? [])
            {
                if (string.IsNullOrWhiteSpace(key))
                {
                    return Error(StatusCodes.Status400BadRequest, "metadata has a blank key.");
                }

                if (key == ExecutionRuntime.ParentExecutionKey)
                {
                    // A child named by its parent runs in the parent's slot; a caller naming one could step past the caps.
                    return Error(StatusCodes.Status400BadRequest, $"metadata key '{key}' is reserved: only the app names an execution's parent.");
                }

                metadata[key] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
            }

            var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in body.Parameters ?? [])
            {
                if (string.IsNullOrWhiteSpace(key))
                {
                    return Error(StatusCodes.Status400BadRequest, "parameters has a blank key.");
                }

                parameters[key] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
            }

            try
            {
                var outcome = await runtime.SubmitAsync(new ExecutionRequest(body.Intent.Trim(), tenant, body.SessionId, body.SolutionId, metadata, body.IdempotencyKey) { Parameters = parameters }, ct);
                var location = $"/api/execution/{outcome.Execution.Id}/status";
                var view = await reader.SummaryAsync(outcome.Execution, ct);
                return outcome.Created
                    ? WithLocation(Results.Json(view, statusCode: StatusCodes.Status202Accepted), location)
                    : Results.Json(view, statusCode: StatusCodes.Status200OK);
            }
            catch (SubmissionNotFoundException ex)
            {
                return Error(StatusCodes.Status404NotFound, ex.Message);
            }
            catch (SubmissionRejectedException ex)
            {
                return Error(StatusCodes.Status400BadRequest, ex.Message);
            }
            catch (IdempotencyConflictException ex)
            {
                return Error(StatusCodes.Status409Conflict, ex.Message);
            }
            catch (CapsExceededException ex)
            {
                return Error(StatusCodes.Status429TooManyRequests, ex.Message);
            }
        });

        endpoints.MapGet("/api/execution", async (HttpContext http, ExecutionRuntime runtime, ExecutionStatusReader reader, int? skip, int? take, CancellationToken ct) =>
        {
            if (Tenant(http) is not { } tenant)
            {
                return BadTenant();
            }

            if (skip < 0 || take is < 1 or > MaxPageSize)
            {
                return Error(StatusCodes.Status400BadRequest, $"skip must be >= 0 and take within 1..{MaxPageSize}.");
            }

            return Results.Json(await reader.SummariesAsync(tenant, await runtime.ListAsync(tenant, skip ?? 0, take ?? 50, ct), ct));
        });

        endpoints.MapGet("/api/execution/{id}/status", async (HttpContext http, string id, ExecutionStatusReader reader, CancellationToken ct) =>
            await WithExecutionAsync(http, id, async (tenant, executionId) =>
                await reader.StatusAsync(tenant, executionId, ct) is { } view ? Results.Json(view) : NotFound(executionId)));

        // With Accept: text/event-stream, the execution as server-sent events (ExecutionEventStream); otherwise its WAL entries as a JSON list.
        endpoints.MapGet("/api/execution/{id}/events", async (HttpContext http, string id, ExecutionRuntime runtime, ExecutionSubscription subscription, IOptions<ExecutionRuntimeOptions> options, CancellationToken ct) =>
            await WithExecutionAsync(http, id, async (tenant, executionId) =>
            {
                if (!ExecutionEventStream.IsAccepted(http.Request))
                {
                    return await runtime.EventsAsync(tenant, executionId, ct) is { } events ? Results.Json(events) : NotFound(executionId);
                }

                var start = ExecutionCursor.Start;
                var lastEventId = http.Request.Headers[ExecutionEventStream.LastEventIdHeader].ToString();
                if (!string.IsNullOrWhiteSpace(lastEventId) && !ExecutionCursor.TryParse(lastEventId, out start, out var problem))
                {
                    return Error(StatusCodes.Status400BadRequest, $"{ExecutionEventStream.LastEventIdHeader} '{Shorten(lastEventId)}' {problem}.");
                }

                var stream = await subscription.SubscribeAsync(tenant, executionId, start, options.Value.SseHeartbeat, ct);
                return stream is null ? NotFound(executionId) : new ExecutionEventStream(stream);
            }));

        endpoints.MapPost("/api/execution/{id}/cancel", async (HttpContext http, string id, ExecutionRuntime runtime, ExecutionStatusReader reader, CancellationToken ct) =>
            await WithExecutionAsync(http, id, async (tenant, executionId) =>
            {
                try
                {
                    return await runtime.CancelAsync(tenant, executionId, ct) is { } record ? Results.Json(await reader.SummaryAsync(record, ct)) : NotFound(executionId);
                }
                catch (ExecutionStateConflictException ex)
                {
                    return Error(StatusCodes.Status409Conflict, ex.Message);
                }
            }));

        endpoints.MapPost("/api/execution/{id}/retry", async (HttpContext http, string id, ExecutionRuntime runtime, ExecutionStatusReader reader, CancellationToken ct) =>
            await WithExecutionAsync(http, id, async (tenant, executionId) =>
            {
                try
                {
                    return await runtime.RetryAsync(tenant, executionId, ct) is { } record ? Results.Json(await reader.SummaryAsync(record, ct)) : NotFound(executionId);
                }
                catch (ExecutionStateConflictException ex)
                {
                    return Error(StatusCodes.Status409Conflict, ex.Message);
                }
                catch (CapsExceededException ex)
                {
                    return Error(StatusCodes.Status429TooManyRequests, ex.Message);
                }
            }));

        endpoints.MapPost("/api/artifact/resolve", async (HttpContext http, ArtifactRegistry artifacts, CancellationToken ct) =>
        {
            if (Tenant(http) is not { } tenant)
            {
                return BadTenant();
            }

            var (body, error) = await ReadAsync<ArtifactResolveRequest>(http, ct);
            if (body is null)
            {
                return Error(StatusCodes.Status400BadRequest, error!);
            }

            if (body.Id is not { } artifactId || artifactId == Guid.Empty)
            {
                return Error(StatusCodes.Status400BadRequest, "id is required: the artifact's GUID.");
            }

            return await artifacts.ResolveAsync(tenant, artifactId, ct) is { } artifact
                ? Results.Json(ArtifactView.Of(artifact))
                : Error(StatusCodes.Status404NotFound, $"Artifact {artifactId} does not exist for tenant '{tenant}'.");
        });

        endpoints.MapPost("/api/artifact/list", async (HttpContext http, ArtifactRegistry artifacts, CancellationToken ct) =>
        {
            if (Tenant(http) is not { } tenant)
            {
                return BadTenant();
            }

            var (body, error) = await ReadAsync<ArtifactListRequest>(http, ct, allowEmpty: true);
            if (body is null)
            {
                return Error(StatusCodes.Status400BadRequest, error!);
            }

            var skip = body.Skip ?? 0;
            var take = body.Take ?? 50;
            if (skip < 0 || take < 1 || take > MaxPageSize)
            {
                return Error(StatusCodes.Status400BadRequest, $"skip must be >= 0 and take within 1..{MaxPageSize}.");
            }

            ArtifactLifecycle? lifecycle = null;
            if (body.Lifecycle is not null)
            {
                if (!ArtifactLifecycleNames.TryParse(body.Lifecycle, out var named))
                {
                    return Error(StatusCodes.Status400BadRequest, $"lifecycle '{Shorten(body.Lifecycle)}' is not one of {string.Join(", ", ArtifactLifecycleNames.All)}.");
                }

                lifecycle = named;
            }

            var page = await artifacts.ListAsync(new ArtifactQuery(tenant, body.Type, lifecycle, body.ExecutionId, skip, take + 1), ct);
            return Results.Json(new ArtifactListResponse([.. page.Take(take).Select(ArtifactView.Of)], skip, take, page.Count > take));
        });

        return endpoints;
    }

    private static async Task<IResult> WithExecutionAsync(HttpContext http, string id, Func<string, Guid, Task<IResult>> action)
    {
        if (Tenant(http) is not { } tenant)
        {
            return BadTenant();
        }

        if (!Guid.TryParse(id, out var executionId))
        {
            return Error(StatusCodes.Status400BadRequest, $"'{id}' is not an execution id (a GUID).");
        }

        return await action(tenant, executionId);
    }

    private static string? Tenant(HttpContext http)
    {
        var caller = http.RequestServices.GetRequiredService<PrincipalTenant>();
        var header = http.Request.Headers[TenantHeader].ToString();
        if (string.IsNullOrEmpty(header) || header == caller.TenantId)
        {
            return caller.TenantId;
        }

        return caller.IsLocalOwner && TenantPattern().IsMatch(header) ? header : null;
    }

    private static IResult BadTenant() =>
        Error(StatusCodes.Status400BadRequest, $"{TenantHeader} must be 1-64 characters of letters, digits, '.', '_' or '-', and only the loopback owner may name a tenant other than their own.");

    private static IResult NotFound(Guid executionId) =>
        Error(StatusCodes.Status404NotFound, $"Execution {executionId} does not exist for this tenant.");

    private static IResult Error(int status, string reason) => Results.Json(new ApiError(reason), statusCode: status);

    /// <summary>A caller's value quoted back in an error, cut short so a refusal never echoes a whole body.</summary>
    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "...";

    private static IResult WithLocation(IResult result, string location) => new LocatedResult(result, location);

    private static async Task<(T? Body, string? Error)> ReadAsync<T>(HttpContext http, CancellationToken ct, bool allowEmpty = false)
        where T : class
    {
        var json = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            using var reader = new StreamReader(http.Request.Body);
            var text = await reader.ReadToEndAsync(ct);
            if (string.IsNullOrWhiteSpace(text))
            {
                return allowEmpty ? (JsonSerializer.Deserialize<T>("{}", json), null) : (null, "The request body is empty; send a JSON object.");
            }

            var body = JsonSerializer.Deserialize<T>(text, json);
            return body is null ? (null, "The request body must be a JSON object, not null.") : (body, null);
        }
        catch (JsonException ex)
        {
            return (null, $"The request body is not valid JSON for this endpoint: {ex.Message}");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex TenantPattern();

    private sealed class LocatedResult(IResult inner, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
