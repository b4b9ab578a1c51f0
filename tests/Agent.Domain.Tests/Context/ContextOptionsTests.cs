using Agent.Domain.Configuration;

namespace Agent.Domain.Tests.Context;

public sealed class ContextOptionsTests
{
    private static AgentOptions With(ContextOptions context) => new()
    {
        Providers = [new ProviderOptions { Name = "deterministic", Kind = "Deterministic", Mode = "Deterministic", Models = [new ModelOptions { Id = "m", ContextWindow = 600 }] }],
        Context = context,
    };

    [Fact]
    public void The_defaults_are_valid() => Assert.Empty(AgentOptionsValidator.Validate(With(new ContextOptions())));

    [Theory]
    [InlineData(1.5, 0.3, 1024, 5, "Agent:Context:CompactAtShare")]
    [InlineData(0.05, 0.01, 1024, 5, "Agent:Context:CompactAtShare")]
    [InlineData(0.8, 0.9, 1024, 5, "Agent:Context:KeepRecentShare")]
    [InlineData(0.8, 0.3, 0, 5, "Agent:Context:ReplyReserveTokens")]
    [InlineData(0.8, 0.3, 1024, -1, "Agent:Context:RecallTake")]
    public void A_bad_value_names_its_key_and_the_fix(double compactAt, double keep, int reserve, int recall, string key)
    {
        var error = Assert.Single(AgentOptionsValidator.Validate(With(new ContextOptions { CompactAtShare = compactAt, KeepRecentShare = keep, ReplyReserveTokens = reserve, RecallTake = recall })));
        Assert.Equal(key, error.Key);
        Assert.False(string.IsNullOrWhiteSpace(error.Fix));
    }
}
