namespace Agent.Domain.Providers;

/// <summary>Which provider and model a new session uses.</summary>
public static class DefaultProviderSelector
{
    /// <summary>
    /// The configured default when set; otherwise the first ready live provider; otherwise the first
    /// deterministic one. Returns null when nothing usable is configured.
    /// </summary>
    public static (ProviderSpec Provider, ModelSpec Model)? Select(
        IReadOnlyList<ProviderSpec> providers,
        IReadOnlyDictionary<string, ProviderAvailability> availability,
        string? configuredProvider,
        string? configuredModel)
    {
        ArgumentNullException.ThrowIfNull(providers);
        ArgumentNullException.ThrowIfNull(availability);
        var chosen = !string.IsNullOrWhiteSpace(configuredProvider)
            ? providers.FirstOrDefault(p => string.Equals(p.Name, configuredProvider, StringComparison.OrdinalIgnoreCase))
            : providers.FirstOrDefault(p => p.Mode == ProviderMode.Live && availability.TryGetValue(p.Name, out var a) && a.State == ProviderState.Ready)
              ?? providers.FirstOrDefault(p => p.Kind == ProviderKind.Deterministic);
        if (chosen is null || chosen.Models.Count == 0)
        {
            return null;
        }

        var model = chosen.Models.FirstOrDefault(m => m.Id == configuredModel) ?? chosen.Models[0];
        return (chosen, model);
    }
}
