using Agent.Domain.Configuration;
using Agent.Web.Clients.Common;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Agent.Web.Clients;

public static class ProviderClientsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ProviderClients"/>, the connection tester, one Polly pipeline per provider and the
    /// named HttpClients "provider:NAME" (infinite HttpClient.Timeout: the pipeline and the adapters own timeouts).
    /// Needs ProviderCatalog, EnvironmentVariables, TimeProvider and IOptions&lt;AgentOptions&gt;.
    /// </summary>
    public static IServiceCollection AddProviderClients(this IServiceCollection services)
    {
        services.AddHttpClient();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AgentOptions>>();
            return new ProviderPipelines(
                name => options.Value.Providers.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))?.Resilience ?? new ProviderResilienceOptions(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>());
        });
        services.AddSingleton<IConfigureOptions<HttpClientFactoryOptions>, ProviderHttpClientSetup>();
        services.AddSingleton<ProviderClients>();
        services.AddSingleton<ProviderConnectionTester>();
        return services;
    }

    private sealed class ProviderHttpClientSetup(IServiceProvider services) : IConfigureNamedOptions<HttpClientFactoryOptions>
    {
        public void Configure(HttpClientFactoryOptions options) => Configure(Options.DefaultName, options);

        public void Configure(string? name, HttpClientFactoryOptions options)
        {
            if (name is null || !name.StartsWith(ProviderClients.HttpClientPrefix, StringComparison.Ordinal))
            {
                return;
            }

            var provider = name[ProviderClients.HttpClientPrefix.Length..];
            options.HttpClientActions.Add(client => client.Timeout = Timeout.InfiniteTimeSpan);
            options.HttpMessageHandlerBuilderActions.Add(builder =>
            {
                // Never drain an abandoned response to reuse the connection: Stop must abort the stream on the wire at once.
                builder.PrimaryHandler = new SocketsHttpHandler { MaxResponseDrainSize = 0, AutomaticDecompression = System.Net.DecompressionMethods.All };
                var clients = services.GetRequiredService<ProviderClients>();
                var context = clients.Describe(provider) ?? throw new InvalidOperationException($"No provider named '{provider}' is configured.");
                var pipeline = services.GetRequiredService<ProviderPipelines>().Get(provider);
                var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<ProviderResilienceHandler>();
                builder.AdditionalHandlers.Add(new ProviderResilienceHandler(context, pipeline, logger));
            });
        }
    }
}
