using System.ClientModel;
using System.Collections.Concurrent;
using Agent.Domain.Configuration;
using Agent.Domain.Providers;
using Agent.Runtime.Clients.Common;
using Agent.Runtime.Hosting;
using Agent.Runtime.Services;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.Clients;

/// <summary>
/// The models an available OpenAI-compatible provider's server lists at /v1/models, read with the OpenAI SDK's model
/// client over the provider HttpClient and key handling. A listing is cached per provider for a few minutes; a failure
/// (server down, 404, bad JSON, timeout) is remembered briefly and returned as a reason. Deterministic, Anthropic and
/// blocked providers list nothing.
/// </summary>
public sealed class ListedModels(
    ProviderCatalog catalog,
    IOptions<AgentOptions> options,
    EnvironmentVariables environment,
    IHttpClientFactory httpClientFactory,
    ILogger<ListedModels> logger,
    TimeProvider timeProvider) : IModelLister
{
    public static readonly TimeSpan ListedFor = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan FailedFor = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (ModelListing Listing, DateTimeOffset Until)> cache = new(StringComparer.OrdinalIgnoreCase);

    // The last successful listing stays known after its cache entry expires, so a chat on a listed model keeps working.
    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> lastListed = new(StringComparer.OrdinalIgnoreCase);

    public async Task<ModelListing> ListAsync(string providerName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(providerName);
        var spec = catalog.Find(providerName);
        if (spec is null || spec.Kind != ProviderKind.OpenAICompatible || spec.BaseUrl is null || catalog.AvailabilityOf(spec.Name).State == ProviderState.Blocked)
        {
            return ModelListing.None;
        }

        if (cache.TryGetValue(spec.Name, out var cached) && cached.Until > timeProvider.GetUtcNow())
        {
            return cached.Listing;
        }

        var listing = await FetchAsync(spec, cancellationToken).ConfigureAwait(false);
        cache[spec.Name] = (listing, timeProvider.GetUtcNow() + (listing.Reason is null ? ListedFor : FailedFor));
        if (listing.Reason is null)
        {
            lastListed[spec.Name] = listing.Models;
        }

        return listing;
    }

    /// <summary>True when the provider's server listed the model (in its last successful listing).</summary>
    public bool WasListed(string providerName, string modelId) =>
        lastListed.TryGetValue(providerName, out var models) && models.Contains(modelId, StringComparer.Ordinal);

    private async Task<ModelListing> FetchAsync(ProviderSpec spec, CancellationToken cancellationToken)
    {
        var context = ProviderContext.Of(spec, options.Value);
        var key = spec.ApiKeyEnvVar is { } keyVar ? environment.Read(keyVar) : null;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var previous = ProviderCall.Current;
        ProviderCall.Current = new ProviderCall(context, "", $"models-{Guid.NewGuid():N}", !string.IsNullOrWhiteSpace(key));
        try
        {
            var client = ProviderClients.OpenAISdkClient(context, key, httpClientFactory.CreateClient(ProviderClients.HttpClientName), Timeout).GetOpenAIModelClient();
            var models = await client.GetModelsAsync(timeout.Token).ConfigureAwait(false);
            return new ModelListing(models.Value.Select(m => m.Id).Where(id => !string.IsNullOrWhiteSpace(id)).Distinct(StringComparer.Ordinal).ToList(), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(spec.Name, $"The server did not list its models within {Timeout.TotalSeconds:0} seconds.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var reason = ex switch
            {
                ProviderException p => p.Error.Message,
                ClientResultException c => $"The server answered HTTP {c.Status} to GET /v1/models.",
                _ => "The server's model list could not be read.",
            };
            return Failed(spec.Name, reason);
        }
        finally
        {
            ProviderCall.Current = previous;
        }
    }

    private ModelListing Failed(string provider, string reason)
    {
        logger.LogInformation("Provider {Provider} listed no models: {Reason}", provider, reason);
        return new ModelListing([], reason);
    }
}
