namespace Agent.Domain.Sessions;

/// One window of the shown branch: Messages oldest first, ending at the leaf (first page) or just above OlderThan.
public sealed record TranscriptWindow(IReadOnlyList<SessionMessage> Messages, IReadOnlyDictionary<Guid, BranchPosition> Branches, bool HasOlder)
{
    public static TranscriptWindow Empty { get; } = new([], new Dictionary<Guid, BranchPosition>(), false);
}

/// For a message with alternatives: its 0-based index among its siblings (oldest first), their count, and the sibling ids in order.
public sealed record BranchPosition(int Index, int Count, IReadOnlyList<Guid> SiblingIds);
