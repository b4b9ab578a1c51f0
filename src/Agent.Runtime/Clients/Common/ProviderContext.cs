using Agent.Domain.Configuration;
using Agent.Domain.Providers;

namespace Agent.Runtime.Clients.Common;

/// <summary>What an adapter needs to know about its provider besides the key.</summary>
/// <param name="ConfigKey">The provider's configuration key, for example Agent:Providers:1 (used in actions).</param>
public sealed record ProviderContext(
    ProviderSpec Spec,
    string ConfigKey,
    string? BaseUrlEnvVar,
    ProviderResilienceOptions Resilience,
    int ChunkDelayMs)
{
    public string Name => Spec.Name;

    /// <summary>The base URL with a trailing slash so relative paths append to it.</summary>
    public Uri BaseUrl
    {
        get
        {
            var url = Spec.BaseUrl ?? throw new InvalidOperationException($"Provider '{Spec.Name}' has no base URL.");
            return url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
        }
    }

    /// <summary>The context of a configured provider: its spec with the settings of its configuration entry.</summary>
    public static ProviderContext Of(ProviderSpec spec, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        var index = options.Providers.FindIndex(p => string.Equals(p.Name, spec.Name, StringComparison.OrdinalIgnoreCase));
        var config = index >= 0 ? options.Providers[index] : new ProviderOptions();
        return new ProviderContext(spec, $"{AgentOptions.SectionName}:Providers:{index}", config.BaseUrlEnvVar, config.Resilience ?? new(), config.ChunkDelayMs);
    }

    public string BaseUrlAction => BaseUrlEnvVar is { Length: > 0 } v
        ? $"check that the server at {Spec.BaseUrl} is running and reachable ({ConfigKey}:BaseUrl or {v})"
        : $"check that the server at {Spec.BaseUrl} is running and reachable ({ConfigKey}:BaseUrl)";
}
