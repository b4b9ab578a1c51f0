using Agent.Runtime.Clients.Common;
using Microsoft.Extensions.Http.Resilience;

namespace Agent.Runtime.Clients;

public static class ProviderClientsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ProviderClients"/>, the connection tester and the provider HttpClient: our error mapping
    /// outside Microsoft.Extensions.Http.Resilience's handler, which keeps one pipeline per provider
    /// (<see cref="ProviderPipelines"/>). HttpClient.Timeout is infinite: the pipeline and the adapters own timeouts.
    /// Needs ProviderCatalog, EnvironmentVariables, TimeProvider and IOptions&lt;AgentOptions&gt;.
    /// </summary>
    public static IServiceCollection AddProviderClients(this IServiceCollection services)
    {
        services.AddHttpClient();
        services.AddTransient<ProviderErrorHandler>();
        services.AddHttpClient(ProviderClients.HttpClientName)
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)

            // Never drain an abandoned response to reuse the connection: Stop must abort the stream on the wire at once.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { MaxResponseDrainSize = 0, AutomaticDecompression = System.Net.DecompressionMethods.All })
            .AddHttpMessageHandler<ProviderErrorHandler>()
            .AddResilienceHandler(ProviderPipelines.HandlerName, ProviderPipelines.Configure)
            .SelectPipelineBy(_ => ProviderPipelines.PipelineKey);
        services.AddSingleton<ProviderClients>();
        services.AddSingleton<ProviderConnectionTester>();
        return services;
    }
}
