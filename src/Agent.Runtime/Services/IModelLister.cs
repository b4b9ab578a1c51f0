namespace Agent.Runtime.Services;

/// <summary>The models a provider's server lists (GET /v1/models), or why there are none; never throws for a provider's failure.</summary>
public sealed record ModelListing(IReadOnlyList<string> Models, string? Reason)
{
    public static ModelListing None { get; } = new([], null);
}

/// <summary>Lists a provider's server-side models; implemented by the provider clients (Services must not depend on Clients).</summary>
public interface IModelLister
{
    Task<ModelListing> ListAsync(string providerName, CancellationToken cancellationToken);
}
