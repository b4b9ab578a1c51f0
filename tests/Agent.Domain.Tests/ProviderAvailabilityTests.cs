using Agent.Domain.Providers;

namespace Agent.Domain.Tests;

public sealed class ProviderAvailabilityTests
{
    private static readonly ModelSpec Model = new("m", 1000, 0, 0);

    private static ProviderSpec Spec(string name, ProviderKind kind, ProviderMode mode, string? keyVar) =>
        new(name, kind, mode, kind == ProviderKind.Deterministic ? null : new Uri("http://127.0.0.1:1/v1"), keyVar, [Model]);

    [Fact]
    public void Missing_key_blocks_with_the_variable_to_set()
    {
        var availability = ProviderAvailability.Evaluate(Spec("openai", ProviderKind.OpenAICompatible, ProviderMode.Live, "OPENAI_API_KEY"), _ => null);

        Assert.Equal(ProviderState.Blocked, availability.State);
        Assert.Equal("set OPENAI_API_KEY and restart the app", availability.Action);
        Assert.Contains("OPENAI_API_KEY", availability.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Whitespace_key_counts_as_missing() =>
        Assert.Equal(ProviderState.Blocked, ProviderAvailability.Evaluate(Spec("a", ProviderKind.Anthropic, ProviderMode.Live, "ANTHROPIC_API_KEY"), _ => "  ").State);

    [Fact]
    public void Present_key_is_ready() =>
        Assert.Equal(ProviderState.Ready, ProviderAvailability.Evaluate(Spec("a", ProviderKind.Anthropic, ProviderMode.Live, "ANTHROPIC_API_KEY"), _ => "test-value").State);

    [Fact]
    public void Local_server_without_key_variable_is_ready() =>
        Assert.Equal(ProviderState.Ready, ProviderAvailability.Evaluate(Spec("ollama", ProviderKind.OpenAICompatible, ProviderMode.Sandbox, null), _ => null).State);

    [Fact]
    public void Deterministic_is_labelled_deterministic() =>
        Assert.Equal(ProviderState.Deterministic, ProviderAvailability.Evaluate(Spec("d", ProviderKind.Deterministic, ProviderMode.Deterministic, null), _ => null).State);

    [Fact]
    public void Default_is_first_ready_live_provider_else_deterministic_never_a_blocked_one()
    {
        var providers = new[]
        {
            Spec("deterministic", ProviderKind.Deterministic, ProviderMode.Deterministic, null),
            Spec("openai", ProviderKind.OpenAICompatible, ProviderMode.Live, "OPENAI_API_KEY"),
            Spec("anthropic", ProviderKind.Anthropic, ProviderMode.Live, "ANTHROPIC_API_KEY"),
        };
        Dictionary<string, ProviderAvailability> With(Func<string, string?> env) => providers.ToDictionary(p => p.Name, p => ProviderAvailability.Evaluate(p, env));

        Assert.Equal("deterministic", DefaultProviderSelector.Select(providers, With(_ => null), null, null)!.Value.Provider.Name);
        Assert.Equal("anthropic", DefaultProviderSelector.Select(providers, With(n => n == "ANTHROPIC_API_KEY" ? "x" : null), null, null)!.Value.Provider.Name);
        Assert.Equal("openai", DefaultProviderSelector.Select(providers, With(_ => null), "openai", "m")!.Value.Provider.Name);
    }
}
