using Agent.Domain.Runtime;

namespace Agent.Domain.Tests.Runtime;

public sealed class IntentRegistryTests
{
    private static readonly IntentMetadata Metadata = new("test", IntentPolicy.Default);

    [Fact]
    public void Registered_intent_resolves_to_its_handler()
    {
        var registry = new IntentRegistry();
        var handler = new NoopHandler();
        registry.Register("summarize_day", "DaySummarizer", handler, Metadata);
        var registration = registry.Resolve("summarize_day");
        Assert.Same(handler, registration.Handler);
        Assert.Equal("DaySummarizer", registration.HandlerName);
        Assert.True(registry.TryResolve("summarize_day", out _));
    }

    [Fact]
    public void Duplicate_registration_is_a_clear_error()
    {
        var registry = new IntentRegistry();
        registry.Register("send_message", "A", new NoopHandler(), Metadata);
        var ex = Assert.Throws<IntentRegistrationException>(() => registry.Register("send_message", "B", new NoopHandler(), Metadata));
        Assert.Contains("'send_message' is already registered to handler 'A'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_intent_is_a_clear_error_listing_known_ones()
    {
        var registry = new IntentRegistry();
        registry.Register("b_intent", "B", new NoopHandler(), Metadata);
        registry.Register("a_intent", "A", new NoopHandler(), Metadata);
        var ex = Assert.Throws<UnknownIntentException>(() => registry.Resolve("nope"));
        Assert.Contains("'nope' is not registered", ex.Message, StringComparison.Ordinal);
        Assert.Contains("a_intent, b_intent", ex.Message, StringComparison.Ordinal);
        Assert.False(registry.TryResolve("nope", out _));
    }

    [Fact]
    public void Invalid_policy_and_blank_names_are_refused()
    {
        var registry = new IntentRegistry();
        Assert.Throws<IntentRegistrationException>(() => registry.Register(" ", "A", new NoopHandler(), Metadata));
        Assert.Throws<IntentRegistrationException>(() => registry.Register("x", "", new NoopHandler(), Metadata));
        var bad = new IntentMetadata("bad", IntentPolicy.Default with { MaxAttempts = 0, Timeout = TimeSpan.Zero });
        var ex = Assert.Throws<IntentRegistrationException>(() => registry.Register("x", "A", new NoopHandler(), bad));
        Assert.Contains("max_attempts", ex.Message, StringComparison.Ordinal);
        Assert.Contains("timeout", ex.Message, StringComparison.Ordinal);
    }
}
