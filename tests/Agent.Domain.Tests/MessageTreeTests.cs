using Agent.Domain.Sessions;

namespace Agent.Domain.Tests;

public sealed class MessageTreeTests
{
    private static readonly Guid Session = Guid.NewGuid();
    private static int clock;

    [Fact]
    public void Regenerate_and_edit_create_siblings_and_the_path_follows_the_selected_leaf()
    {
        var user = Message(null, MessageRole.User, "hi");
        var first = Message(user.Id, MessageRole.Assistant, "hello");
        var regenerated = Message(user.Id, MessageRole.Assistant, "hey");
        var edited = Message(null, MessageRole.User, "hi there");
        var editedReply = Message(edited.Id, MessageRole.Assistant, "hi!");
        var tree = new MessageTree([user, first, regenerated, edited, editedReply]);

        Assert.Equal([edited.Id, editedReply.Id], tree.PathTo(null).Select(m => m.Id));
        Assert.Equal([user.Id, first.Id], tree.PathTo(first.Id).Select(m => m.Id));
        Assert.Equal([first.Id, regenerated.Id], tree.SiblingsOf(regenerated).Select(m => m.Id));
        Assert.Equal([user.Id, edited.Id], tree.SiblingsOf(user).Select(m => m.Id));
        Assert.Equal(regenerated.Id, tree.LatestLeafUnder(user).Id);
    }

    [Fact]
    public void Unknown_leaf_falls_back_to_the_newest_branch_and_empty_tree_has_no_path()
    {
        Assert.Empty(new MessageTree([]).PathTo(Guid.NewGuid()));
        var user = Message(null, MessageRole.User, "a");
        Assert.Equal([user.Id], new MessageTree([user]).PathTo(Guid.NewGuid()).Select(m => m.Id));
    }

    [Fact]
    public void A_window_is_the_newest_part_of_the_path_with_the_branch_positions_of_its_messages()
    {
        var user = Message(null, MessageRole.User, "hi");
        var first = Message(user.Id, MessageRole.Assistant, "hello");
        var regenerated = Message(user.Id, MessageRole.Assistant, "hey");
        var next = Message(regenerated.Id, MessageRole.User, "and?");
        var tree = new MessageTree([user, first, regenerated, next]);

        var newest = tree.Window(null, null, 2);
        Assert.Equal([regenerated.Id, next.Id], newest.Messages.Select(m => m.Id));
        Assert.True(newest.HasOlder);
        var position = Assert.Single(newest.Branches).Value;
        Assert.Equal((1, 2), (position.Index, position.Count));
        Assert.Equal([first.Id, regenerated.Id], position.SiblingIds);

        var older = tree.Window(null, regenerated.Id, 2);
        Assert.Equal([user.Id], older.Messages.Select(m => m.Id));
        Assert.False(older.HasOlder);
        Assert.Empty(older.Branches);
        Assert.Empty(tree.Window(null, Guid.NewGuid(), 2).Messages);
    }

    private static SessionMessage Message(Guid? parent, MessageRole role, string text) => new()
    {
        Id = Guid.NewGuid(),
        SessionId = Session,
        TenantId = "local",
        ParentId = parent,
        Role = role,
        Parts = [new TextPart(text)],
        Status = MessageStatus.Complete,
        CreatedAt = DateTimeOffset.UnixEpoch.AddSeconds(Interlocked.Increment(ref clock)),
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };
}
