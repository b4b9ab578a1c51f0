using Agent.Domain.Configuration;
using Agent.Domain.Providers;
using Agent.Runtime.Clients.Anthropic;
using Agent.Runtime.Clients.Common;
using Agent.Runtime.Clients.Deterministic;
using Agent.Runtime.Clients.OpenAI;
using Agent.Runtime.Hosting;
using Agent.Runtime.Services;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.Clients;

/// <summary>
/// The one place the chat code gets an <see cref="IChatClient"/> for a provider and model. Fails closed: a blocked
/// or unknown provider, or an unknown model, throws <see cref="ProviderException"/> with the action that fixes it;
/// there is no fallback to another provider.
/// </summary>
public sealed class ProviderClients(
    ProviderCatalog catalog,
    IOptions<AgentOptions> options,
    EnvironmentVariables environment,
    IHttpClientFactory httpClientFactory,
    ILoggerFactory loggerFactory,
    TimeProvider timeProvider)
{
    /// <summary>The named HttpClient of every provider; a request names its provider, which selects that provider's pipeline.</summary>
    public const string HttpClientName = "provider";

    /// <summary>Throws <see cref="ProviderException"/> when the provider cannot be used (blocked, unknown, model unknown).</summary>
    public IChatClient GetClient(string providerName, string? modelId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(providerName);
        var context = DescribeOrThrow(providerName);
        var availability = catalog.AvailabilityOf(context.Name);
        if (availability.State == ProviderState.Blocked)
        {
            throw new ProviderException(ProviderErrors.Blocked(context.Name, availability.Reason, availability.Action));
        }

        var model = string.IsNullOrWhiteSpace(modelId) ? context.Spec.Models[0].Id : modelId;
        if (context.Spec.Models.All(m => m.Id != model))
        {
            throw new ProviderException(ProviderErrors.UnknownModel(context, model));
        }

        string? key = null;
        if (context.Spec.ApiKeyEnvVar is { } keyVar)
        {
            key = environment.Read(keyVar);
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new ProviderException(ProviderErrors.Blocked(context.Name, $"The environment variable {keyVar} is not set.", $"set {keyVar} and restart the app"));
            }
        }

        return context.Spec.Kind switch
        {
            ProviderKind.Deterministic => new DeterministicChatClient(context.Name, model, TimeSpan.FromMilliseconds(context.ChunkDelayMs), timeProvider),
            ProviderKind.OpenAICompatible => new OpenAIChatClient(httpClientFactory.CreateClient(HttpClientName), context, model, key, loggerFactory.CreateLogger<OpenAIChatClient>()),
            ProviderKind.Anthropic => new AnthropicChatClient(httpClientFactory.CreateClient(HttpClientName), context, model, key, loggerFactory.CreateLogger<AnthropicChatClient>()),
            _ => throw new ProviderException(new ProviderError(context.Name, null, "unsupported_kind", $"Provider kind {context.Spec.Kind} has no adapter.", false, null, "use Kind OpenAICompatible, Anthropic or Deterministic")),
        };
    }

    /// <summary>The provider's spec, configuration key and resilience settings; null when not configured.</summary>
    public ProviderContext? Describe(string providerName)
    {
        var spec = catalog.Find(providerName);
        if (spec is null)
        {
            return null;
        }

        var index = options.Value.Providers.FindIndex(p => string.Equals(p.Name, spec.Name, StringComparison.OrdinalIgnoreCase));
        var config = index >= 0 ? options.Value.Providers[index] : new ProviderOptions();
        return new ProviderContext(spec, $"{AgentOptions.SectionName}:Providers:{index}", config.BaseUrlEnvVar, config.Resilience ?? new(), config.ChunkDelayMs);
    }

    private ProviderContext DescribeOrThrow(string providerName) =>
        Describe(providerName) ?? throw new ProviderException(ProviderErrors.UnknownProvider(providerName, catalog.Providers.Select(p => p.Name)));
}
