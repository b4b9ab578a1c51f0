using Agent.Domain.Sessions;
using Agent.Runtime.Chat;
using Microsoft.Extensions.AI;

namespace Agent.Web.Tests;

public sealed class ChatPromptTests
{
    [Fact]
    public void A_stopped_or_interrupted_reply_keeps_its_partial_text_in_the_next_prompt()
    {
        var user = Message(MessageRole.User, "Count to ten", MessageStatus.Complete);
        var stopped = Message(MessageRole.Assistant, "one two three", MessageStatus.Cancelled);
        var failedEmpty = Message(MessageRole.Assistant, "", MessageStatus.Failed);
        var next = Message(MessageRole.User, "Go on", MessageStatus.Complete);

        var prompt = ChatPromptBuilder.ToPrompt([user, stopped, failedEmpty, next], null);

        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.User], prompt.Select(m => m.Role));
        Assert.Equal(["Count to ten", "one two three", "Go on"], prompt.Select(m => m.Text));
    }

    [Fact]
    public void Continue_adds_the_instruction_after_the_partial_reply()
    {
        var prompt = ChatPromptBuilder.ToPrompt([Message(MessageRole.User, "Tell a story", MessageStatus.Complete), Message(MessageRole.Assistant, "Once upon", MessageStatus.Interrupted)], ChatPromptBuilder.ContinueInstruction);

        Assert.Equal(ChatRole.User, prompt[^1].Role);
        Assert.Equal(ChatPromptBuilder.ContinueInstruction, prompt[^1].Text);
        Assert.Equal("Once upon", prompt[^2].Text);
    }

    [Fact]
    public void A_reply_with_tool_calls_replays_in_order_and_leaves_out_calls_that_never_ran()
    {
        var reply = Message(MessageRole.Assistant, "", MessageStatus.Complete) with
        {
            Parts =
            [
                new TextPart("Let me check."),
                new ToolCallPart("c1", "calculator", "{\"expression\":\"2+3\"}"),
                new ToolCallPart("c2", "workspace_write", "{\"path\":\"a.txt\"}"),
                new ToolResultPart("c1", "5", false, "policy", 1),
                new TextPart("It is 5."),
            ],
        };

        var prompt = ChatPromptBuilder.ToPrompt([Message(MessageRole.User, "2+3?", MessageStatus.Complete), reply], null);

        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant], prompt.Select(m => m.Role));
        Assert.Equal("Let me check.", prompt[1].Text);
        var call = Assert.Single(prompt[1].Contents.OfType<FunctionCallContent>());
        Assert.Equal(("c1", "calculator"), (call.CallId, call.Name));
        Assert.Equal("c1", Assert.Single(prompt[2].Contents.OfType<FunctionResultContent>()).CallId);
        Assert.Equal("It is 5.", prompt[3].Text);
    }

    private static SessionMessage Message(MessageRole role, string text, MessageStatus status) => new()
    {
        Id = Guid.NewGuid(),
        SessionId = Guid.Empty,
        TenantId = "local",
        Role = role,
        Parts = text.Length == 0 ? [] : [new TextPart(text)],
        Status = status,
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };
}
