using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace Agent.Runtime.Clients.Common;

/// <summary>
/// Sits outside the resilience handler and turns what it throws (Polly's timeout, breaker and rate-limiter rejections,
/// connect errors after the last retry) into actionable <see cref="ProviderError"/>s that name the setting to change;
/// the library only knows its own exceptions, not our providers' configuration keys.
/// </summary>
public sealed class ProviderErrorHandler(ProviderClients clients, ILogger<ProviderErrorHandler> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var provider = ProviderPipelines.ProviderOf(request);
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested) && clients.Describe(provider) is { } context && Map(ex, context) is { } error)
        {
            logger.LogWarning("Provider {Provider} request failed before the first byte: {Code} {Message}", context.Name, error.Code, error.Message);
            throw new ProviderException(error, ex);
        }
    }

    private static ProviderError? Map(Exception exception, ProviderContext context) => exception switch
    {
        RateLimiterRejectedException r => ProviderErrors.ClientRateLimited(context, r.RetryAfter),
        TimeoutRejectedException t when t.Timeout == TimeSpan.FromMilliseconds(context.Resilience.FirstByteTimeoutMs) => ProviderErrors.FirstByteTimeout(context),
        TimeoutRejectedException => ProviderErrors.TotalTimeout(context),
        BrokenCircuitException b => ProviderErrors.CircuitOpen(context, b.RetryAfter),
        HttpRequestException h => ProviderErrors.ForRequestException(context, h),
        _ => null,
    };
}
