using Agent.Runtime.Telemetry;

namespace Agent.Web.Tests;

public sealed class TokenCounterTests
{
    private readonly TiktokenTokenCounter counter = new();

    [Fact]
    public void OpenAiModelsAreCountedExactlyWithTheirOwnEncoding()
    {
        var count = counter.Count("gpt-4o", "Hello, world!");

        Assert.False(count.IsEstimate);
        Assert.Equal(4, count.Tokens);
        Assert.Equal("gpt-4o", count.Tokenizer);
    }

    [Theory]
    [InlineData("claude-sonnet-4-5")]
    [InlineData("deterministic")]
    [InlineData("")]
    public void OtherModelsAreCountedWithAFallbackAndMarkedAsAnEstimate(string model)
    {
        var count = counter.Count(model, "Hello, world!");

        Assert.True(count.IsEstimate);
        Assert.Equal(4, count.Tokens);
        Assert.Equal("o200k_base", count.Tokenizer);
    }

    [Fact]
    public void EmptyTextIsZeroTokens() => Assert.Equal(0, counter.Count("gpt-4o", string.Empty).Tokens);
}
