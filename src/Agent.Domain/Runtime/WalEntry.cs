namespace Agent.Domain.Runtime;

public enum WalEntryKind
{
    LifecycleTransition,
    DomainEvent,
}

/// <summary>An append-only log row. <see cref="Sequence"/> is assigned by the store, gap-free and increasing.</summary>
public sealed record WalEntry(
    long Sequence,
    string TenantId,
    Guid? ExecutionId,
    WalEntryKind Kind,
    string EventType,
    string PayloadJson,
    DateTimeOffset RecordedAt);
