using System.Threading.RateLimiting;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Agent.Web.Clients.Common;

/// <summary>
/// Runs every request of one provider's HttpClient through that provider's rate limiter and Polly pipeline.
/// The request is sent with ResponseHeadersRead, so the pipeline ends when the headers (the first byte) arrive:
/// retries happen only before anything was streamed; errors while reading the body are never retried here.
/// </summary>
public sealed class ProviderResilienceHandler(ProviderContext context, ProviderPipeline pipeline, ILogger logger) : DelegatingHandler
{
    /// <summary>How many attempts the last send took (set on the request by this handler).</summary>
    public static readonly HttpRequestOptionsKey<int> AttemptsOption = new("agent.provider.attempts");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var lease = await pipeline.RateLimiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            TimeSpan? retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : null;
            logger.LogWarning("Provider {Provider} request refused by the client-side rate limiter", context.Name);
            throw new ProviderException(ProviderErrors.ClientRateLimited(context, retryAfter));
        }

        var resilienceContext = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            var outcome = await pipeline.Pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state.Handler.SendOnceAsync(state.Request, ctx.CancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception ex)
                    {
                        return Outcome.FromException<HttpResponseMessage>(ex);
                    }
                },
                resilienceContext,
                (Handler: this, Request: request)).ConfigureAwait(false);

            request.Options.Set(AttemptsOption, resilienceContext.Properties.GetValue(ProviderPipelines.AttemptsKey, 0) + 1);
            if (outcome.Exception is { } exception)
            {
                throw Map(exception, cancellationToken);
            }

            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilienceContext);
        }
    }

    private Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    private Exception Map(Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return exception;
        }

        ProviderError? error = exception switch
        {
            TimeoutRejectedException t when t.Timeout == TimeSpan.FromMilliseconds(context.Resilience.FirstByteTimeoutMs) => ProviderErrors.FirstByteTimeout(context),
            TimeoutRejectedException => ProviderErrors.TotalTimeout(context),
            BrokenCircuitException b => ProviderErrors.CircuitOpen(context, b.RetryAfter),
            HttpRequestException h => ProviderErrors.ForRequestException(context, h),
            _ => null,
        };
        if (error is null)
        {
            return exception;
        }

        logger.LogWarning("Provider {Provider} request failed before the first byte: {Code} {Message}", context.Name, error.Code, error.Message);
        return new ProviderException(error, exception);
    }
}
