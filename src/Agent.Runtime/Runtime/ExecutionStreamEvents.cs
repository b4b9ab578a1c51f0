using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Agent.Domain.Sessions;

namespace Agent.Runtime.Runtime;

/// <summary>
/// Where a subscriber of an execution's stream stands, and so the id of every event it gets: the last WAL entry it has
/// (<see cref="Wal"/>), and for an execution that streams a reply, how much of the reply's text (<see cref="Text"/>, in
/// UTF-16 code units, as JavaScript counts string length) and how many of the reply's tool parts (<see cref="Tools"/>).
/// Written "wal" (no reply), "wal:text", or "wal:text:tools" once the reply has tool parts; a reconnect that sends it
/// back as Last-Event-ID gets nothing it already had.
/// </summary>
public readonly record struct ExecutionCursor(long Wal, int? Text, int Tools)
{
    public const string Format = "'wal', 'wal:text' or 'wal:text:tools' (whole numbers, 0 or more), as the last event's id was written";

    /// <summary>From the beginning: every WAL entry, all of the text, every tool part.</summary>
    public static ExecutionCursor Start { get; } = new(0, null, 0);

    public override string ToString() => Text is not { } text
        ? Wal.ToString(CultureInfo.InvariantCulture)
        : Tools == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{Wal}:{text}")
            : string.Create(CultureInfo.InvariantCulture, $"{Wal}:{text}:{Tools}");

    /// <summary>Reads an event id back; <paramref name="problem"/> says what is wrong with one that is not.</summary>
    public static bool TryParse(string? value, out ExecutionCursor cursor, [NotNullWhen(false)] out string? problem)
    {
        cursor = Start;
        problem = null;
        var parts = (value ?? "").Trim().Split(':');
        if (parts.Length is < 1 or > 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var wal)
            || !TryCount(parts, 1, out var text)
            || !TryCount(parts, 2, out var tools))
        {
            problem = $"must be {Format}";
            return false;
        }

        cursor = new ExecutionCursor(wal, parts.Length > 1 ? text : null, tools);
        return true;
    }

    private static bool TryCount(string[] parts, int index, out int count)
    {
        count = 0;
        return parts.Length <= index || int.TryParse(parts[index], NumberStyles.None, CultureInfo.InvariantCulture, out count);
    }
}

/// <summary>
/// One event of an execution's stream (<see cref="ExecutionSubscription"/>): its <see cref="Name"/> (the SSE event
/// name), what it carries (<see cref="Data"/>, written as JSON) and the <see cref="ExecutionStreamEvent.Cursor"/> after it (its id).
/// </summary>
public abstract record ExecutionStreamEvent(ExecutionCursor Cursor)
{
    public abstract string Name { get; }

    /// <summary>The event's payload; null for a keep-alive, which carries nothing.</summary>
    public abstract object? Data { get; }
}

/// <summary>The execution's status after a WAL entry (<see cref="ExecutionStreamStatus.Event"/>), or a change the WAL does not record (awaiting approval).</summary>
public sealed record ExecutionStatusEvent(ExecutionCursor Cursor, ExecutionStreamStatus Status) : ExecutionStreamEvent(Cursor)
{
    public override string Name => "status";

    public override object? Data => Status;
}

/// <summary>The reply's text from <see cref="ReplyTextChunk.Offset"/>.</summary>
public sealed record ExecutionTextEvent(ExecutionCursor Cursor, ReplyTextChunk Text) : ExecutionStreamEvent(Cursor)
{
    public override string Name => "text";

    public override object? Data => Text;
}

/// <summary>A tool call or result added to the reply, or a WAL domain event about tools ("tool.*").</summary>
public sealed record ExecutionToolEvent(ExecutionCursor Cursor, ReplyToolActivity Tool) : ExecutionStreamEvent(Cursor)
{
    public override string Name => "tool";

    public override object? Data => Tool;
}

/// <summary>An artifact the execution registered.</summary>
public sealed record ExecutionArtifactEvent(ExecutionCursor Cursor, ArtifactView Artifact) : ExecutionStreamEvent(Cursor)
{
    public override string Name => "artifact";

    public override object? Data => Artifact;
}

/// <summary>The execution ended; nothing follows.</summary>
public sealed record ExecutionEndEvent(ExecutionCursor Cursor, ExecutionStreamEnd End) : ExecutionStreamEvent(Cursor)
{
    public override string Name => "end";

    public override object? Data => End;
}

/// <summary>Nothing happened for the keep-alive interval: a transport writes a comment so proxies keep the connection open.</summary>
public sealed record ExecutionKeepAliveEvent(ExecutionCursor Cursor) : ExecutionStreamEvent(Cursor)
{
    public override string Name => "keep-alive";

    public override object? Data => null;
}

/// <summary>
/// A status event's data: the contract status and sub-status, the error the entry recorded (a failure's), and the
/// entry itself; <see cref="Event"/> is null for a status the WAL does not record (awaiting_approval comes and goes).
/// </summary>
public sealed record ExecutionStreamStatus(string Status, string? SubStatus, string? Error, ExecutionEventView? Event);

/// <summary>A piece of a reply's text: <see cref="Text"/> starts at <see cref="Offset"/> of the reply's whole text.</summary>
public sealed record ReplyTextChunk(Guid MessageId, int Offset, string Text);

/// <summary>A tool event's data: a tool call or result part of the reply (<see cref="Part"/>), or a WAL domain event about tools (<see cref="Event"/>).</summary>
public sealed record ReplyToolActivity(Guid? MessageId, MessagePart? Part, ExecutionEventView? Event);

/// <summary>The end event's data: the final status as the WAL recorded it, with the record's progress and end time.</summary>
public sealed record ExecutionStreamEnd(string Status, string? SubStatus, string? Error, double Progress, string? ProgressMessage, DateTimeOffset? EndedAt);
