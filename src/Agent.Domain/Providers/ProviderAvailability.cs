namespace Agent.Domain.Providers;

public enum ProviderState
{
    Ready,
    Blocked,
    Deterministic,
}

/// <summary>Whether a provider can be used now and, when it cannot, why and what unblocks it.</summary>
public sealed record ProviderAvailability(string ProviderName, ProviderState State, string? Reason, string? Action)
{
    /// <summary>
    /// Decides a provider's state from its spec and the environment. Missing credentials block the provider
    /// (fail closed); they are never an error and never cause a fallback to another provider.
    /// </summary>
    public static ProviderAvailability Evaluate(ProviderSpec spec, Func<string, string?> readEnvironment)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(readEnvironment);
        if (spec.Kind == ProviderKind.Deterministic)
        {
            return new(spec.Name, ProviderState.Deterministic, null, null);
        }

        if (string.IsNullOrWhiteSpace(spec.ApiKeyEnvVar))
        {
            // Local servers (Ollama, llama.cpp, the emulator) need no key.
            return new(spec.Name, ProviderState.Ready, null, null);
        }

        if (string.IsNullOrWhiteSpace(readEnvironment(spec.ApiKeyEnvVar)))
        {
            return new(
                spec.Name,
                ProviderState.Blocked,
                $"The environment variable {spec.ApiKeyEnvVar} is not set.",
                $"set {spec.ApiKeyEnvVar} and restart the app");
        }

        return new(spec.Name, ProviderState.Ready, null, null);
    }
}
