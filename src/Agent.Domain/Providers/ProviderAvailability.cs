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
    /// <summary>The reason and action name a setting of this install (an environment variable): only an administrator is told them.</summary>
    public bool NamesInstallDetails { get; init; }

    /// <summary>What a member is told: that an administrator unblocks it, without the variable to set (an install detail).</summary>
    public ProviderAvailability ForMember() => NamesInstallDetails
        ? this with { Reason = "It is not set up on this server.", Action = "ask an administrator to set it up", NamesInstallDetails = false }
        : this;

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
                $"set {spec.ApiKeyEnvVar} and restart the app")
            {
                NamesInstallDetails = true,
            };
        }

        return new(spec.Name, ProviderState.Ready, null, null);
    }
}
