using Agent.Domain.Configuration;
using Agent.Domain.Memory;
using Agent.Domain.Storage;
using Agent.Runtime.Hosting;
using Agent.Runtime.Runtime;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.Memories;

/// <summary>An upload that was stored and handed to ingest_attachment.</summary>
public sealed record AttachmentUpload(Attachment Attachment, Guid ExecutionId);

/// <summary>
/// Stores an attached file under Agent:Memory:AttachmentFolder (checked for type and size first) and submits the
/// ingest_attachment execution that reads it. The bytes are kept so the panel can link to the original.
/// </summary>
public sealed class AttachmentService(IAttachmentStore attachments, ISessionStore sessions, ExecutionRuntime runtime, AppInfo app, IOptions<AgentOptions> options, TimeProvider time)
{
    public string Folder => Path.GetFullPath(Path.Combine(app.ContentRoot, options.Value.Memory.AttachmentFolder));

    public long MaxBytes => options.Value.Memory.AttachmentMaxBytes;

    public async Task<AttachmentUpload> UploadAsync(string tenantId, Guid sessionId, string fileName, Stream content, long size, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var name = Path.GetFileName(fileName ?? "");
        var kind = AttachmentText.Validate(name, size, MaxBytes);
        _ = await sessions.FindAsync(tenantId, sessionId, cancellationToken) ?? throw new KeyNotFoundException($"Session {sessionId} does not exist.");

        var id = Guid.NewGuid();
        var folder = Path.Combine(Folder, tenantId);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{id:N}{Path.GetExtension(name).ToLowerInvariant()}");
        long written;
        await using (var file = File.Create(path))
        {
            written = await CopyBoundedAsync(content, file, MaxBytes, cancellationToken);
        }

        if (written > MaxBytes || written == 0)
        {
            File.Delete(path);
            AttachmentText.Validate(name, written, MaxBytes);
        }

        var now = time.GetUtcNow();
        var attachment = new Attachment(id, tenantId, sessionId, null, name, AttachmentText.MediaTypeOf(kind), written, path, AttachmentStatus.Pending, null, null, null, now, now);
        await attachments.AddAsync(attachment, cancellationToken);
        var submitted = await runtime.SubmitAsync(
            new ExecutionRequest(IngestAttachmentIntent.Name, tenantId, sessionId, null, new Dictionary<string, string> { [IngestAttachmentIntent.AttachmentIdKey] = id.ToString() }, $"{IngestAttachmentIntent.Name}:{id:N}"),
            cancellationToken);
        return new AttachmentUpload(attachment, submitted.Execution.Id);
    }

    public Task<Attachment?> FindAsync(string tenantId, Guid id, CancellationToken cancellationToken) => attachments.FindAsync(tenantId, id, cancellationToken);

    public Task<IReadOnlyList<Attachment>> ListAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken) => attachments.ListBySessionAsync(tenantId, sessionId, cancellationToken);

    /// <summary>Reads at most max + 1 bytes, so an oversized upload is known without storing all of it.</summary>
    private static async Task<long> CopyBoundedAsync(Stream from, Stream to, long max, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > max)
            {
                return total;
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        return total;
    }
}
