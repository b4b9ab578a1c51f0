namespace Agent.Domain.Sessions;

public enum CheckpointKind
{
    Manual,
    Compaction,
    BeforeRewind,
}

/// <summary>A snapshot of a session's state: the branch leaf it points at and an optional summary.</summary>
public sealed record Checkpoint(
    Guid Id,
    Guid SessionId,
    string TenantId,
    CheckpointKind Kind,
    string Label,
    Guid? LeafMessageId,
    string? Summary,
    DateTimeOffset CreatedAt);
