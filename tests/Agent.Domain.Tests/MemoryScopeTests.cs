using Agent.Domain.Memory;

namespace Agent.Domain.Tests;

public sealed class MemoryScopeTests
{
    private static readonly Guid Chat = Guid.NewGuid();
    private static readonly Guid OtherChat = Guid.NewGuid();

    private static MemoryItem Item(Guid? session, string? agent, MemoryTier tier = MemoryTier.ArchivalFact) =>
        new(Guid.NewGuid(), "local", session, tier, "", "x", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch) { AgentId = agent };

    [Theory]
    [InlineData("none", MemoryScopeKind.None, false)]
    [InlineData("session", MemoryScopeKind.Session, true)]
    [InlineData("Agent", MemoryScopeKind.Agent, true)]
    [InlineData(null, MemoryScopeKind.Session, true)]
    public void A_profiles_scope_names_the_kind_and_whether_the_member_has_memory_at_all(string? configured, MemoryScopeKind kind, bool hasMemory)
    {
        var scope = MemoryScope.ForMember(configured, Chat, "coder");
        Assert.Equal(kind, scope.Kind);
        Assert.Equal(hasMemory, scope.HasMemory);
    }

    [Fact]
    public void None_reaches_nothing()
    {
        var scope = MemoryScope.ForMember("none", Chat, "coder");
        Assert.False(scope.Reaches(Item(Chat, "coder")));
        Assert.False(scope.Reaches(Item(Chat, null)));
    }

    [Fact]
    public void Session_reaches_only_items_of_the_parent_chat_whoever_saved_them()
    {
        var scope = MemoryScope.ForMember("session", Chat, "coder");
        Assert.True(scope.Reaches(Item(Chat, null)));
        Assert.True(scope.Reaches(Item(Chat, "concise")));
        Assert.True(scope.Reaches(Item(Chat, null, MemoryTier.RawHistory)));
        Assert.False(scope.Reaches(Item(OtherChat, "coder")));
        Assert.False(scope.Reaches(Item(null, null)));
    }

    [Fact]
    public void Agent_reaches_only_items_this_profile_saved_in_any_chat()
    {
        var scope = MemoryScope.ForMember("agent", Chat, "coder");
        Assert.True(scope.Reaches(Item(OtherChat, "coder")));
        Assert.True(scope.Reaches(Item(null, "CODER")));
        Assert.False(scope.Reaches(Item(Chat, null)));
        Assert.False(scope.Reaches(Item(Chat, "concise")));
    }

    [Fact]
    public void A_chat_turn_reaches_everything() =>
        Assert.True(MemoryScope.Whole.Reaches(Item(null, null)) && MemoryScope.Whole.HasMemory);
}
