using Agent.Domain.Sessions;
using Agent.Domain.Tools;
using Agent.Runtime.Chat;

namespace Agent.Web.Components.Layout;

public enum ChatNoticeKind
{
    Replied,
    Failed,
    Interrupted,
    WaitingForApproval,
}

/// <summary>
/// What the person hears about a chat they are not looking at: its reply ended, or a tool call in it waits for their
/// approval. <see cref="Key"/> (the reply or the approval request) makes each said once.
/// </summary>
public sealed record ChatNotice(Guid SessionId, Guid Key, ChatNoticeKind Kind, string? ToolName = null)
{
    /// <summary>The notice for a reply of the tenant's that ended in another chat; none for one the person stopped.</summary>
    public static ChatNotice? Of(SessionChange change, string tenantId, Guid? shownSession)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.SessionId == shownSession
            || change.Upserted.LastOrDefault(m => m.Role == MessageRole.Assistant && m.IsTerminal && m.TenantId == tenantId) is not { } ended)
        {
            return null;
        }

        ChatNoticeKind? kind = ended.Status switch
        {
            MessageStatus.Complete => ChatNoticeKind.Replied,
            MessageStatus.Failed => ChatNoticeKind.Failed,
            MessageStatus.Interrupted => ChatNoticeKind.Interrupted,
            _ => null,
        };
        return kind is { } k ? new ChatNotice(change.SessionId, ended.Id, k) : null;
    }

    /// <summary>The notice for a tool call of the tenant's waiting for approval in another chat.</summary>
    public static ChatNotice? Of(ToolApprovalRequest request, string tenantId, Guid? shownSession)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request is { Status: ToolApprovalStatus.Pending, SessionId: { } session } && request.TenantId == tenantId && session != shownSession
            ? new ChatNotice(session, request.Id, ChatNoticeKind.WaitingForApproval, request.ToolName)
            : null;
    }

    public string Text(string title) => Kind switch
    {
        ChatNoticeKind.Replied => $"“{title}” has a new reply.",
        ChatNoticeKind.Failed => $"The reply in “{title}” failed.",
        ChatNoticeKind.Interrupted => $"The reply in “{title}” was interrupted.",
        _ => $"“{title}” is waiting for your approval to run {ToolName}.",
    };
}
