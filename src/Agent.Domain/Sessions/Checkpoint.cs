namespace Agent.Domain.Sessions;

public enum CheckpointKind
{
    Manual,
    Compaction,
    BeforeRewind,
}

/// <summary>
/// A snapshot of a session's state: the branch leaf it points at and an optional summary. A compaction
/// checkpoint's summary stands for every message on the branch up to and including its leaf.
/// </summary>
public sealed record Checkpoint(
    Guid Id,
    Guid SessionId,
    string TenantId,
    CheckpointKind Kind,
    string Label,
    Guid? LeafMessageId,
    string? Summary,
    DateTimeOffset CreatedAt)
{
    /// <summary>Who made it: "person", or the compact_session run with the provider and model that wrote the summary.</summary>
    public string Source { get; init; } = "person";

    /// <summary>The execution that made it (compaction), if any.</summary>
    public Guid? ExecutionId { get; init; }
}
