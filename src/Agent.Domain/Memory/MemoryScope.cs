namespace Agent.Domain.Memory;

public enum MemoryScopeKind
{
    /// <summary>A chat turn: all of the tenant's memory, as always.</summary>
    Whole,
    None,
    Session,
    Agent,
}

/// <summary>
/// Which memory a turn reaches. A chat turn reaches all of the tenant's (<see cref="Whole"/>); a team member's turn
/// reaches what its profile's MemoryScope names, by this rule:
/// <list type="bullet">
/// <item><c>none</c>: nothing. No pinned blocks, no recalled items, no memory_* tools.</item>
/// <item><c>session</c>: the pinned blocks its chat carries (the tenant's), and recall and memory_search only over
/// items of that chat session (its messages, daily episodes, attachment summaries and the facts saved in it), and the
/// chat's newest daily episodes.</item>
/// <item><c>agent</c>: the tenant's pinned blocks, and recall and memory_search only over items this profile saved
/// (in any session).</item>
/// </list>
/// What a member saves is stamped with its profile (and its chat session), so an agent-scoped profile finds it again
/// in later runs; a member may pin or forget only items it reaches.
/// </summary>
public sealed record MemoryScope(MemoryScopeKind Kind, Guid? SessionId, string? ProfileId)
{
    public static MemoryScope Whole { get; } = new(MemoryScopeKind.Whole, null, null);

    /// <summary>The scope of a member running <paramref name="profileId"/> for a task of the chat <paramref name="sessionId"/>.</summary>
    public static MemoryScope ForMember(string? scope, Guid sessionId, string profileId) => new(
        scope?.Trim().ToLowerInvariant() switch
        {
            "none" => MemoryScopeKind.None,
            "agent" => MemoryScopeKind.Agent,
            _ => MemoryScopeKind.Session, // the profile's default; the validator refuses any other value
        },
        sessionId,
        profileId);

    /// <summary>Whether pinned blocks go into the turn's context and memory tools are offered.</summary>
    public bool HasMemory => Kind != MemoryScopeKind.None;

    /// <summary>Whether recall, search, pin and forget may reach this item.</summary>
    public bool Reaches(MemoryItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Kind switch
        {
            MemoryScopeKind.Whole => true,
            MemoryScopeKind.Session => item.SessionId is { } id && id == SessionId,
            MemoryScopeKind.Agent => item.AgentId is { } agent && string.Equals(agent, ProfileId, StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
    }
}
