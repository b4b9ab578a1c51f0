using System.Text.Json;
using Agent.Domain.Sessions;
using Agent.Domain.Tools;

namespace Agent.Domain.Tests;

public sealed class MessageContractTests
{
    [Fact]
    public void Message_parts_roundtrip_through_json_with_their_type()
    {
        IReadOnlyList<MessagePart> parts =
        [
            new TextPart("hello "),
            new ToolCallPart("call-1", "calculator", "{\"expression\":\"1+1\"}"),
            new ToolResultPart("call-1", "2", IsError: false),
            new AttachmentRefPart(Guid.NewGuid(), "notes.txt", "text/plain", 12),
            new TextPart("world"),
        ];

        var json = JsonSerializer.Serialize(parts);
        var back = JsonSerializer.Deserialize<List<MessagePart>>(json)!;

        Assert.Equal(parts, back);
        Assert.Contains("\"type\":\"tool_call\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_joins_only_text_parts()
    {
        var message = new SessionMessage
        {
            Id = Guid.NewGuid(),
            SessionId = Guid.NewGuid(),
            TenantId = "local",
            Role = MessageRole.Assistant,
            Parts = [new TextPart("a"), new ToolCallPart("c", "t", "{}"), new TextPart("b")],
            Status = MessageStatus.Streaming,
            CreatedAt = DateTimeOffset.UnixEpoch,
            UpdatedAt = DateTimeOffset.UnixEpoch,
        };

        Assert.Equal("ab", message.Text);
        Assert.False(message.IsTerminal);
        Assert.True((message with { Status = MessageStatus.Interrupted }).IsTerminal);
    }

    [Theory]
    [InlineData(ToolEffects.None, ToolApproval.Always)]
    [InlineData(ToolEffects.Writes, ToolApproval.Ask)]
    [InlineData(ToolEffects.Network, ToolApproval.Ask)]
    [InlineData(ToolEffects.Deletes | ToolEffects.Spends, ToolApproval.Ask)]
    public void Tools_with_effects_ask_by_default(ToolEffects effects, ToolApproval expected) =>
        Assert.Equal(expected, ToolSpec.DefaultApprovalFor(effects));
}
