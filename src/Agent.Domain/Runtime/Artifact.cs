namespace Agent.Domain.Runtime;

public enum ArtifactLifecycle
{
    Pending,
    Ready,
    Failed,
    Archived,
    Deleted,
}

/// <summary>Where an artifact's bytes can be read: a file, a database row, a URL.</summary>
public sealed record Materialization(string Kind, string Location, string? MediaType, long? SizeBytes);

public sealed record Artifact(
    Guid Id,
    string Type,
    string TenantId,
    string ProducedByIntent,
    Guid ProducedByExecutionId,
    ArtifactLifecycle Lifecycle,
    string SemanticDescriptor,
    IReadOnlyList<Guid> Parents,
    IReadOnlyList<Materialization> Materializations,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
