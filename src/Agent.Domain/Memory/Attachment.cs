namespace Agent.Domain.Memory;

public enum AttachmentStatus
{
    /// <summary>Uploaded; the ingest_attachment execution has not finished.</summary>
    Pending,
    Ready,
    Failed,
}

/// <summary>
/// A file attached to a message of a session. The bytes live in <see cref="StoragePath"/> (under the data folder);
/// ingestion extracts the text into an artifact (<see cref="ArtifactId"/>) and writes an attachment summary.
/// </summary>
public sealed record Attachment(
    Guid Id,
    string TenantId,
    Guid SessionId,
    Guid? MessageId,
    string FileName,
    string ContentType,
    long SizeBytes,
    string StoragePath,
    AttachmentStatus Status,
    string? Error,
    Guid? ArtifactId,
    Guid? SummaryId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
