namespace Agent.Domain.Sessions;

/// <summary>A conversation. <see cref="ActiveLeafId"/> selects the branch the user is looking at.</summary>
public sealed record ChatSession(
    Guid Id,
    string TenantId,
    string Title,
    string ProviderName,
    string ModelId,
    string? AgentProfileId,
    Guid? ActiveLeafId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
