using Agent.Domain.Memory;
using Agent.Domain.Storage;
using Agent.Runtime.Memories;
using Agent.Web.Security;
using Agent.Web.Services;

namespace Agent.Web.Api;

/// <summary>An attachment as the API shows it; <see cref="Status"/> is pending, ready or failed (with <see cref="Error"/>).</summary>
public sealed record AttachmentDto(Guid Id, Guid SessionId, Guid? MessageId, string FileName, string ContentType, long SizeBytes, string Status, string? Error, Guid? ArtifactId, Guid? SummaryId, DateTimeOffset CreatedAt)
{
    public static AttachmentDto From(Attachment a) => new(a.Id, a.SessionId, a.MessageId, a.FileName, a.ContentType, a.SizeBytes, a.Status.ToString().ToLowerInvariant(), a.Error, a.ArtifactId, a.SummaryId, a.CreatedAt);
}

/// <summary>
/// POST /api/sessions/{id}/attachments (multipart, field "file") stores a file and starts ingest_attachment (202 with the
/// execution id); GET lists a session's attachments, one attachment's state, and its original file. The id to send with
/// a message: POST /api/sessions/{id}/messages { "text": "...", "attachmentIds": [...] }.
/// </summary>
public static class AttachmentApi
{
    public static IEndpointRouteBuilder MapAttachmentApi(this IEndpointRouteBuilder endpoints)
    {
        // The form is read by hand (no IFormFile parameter), so the endpoint declares the type the request guard lets through.
        endpoints.MapPost("/api/sessions/{id:guid}/attachments", async (Guid id, HttpRequest request, ICurrentTenant tenant, AttachmentService service, CancellationToken ct) =>
        {
            if (!request.HasFormContentType)
            {
                return Error(StatusCodes.Status400BadRequest, "send the file as multipart/form-data in a field named \"file\".");
            }

            var form = await request.ReadFormAsync(ct);
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
            if (file is null)
            {
                return Error(StatusCodes.Status400BadRequest, "no file: send it in a multipart field named \"file\".");
            }

            try
            {
                await using var stream = file.OpenReadStream();
                var upload = await service.UploadAsync(tenant.TenantId, id, file.FileName, stream, file.Length, ct);
                return Results.Json(new { attachment = AttachmentDto.From(upload.Attachment), executionId = upload.ExecutionId }, statusCode: StatusCodes.Status202Accepted);
            }
            catch (AttachmentRejectedException ex)
            {
                return Error(StatusCodes.Status400BadRequest, ex.Message);
            }
            catch (KeyNotFoundException ex)
            {
                return Error(StatusCodes.Status404NotFound, ex.Message);
            }
        }).WithMetadata(new AcceptedBodyTypes(["multipart/form-data"]));

        endpoints.MapGet("/api/sessions/{id:guid}/attachments", async (Guid id, ICurrentTenant tenant, ISessionStore sessions, AttachmentService service, CancellationToken ct) =>
            await sessions.FindAsync(tenant.TenantId, id, ct) is null
                ? Error(StatusCodes.Status404NotFound, $"Session {id} does not exist.")
                : Results.Ok((await service.ListAsync(tenant.TenantId, id, ct)).Select(AttachmentDto.From)));

        endpoints.MapGet("/api/attachments/{id:guid}", async (Guid id, ICurrentTenant tenant, AttachmentService service, CancellationToken ct) =>
            await service.FindAsync(tenant.TenantId, id, ct) is { } attachment
                ? Results.Ok(AttachmentDto.From(attachment))
                : Error(StatusCodes.Status404NotFound, $"There is no attachment {id}."));

        endpoints.MapGet("/api/attachments/{id:guid}/content", async (Guid id, ICurrentTenant tenant, AttachmentService service, CancellationToken ct) =>
            await service.FindAsync(tenant.TenantId, id, ct) is { } attachment && File.Exists(attachment.StoragePath)
                ? Results.File(attachment.StoragePath, attachment.ContentType, attachment.FileName)
                : Error(StatusCodes.Status404NotFound, $"There is no attachment {id}."));

        return endpoints;
    }

    private static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);
}
