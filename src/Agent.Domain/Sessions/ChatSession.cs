namespace Agent.Domain.Sessions;

/// <summary>
/// A conversation. <see cref="ActiveLeafId"/> selects the branch the user is looking at. <see cref="Pinned"/> keeps it
/// at the top of the list; <see cref="ArchivedAt"/> hides it from the list until unarchived; <see cref="DeletedAt"/> puts
/// it in the trash, from where it can be restored until it is purged (<see cref="SessionShelves.TrashDays"/> days later).
/// </summary>
public sealed record ChatSession(
    Guid Id,
    string TenantId,
    string Title,
    string ProviderName,
    string ModelId,
    string? AgentProfileId,
    Guid? ActiveLeafId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool Pinned = false,
    DateTimeOffset? ArchivedAt = null,
    DateTimeOffset? DeletedAt = null);

/// <summary>Which sessions a listing shows.</summary>
public enum SessionShelf
{
    /// <summary>Neither archived nor in the trash: the sidebar's list.</summary>
    Active,

    Archived,

    Trash,
}

public static class SessionShelves
{
    /// <summary>How long a deleted session stays in the trash before it is removed for good.</summary>
    public const int TrashDays = 30;
}
