using Agent.Runtime.Clients.Common;
using Agent.Runtime.Services;
using Microsoft.Extensions.Http.Resilience;

namespace Agent.Runtime.Clients;

public static class ProviderClientsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ProviderClients"/>, the connection tester and the provider HttpClient: our call handler
    /// (<see cref="ProviderHttpHandler"/>) outside Microsoft.Extensions.Http.Resilience's handler, which keeps one
    /// pipeline per provider (<see cref="ProviderPipelines"/>). HttpClient.Timeout is infinite: the pipeline and
    /// <see cref="ProviderChatClient"/> own timeouts.
    /// Needs ProviderCatalog, EnvironmentVariables, TimeProvider and IOptions&lt;AgentOptions&gt;.
    /// </summary>
    public static IServiceCollection AddProviderClients(this IServiceCollection services)
    {
        services.AddHttpClient();
        services.AddTransient<ProviderHttpHandler>();
        services.AddHttpClient(ProviderClients.HttpClientName)
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)

            // Never drain an abandoned response to reuse the connection: Stop must abort the stream on the wire at once.
            // The pipelines (and their HttpClients) live as long as the app, so connections are recycled for DNS changes.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { MaxResponseDrainSize = 0, AutomaticDecompression = System.Net.DecompressionMethods.All, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .AddHttpMessageHandler<ProviderHttpHandler>()
            .AddResilienceHandler(ProviderPipelines.HandlerName, ProviderPipelines.Configure)
            .SelectPipelineBy(_ => ProviderPipelines.PipelineKey);
        services.AddSingleton<ListedModels>();
        services.AddSingleton<IModelLister>(sp => sp.GetRequiredService<ListedModels>());
        services.AddSingleton<ProviderClients>();
        services.AddSingleton<ProviderConnectionTester>();
        return services;
    }
}
