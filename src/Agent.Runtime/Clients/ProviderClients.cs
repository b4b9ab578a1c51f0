using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Agent.Domain.Configuration;
using Agent.Domain.Providers;
using Agent.Runtime.Clients.Common;
using Agent.Runtime.Clients.Deterministic;
using Agent.Runtime.Hosting;
using Agent.Runtime.Services;
using Agent.Runtime.Telemetry;
using Anthropic;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;

namespace Agent.Runtime.Clients;

/// <summary>
/// The one place the chat code gets an <see cref="IChatClient"/> for a provider and model. Fails closed: a blocked
/// or unknown provider, or an unknown model, throws <see cref="ProviderException"/> with the action that fixes it;
/// there is no fallback to another provider. Every provider's pipeline is built once per provider, model and key, and
/// reused: Microsoft.Extensions.AI's OpenTelemetry client (GenAI spans and metrics; message text only when
/// Agent:Telemetry:OtelIncludeSensitiveData is on) outermost, so spans see our errors and usage, then its logging
/// client (Debug, and message text only at Trace), then, for the OpenAI-compatible and Anthropic kinds,
/// <see cref="ProviderChatClient"/> around the official SDK's IChatClient over our provider HttpClient.
/// </summary>
public sealed class ProviderClients(
    ProviderCatalog catalog,
    IOptions<AgentOptions> options,
    EnvironmentVariables environment,
    IHttpClientFactory httpClientFactory,
    ILoggerFactory loggerFactory,
    ListedModels listedModels,
    TimeProvider timeProvider) : IDisposable
{
    /// <summary>Anthropic requires max_tokens; used when ChatOptions.MaxOutputTokens is not set.</summary>
    public const int AnthropicDefaultMaxTokens = 4096;

    private readonly ConcurrentDictionary<(string Provider, string Model, string? Key), Lazy<SharedPipeline>> pipelines = new();

    /// <summary>The named HttpClient of every provider; a request names its provider, which selects that provider's pipeline.</summary>
    public const string HttpClientName = "provider";

    /// <summary>
    /// Throws <see cref="ProviderException"/> when the provider cannot be used (blocked, unknown, or a model neither
    /// configured nor listed by its server). <paramref name="chosenForSession"/>: the model was checked when a session
    /// chose it, so an OpenAI-compatible server's model is taken even before this process has listed it (after a
    /// restart); should the server no longer have it, its own answer says so on the reply.
    /// </summary>
    public IChatClient GetClient(string providerName, string? modelId = null, bool chosenForSession = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(providerName);
        var context = DescribeOrThrow(providerName);
        var availability = catalog.AvailabilityOf(context.Name);
        if (availability.State == ProviderState.Blocked)
        {
            throw new ProviderException(ProviderErrors.Blocked(context.Name, availability.Reason, availability.Action));
        }

        var model = string.IsNullOrWhiteSpace(modelId) ? context.Spec.Models[0].Id : modelId;
        if (context.Spec.Models.All(m => m.Id != model) && !listedModels.WasListed(context.Name, model)
            && !(chosenForSession && context.Spec.Kind == ProviderKind.OpenAICompatible))
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

        if (context.Spec.Kind is not (ProviderKind.Deterministic or ProviderKind.OpenAICompatible or ProviderKind.Anthropic))
        {
            throw new ProviderException(new ProviderError(context.Name, null, "unsupported_kind", $"Provider kind {context.Spec.Kind} has no adapter.", false, null, "use Kind OpenAICompatible, Anthropic or Deterministic"));
        }

        return pipelines.GetOrAdd((context.Name, model, key), k => new Lazy<SharedPipeline>(() => Build(context, k.Model, k.Key))).Value;
    }

    /// <summary>The provider's spec, configuration key and resilience settings; null when not configured.</summary>
    public ProviderContext? Describe(string providerName)
    {
        var spec = catalog.Find(providerName);
        return spec is null ? null : ProviderContext.Of(spec, options.Value);
    }

    public void Dispose()
    {
        foreach (var pipeline in pipelines.Values.Where(p => p.IsValueCreated))
        {
            pipeline.Value.DisposePipeline();
        }

        pipelines.Clear();
    }

    private SharedPipeline Build(ProviderContext context, string model, string? key)
    {
        ProviderChatClient? provider = null;
        IChatClient client;
        if (context.Spec.Kind == ProviderKind.Deterministic)
        {
            client = new DeterministicChatClient(context.Name, model, TimeSpan.FromMilliseconds(context.ChunkDelayMs), timeProvider);
        }
        else
        {
            var http = httpClientFactory.CreateClient(HttpClientName);
            var (sdk, contract) = context.Spec.Kind == ProviderKind.Anthropic
                ? (AnthropicClient(context, model, key, http), "anthropic.messages.v1")
                : (OpenAIClient(context, model, key, http), "openai.chat-completions.v1");
            client = provider = new ProviderChatClient(sdk, context, model, contract, !string.IsNullOrEmpty(key), loggerFactory.CreateLogger<ProviderChatClient>(), timeProvider);
        }

        var pipeline = client.AsBuilder()
            .UseOpenTelemetry(loggerFactory, AgentInstrumentation.GenAiSourceName, otel => otel.EnableSensitiveData = options.Value.Telemetry.OtelIncludeSensitiveData)
            .UseLogging(loggerFactory)
            .Build();
        return new SharedPipeline(pipeline, provider);
    }

    private static IChatClient OpenAIClient(ProviderContext context, string model, string? key, HttpClient http) =>
        OpenAISdkClient(context, key, http, Timeout.InfiniteTimeSpan).GetChatClient(model).AsIChatClient();

    /// <summary>The OpenAI SDK's client for an OpenAI-compatible provider, over our HttpClient (its pipeline does the retries).</summary>
    internal static OpenAIClient OpenAISdkClient(ProviderContext context, string? key, HttpClient http, TimeSpan networkTimeout)
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(context.BaseUrl.AbsoluteUri.TrimEnd('/')),
            Transport = new HttpClientPipelineTransport(http),

            // One retry layer: the provider pipeline's (ProviderPipelines), which knows our per-provider settings.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = networkTimeout,
        };

        // The SDK insists on a credential; ProviderHttpHandler drops it for a provider that has no key.
        return new OpenAIClient(new ApiKeyCredential(string.IsNullOrEmpty(key) ? "none" : key), options);
    }

    private static IChatClient AnthropicClient(ProviderContext context, string model, string? key, HttpClient http)
    {
        // The SDK appends v1/messages; a base URL configured with /v1 (as for the other kinds) is accepted as before.
        var baseUrl = context.BaseUrl.AbsoluteUri.TrimEnd('/');
        baseUrl = baseUrl.EndsWith("/v1", StringComparison.Ordinal) ? baseUrl[..^3] : baseUrl;
        var client = new AnthropicClient(new Anthropic.Core.ClientOptions
        {
            ApiKey = string.IsNullOrEmpty(key) ? "none" : key,
            BaseUrl = baseUrl,
            HttpClient = http,
            MaxRetries = 0,
            Timeout = Timeout.InfiniteTimeSpan,
        });
        return client.AsIChatClient(model, AnthropicDefaultMaxTokens);
    }

    private ProviderContext DescribeOrThrow(string providerName) =>
        Describe(providerName) ?? throw new ProviderException(ProviderErrors.UnknownProvider(providerName, catalog.Providers.Select(p => p.Name)));

    /// <summary>A cached pipeline every caller shares: disposing it does nothing; <see cref="ProviderClients"/> disposes it at shutdown.</summary>
    private sealed class SharedPipeline(IChatClient pipeline, ProviderChatClient? provider) : DelegatingChatClient(pipeline)
    {
        public void DisposePipeline()
        {
            InnerClient.Dispose();
            provider?.DisposePipeline();
        }

        protected override void Dispose(bool disposing)
        {
            // Shared: see DisposePipeline.
        }
    }
}
