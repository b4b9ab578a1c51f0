using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Agent.Domain.Memory;
using Agent.Domain.Telemetry;

namespace Agent.Domain.Sessions;

public enum SessionExportFormat
{
    Markdown,
    Json,
}

/// <summary>An exported session: the file's name, media type and text.</summary>
public sealed record SessionExportFile(string FileName, string ContentType, string Content);

/// <summary>
/// A session as a file. Markdown holds the shown branch (role headings, tool calls, attachment names); JSON holds every
/// branch: each message with its parent, parts (tool calls and results included), usage and cost, and the attachments'
/// metadata (name, type, size, status; never the file's bytes or where it is stored).
/// </summary>
public static class SessionExport
{
    public const string JsonFormatName = "personal-agent-chat.session.v1";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>"md" or "json" (any case); null for anything else.</summary>
    public static SessionExportFormat? Parse(string? format) => format?.ToLowerInvariant() switch
    {
        "md" => SessionExportFormat.Markdown,
        "json" => SessionExportFormat.Json,
        _ => null,
    };

    public static SessionExportFile Create(
        SessionExportFormat format, ChatSession session, IReadOnlyList<SessionMessage> messages, IReadOnlyList<Attachment> attachments, DateTimeOffset exportedAt)
    {
        ArgumentNullException.ThrowIfNull(session);
        var name = FileStem(session.Title);
        return format == SessionExportFormat.Json
            ? new SessionExportFile(name + ".json", "application/json; charset=utf-8", ToJson(session, messages, attachments, exportedAt))
            : new SessionExportFile(name + ".md", "text/markdown; charset=utf-8", ToMarkdown(session, new MessageTree(messages).PathTo(session.ActiveLeafId), exportedAt));
    }

    public static string ToMarkdown(ChatSession session, IReadOnlyList<SessionMessage> branch, DateTimeOffset exportedAt)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(branch);
        var md = new StringBuilder();
        md.Append("# ").AppendLine(OneLine(session.Title)).AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Exported {exportedAt:yyyy-MM-dd HH:mm} UTC · {session.ProviderName} · {session.ModelId}");
        foreach (var message in branch.Where(m => m.Role != MessageRole.System))
        {
            md.AppendLine().Append("## ").AppendLine(RoleHeading(message.Role)).AppendLine();
            foreach (var part in message.Parts)
            {
                switch (part)
                {
                    case TextPart text when !string.IsNullOrWhiteSpace(text.Text):
                        md.AppendLine(text.Text.TrimEnd()).AppendLine();
                        break;
                    case ToolCallPart call:
                        md.AppendLine(CultureInfo.InvariantCulture, $"Tool call `{call.ToolName}`:").AppendLine();
                        AppendFenced(md, "json", call.ArgumentsJson);
                        break;
                    case ToolResultPart result:
                        md.AppendLine(result.IsError ? "Tool error:" : "Tool result:").AppendLine();
                        AppendFenced(md, "json", result.ResultJson);
                        break;
                    case AttachmentRefPart file:
                        md.AppendLine(CultureInfo.InvariantCulture, $"Attached: {OneLine(file.FileName)} ({file.MediaType}, {file.SizeBytes:N0} bytes)").AppendLine();
                        break;
                }
            }

            if (message.Status is MessageStatus.Failed or MessageStatus.Cancelled or MessageStatus.Interrupted)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"_{message.Status.ToString().ToLowerInvariant()}{(message.Error is { Length: > 0 } error ? ": " + OneLine(error) : "")}_").AppendLine();
            }
        }

        return md.ToString().TrimEnd() + "\n";
    }

    public static string ToJson(ChatSession session, IReadOnlyList<SessionMessage> messages, IReadOnlyList<Attachment> attachments, DateTimeOffset exportedAt)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(attachments);
        var shown = new MessageTree(messages).PathTo(session.ActiveLeafId).Select(m => m.Id).ToList();
        var document = new ExportDocument(
            JsonFormatName,
            exportedAt,
            new ExportSession(session.Id, session.Title, session.ProviderName, session.ModelId, session.AgentProfileId, session.ActiveLeafId,
                session.CreatedAt, session.UpdatedAt, session.Pinned, session.ArchivedAt),
            shown,
            [.. messages.Select(m => new ExportMessage(
                m.Id, m.ParentId, m.Role, m.Status, m.CreatedAt, m.UpdatedAt, m.Text, m.Parts, m.ProviderName, m.ModelId, m.ProviderMode,
                m.Usage, m.Cost, m.PriceTableVersion, m.Error, m.ExecutionId, m.TimeToFirstTokenMs, m.TotalTimeMs))],
            [.. attachments.Select(a => new ExportAttachment(a.Id, a.MessageId, a.FileName, a.ContentType, a.SizeBytes, a.Status, a.CreatedAt))]);
        return JsonSerializer.Serialize(document, Json);
    }

    /// <summary>A file name from the title: letters, digits and dashes, never empty, at most 60 characters.</summary>
    public static string FileStem(string title)
    {
        var stem = new StringBuilder();
        foreach (var c in (title ?? "").Trim())
        {
            if (char.IsLetterOrDigit(c))
            {
                stem.Append(char.ToLowerInvariant(c));
            }
            else if (stem.Length > 0 && stem[^1] != '-')
            {
                stem.Append('-');
            }

            if (stem.Length >= 60)
            {
                break;
            }
        }

        var name = stem.ToString().Trim('-');
        return name.Length == 0 ? "chat" : name;
    }

    private static string RoleHeading(MessageRole role) => role switch
    {
        MessageRole.User => "User",
        MessageRole.Assistant => "Assistant",
        MessageRole.Tool => "Tool",
        _ => "System",
    };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static void AppendFenced(StringBuilder md, string language, string body)
    {
        // A fence longer than any backtick run inside keeps the block closed where it should be.
        var longest = 0;
        var run = 0;
        foreach (var c in body)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        var fence = new string('`', Math.Max(3, longest + 1));
        md.Append(fence).AppendLine(language).AppendLine(body.TrimEnd()).AppendLine(fence).AppendLine();
    }

    private sealed record ExportDocument(
        string Format, DateTimeOffset ExportedAt, ExportSession Session, IReadOnlyList<Guid> ShownBranch, IReadOnlyList<ExportMessage> Messages, IReadOnlyList<ExportAttachment> Attachments);

    private sealed record ExportSession(
        Guid Id, string Title, string Provider, string Model, string? AgentProfileId, Guid? ActiveLeafId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, bool Pinned, DateTimeOffset? ArchivedAt);

    private sealed record ExportMessage(
        Guid Id, Guid? ParentId, MessageRole Role, MessageStatus Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Text, IReadOnlyList<MessagePart> Parts,
        string? Provider, string? Model, string? ProviderMode, TokenUsage? Usage, decimal? Cost, string? PriceTableVersion, string? Error, Guid? ExecutionId,
        double? TimeToFirstTokenMs, double? TotalTimeMs);

    private sealed record ExportAttachment(Guid Id, Guid? MessageId, string FileName, string ContentType, long SizeBytes, AttachmentStatus Status, DateTimeOffset CreatedAt);
}
