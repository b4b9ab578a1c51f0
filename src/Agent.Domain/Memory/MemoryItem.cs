namespace Agent.Domain.Memory;

public enum MemoryTier
{
    RawHistory,
    DailyEpisode,
    PinnedBlock,
    ArchivalFact,
    AttachmentSummary,
}

/// <summary>Who or what an item came from.</summary>
public enum MemorySource
{
    Person,
    Agent,
    Session,
    Message,
    Attachment,
}

/// <summary>
/// One remembered item of a tenant. <see cref="Source"/> says where it came from; <see cref="SourceMessageId"/> and
/// <see cref="AttachmentId"/> link to the message or attachment it was taken from (when there is one), and
/// <see cref="Day"/> is the day a daily episode covers.
/// </summary>
public sealed record MemoryItem(
    Guid Id,
    string TenantId,
    Guid? SessionId,
    MemoryTier Tier,
    string Title,
    string Content,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public MemorySource Source { get; init; } = MemorySource.Person;

    public Guid? SourceMessageId { get; init; }

    /// <summary>The agent profile that saved the item (a team member's memory_save); null for the person's and a chat turn's.</summary>
    public string? AgentId { get; init; }

    public Guid? AttachmentId { get; init; }

    public DateOnly? Day { get; init; }
}
