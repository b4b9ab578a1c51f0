namespace Agent.Domain.Providers;

public enum ProviderKind
{
    Deterministic,
    OpenAICompatible,
    Anthropic,
}

/// <summary>deterministic: scripted and offline; sandbox: real adapter against a local server; live: real provider.</summary>
public enum ProviderMode
{
    Deterministic,
    Sandbox,
    Live,
}

public sealed record ModelSpec(string Id, int ContextWindow, decimal InputPricePerMillion, decimal OutputPricePerMillion);

/// <summary>A configured provider. <see cref="ApiKeyEnvVar"/> is the NAME of an environment variable, never a key.</summary>
public sealed record ProviderSpec(
    string Name,
    ProviderKind Kind,
    ProviderMode Mode,
    Uri? BaseUrl,
    string? ApiKeyEnvVar,
    IReadOnlyList<ModelSpec> Models);
