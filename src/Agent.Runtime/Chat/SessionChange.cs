using Agent.Domain.Sessions;

namespace Agent.Runtime.Chat;

/// <summary>
/// What changed in a session's stored messages: the messages written (new or updated) and, when the shown
/// branch moved, its new leaf. Subscribers update their copy without reading the database again.
/// </summary>
/// <remarks>
/// Events arrive on the writer's thread and may be handled out of order (a UI posts them to its dispatcher, and a
/// database read may land between two of them). Dropping stale copies uses <see cref="SessionMessage.UpdatedAt"/>:
/// the coordinator gives every write of a reply a strictly later UpdatedAt than the one before (one tick later
/// when the clock has not moved), and the terminal write is always the last. So keep an upsert only when
/// <see cref="Supersedes"/> says so — for events and for messages read from the store alike.
/// </remarks>
public sealed record SessionChange(Guid SessionId, IReadOnlyList<SessionMessage> Upserted, Guid? ActiveLeafId)
{
    /// <summary>True when a reply reached its final state (complete, stopped, failed).</summary>
    public bool TurnEnded => Upserted.Any(m => m.Role == MessageRole.Assistant && m.IsTerminal);

    /// <summary>Whether <paramref name="incoming"/> is newer than the copy held (none held: yes). A terminal copy is never replaced by a streaming one.</summary>
    public static bool Supersedes(SessionMessage incoming, SessionMessage? held)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        if (held is null)
        {
            return true;
        }

        if (held.IsTerminal && !incoming.IsTerminal && incoming.UpdatedAt <= held.UpdatedAt)
        {
            return false;
        }

        return incoming.UpdatedAt >= held.UpdatedAt;
    }
}
