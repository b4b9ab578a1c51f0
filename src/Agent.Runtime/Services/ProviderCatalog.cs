using Agent.Domain.Configuration;
using Agent.Domain.Providers;
using Agent.Runtime.Hosting;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.Services;

/// <summary>The configured providers and whether each can be used, read once at start-up.</summary>
public sealed class ProviderCatalog
{
    private readonly Dictionary<string, ProviderAvailability> availability;

    public ProviderCatalog(IOptions<AgentOptions> options, EnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        Providers = AgentOptionsValidator.ToProviderSpecs(options.Value, environment.Read);
        availability = Providers.ToDictionary(p => p.Name, p => ProviderAvailability.Evaluate(p, environment.Read), StringComparer.OrdinalIgnoreCase);
        Default = DefaultProviderSelector.Select(Providers, availability, options.Value.DefaultProvider, options.Value.DefaultModel);
    }

    public IReadOnlyList<ProviderSpec> Providers { get; }

    /// <summary>What a new session uses; null only when no provider has a model.</summary>
    public (ProviderSpec Provider, ModelSpec Model)? Default { get; }

    public ProviderSpec? Find(string name) => Providers.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    public ProviderAvailability AvailabilityOf(string name) =>
        availability.TryGetValue(name, out var a) ? a : new ProviderAvailability(name, ProviderState.Blocked, $"No provider named '{name}' is configured.", "choose a configured provider in Settings");
}
