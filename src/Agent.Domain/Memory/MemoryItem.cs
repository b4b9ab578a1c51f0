namespace Agent.Domain.Memory;

public enum MemoryTier
{
    RawHistory,
    DailyEpisode,
    PinnedBlock,
    ArchivalFact,
    AttachmentSummary,
}

public sealed record MemoryItem(
    Guid Id,
    string TenantId,
    Guid? SessionId,
    MemoryTier Tier,
    string Title,
    string Content,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
