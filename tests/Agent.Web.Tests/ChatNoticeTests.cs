using Agent.Domain.Sessions;
using Agent.Domain.Tools;
using Agent.Runtime.Chat;
using Agent.Web.Components.Layout;

namespace Agent.Web.Tests;

/// <summary>Which changes of other chats the person is told about, and what the toast says.</summary>
public sealed class ChatNoticeTests
{
    private static readonly Guid Other = Guid.NewGuid();
    private static readonly Guid Shown = Guid.NewGuid();

    private static SessionChange Ended(Guid session, MessageStatus status, string tenant = "local", MessageRole role = MessageRole.Assistant) =>
        new(session, [new SessionMessage
        {
            Id = Guid.NewGuid(),
            SessionId = session,
            TenantId = tenant,
            ParentId = Guid.NewGuid(),
            Role = role,
            Parts = [new TextPart("done")],
            Status = status,
            CreatedAt = DateTimeOffset.UnixEpoch,
            UpdatedAt = DateTimeOffset.UnixEpoch,
        }], null);

    [Theory]
    [InlineData(MessageStatus.Complete, ChatNoticeKind.Replied, "“Trip plans” has a new reply.")]
    [InlineData(MessageStatus.Failed, ChatNoticeKind.Failed, "The reply in “Trip plans” failed.")]
    [InlineData(MessageStatus.Interrupted, ChatNoticeKind.Interrupted, "The reply in “Trip plans” was interrupted.")]
    public void A_reply_that_ended_in_another_chat_is_told(MessageStatus status, ChatNoticeKind kind, string text)
    {
        var change = Ended(Other, status);

        var notice = ChatNotice.Of(change, "local", Shown);

        Assert.NotNull(notice);
        Assert.Equal(kind, notice.Kind);
        Assert.Equal(Other, notice.SessionId);
        Assert.Equal(change.Upserted[0].Id, notice.Key);
        Assert.Equal(text, notice.Text("Trip plans"));
    }

    [Fact]
    public void Nothing_is_told_for_the_chat_on_screen_another_tenant_a_reply_still_streaming_a_stopped_one_or_a_persons_message()
    {
        Assert.Null(ChatNotice.Of(Ended(Shown, MessageStatus.Complete), "local", Shown));
        Assert.Null(ChatNotice.Of(Ended(Other, MessageStatus.Complete, tenant: "acme"), "local", Shown));
        Assert.Null(ChatNotice.Of(Ended(Other, MessageStatus.Streaming), "local", Shown));
        Assert.Null(ChatNotice.Of(Ended(Other, MessageStatus.Cancelled), "local", Shown));
        Assert.Null(ChatNotice.Of(Ended(Other, MessageStatus.Complete, role: MessageRole.User), "local", Shown));
        Assert.NotNull(ChatNotice.Of(Ended(Other, MessageStatus.Complete), "local", null));
    }

    [Fact]
    public void A_tool_call_waiting_in_another_chat_is_told_once_it_is_pending_and_only_to_its_tenant()
    {
        var request = new ToolApprovalRequest(Guid.NewGuid(), "local", Other, Guid.NewGuid(), "call-1", "workspace_write", "{}", "writes", DateTimeOffset.UnixEpoch);

        var notice = ChatNotice.Of(request, "local", Shown);

        Assert.NotNull(notice);
        Assert.Equal(ChatNoticeKind.WaitingForApproval, notice.Kind);
        Assert.Equal("“Notes” is waiting for your approval to run workspace_write.", notice.Text("Notes"));
        Assert.Null(ChatNotice.Of(request, "acme", Shown));
        Assert.Null(ChatNotice.Of(request, "local", Other));
        Assert.Null(ChatNotice.Of(request with { Status = ToolApprovalStatus.Approved }, "local", Shown));
        Assert.Null(ChatNotice.Of(request with { SessionId = null }, "local", Shown));
    }
}
