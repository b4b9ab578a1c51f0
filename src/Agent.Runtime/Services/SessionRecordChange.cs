namespace Agent.Runtime.Services;

/// <summary>
/// A tenant's session record changed (created, renamed, pinned, moved between shelves, its model, agent or settings).
/// <see cref="SessionId"/> is null when several changed at once; <see cref="TenantId"/> is null when the trash of every
/// tenant was purged.
/// </summary>
public sealed record SessionRecordChange(string? TenantId, Guid? SessionId);
