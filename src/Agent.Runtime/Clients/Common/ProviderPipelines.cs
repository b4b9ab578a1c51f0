using System.Net;
using System.Threading.RateLimiting;
using Agent.Domain.Configuration;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Agent.Runtime.Clients.Common;

/// <summary>
/// Our rules for a provider's resilience pipeline, built by Microsoft.Extensions.Http.Resilience once per provider (the
/// pipeline is selected by the provider name on the request), so the breaker and the rate limiter see all of that
/// provider's traffic. Order: client-side rate limit, total timeout, retry, circuit breaker, first-byte (per attempt)
/// timeout. Requests are sent with ResponseHeadersRead, so the pipeline ends when the headers (the first byte) arrive:
/// retries happen only before anything was streamed; a failure while reading the body is never retried.
/// </summary>
public static class ProviderPipelines
{
    /// <summary>The resilience handler's name (pipelines are keyed "provider/&lt;provider name&gt;").</summary>
    public const string HandlerName = "provider";

    /// <summary>Which provider a request belongs to; selects that provider's pipeline.</summary>
    public static readonly HttpRequestOptionsKey<string> ProviderOption = new("agent.provider.name");

    /// <summary>How many attempts the last send took (set on the request when a retry happened).</summary>
    public static readonly HttpRequestOptionsKey<int> AttemptsOption = new("agent.provider.attempts");

    /// <summary>The pipeline key of a request (empty when it names no provider: the library probes the selector with a bare request).</summary>
    public static string PipelineKey(HttpRequestMessage request) =>
        request is not null && request.Options.TryGetValue(ProviderOption, out var name) ? name : "";

    public static string ProviderOf(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Options.TryGetValue(ProviderOption, out var name) && !string.IsNullOrEmpty(name)
            ? name
            : throw new InvalidOperationException("A request on the provider HttpClient must name its provider (ProviderPipelines.ProviderOption).");
    }

    public static bool IsTransientStatus(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;

    /// <summary>Whether the retry strategy handles an outcome (also used by tests of the schedule).</summary>
    public static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ProviderResilienceOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (outcome.Exception is not null)
        {
            return outcome.Exception is HttpRequestException or TimeoutRejectedException;
        }

        var response = outcome.Result;
        if (response is null || !IsTransientStatus(response.StatusCode))
        {
            return false;
        }

        // A server that asks for a longer pause than we are willing to wait gets its answer passed to the user.
        var retryAfter = BackoffSchedule.RetryAfter(response.Headers, now);
        return retryAfter is null || retryAfter.Value.TotalMilliseconds <= options.MaxRetryAfterMs;
    }

    /// <summary>The delay before retry <paramref name="attempt"/>: Retry-After when the server sent one, else the backoff schedule.</summary>
    public static TimeSpan RetryDelay(int attempt, HttpResponseMessage? response, ProviderResilienceOptions options, double jitter, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (response is not null && BackoffSchedule.RetryAfter(response.Headers, now) is { } retryAfter)
        {
            return retryAfter;
        }

        return BackoffSchedule.Delay(attempt, TimeSpan.FromMilliseconds(options.RetryBaseDelayMs), TimeSpan.FromMilliseconds(options.RetryMaxDelayMs), jitter);
    }

    /// <summary>Builds the pipeline of the provider named by <see cref="ResilienceHandlerContext.InstanceName"/>.</summary>
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, ResilienceHandlerContext context)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(context);
        var provider = context.InstanceName;
        var services = context.ServiceProvider;
        var options = services.GetRequiredService<ProviderClients>().Describe(provider)?.Resilience ?? new ProviderResilienceOptions();
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger($"Agent.Web.Clients.Pipeline.{provider}");
        builder.TimeProvider = time;

        var limiter = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = options.RequestsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            SegmentsPerWindow = 6,
            QueueLimit = options.RateLimitQueue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
        context.OnPipelineDisposed(limiter.Dispose);

        // Outermost, so one request takes one permit however many attempts it needs.
        builder.AddRateLimiter(limiter);
        builder.AddTimeout(TimeSpan.FromMilliseconds(options.TotalTimeoutMs));
        if (options.MaxRetries > 0)
        {
            // HttpRetryStrategyOptions honours Retry-After but neither caps it (MaxRetryAfterMs) nor reads retry-after-ms,
            // so the decision and the delay stay ours.
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, options, time.GetUtcNow())),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(RetryDelay(args.AttemptNumber, args.Outcome.Result, options, Random.Shared.NextDouble(), time.GetUtcNow())),
                OnRetry = args =>
                {
                    args.Context.GetRequestMessage()?.Options.Set(AttemptsOption, args.AttemptNumber + 2);
                    var reason = args.Outcome.Exception?.GetType().Name ?? $"HTTP {(int)args.Outcome.Result!.StatusCode}";
                    logger.LogWarning("Provider {Provider} attempt {Attempt} failed ({Reason}); retrying in {DelayMs} ms", provider, args.AttemptNumber + 1, reason, (int)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = options.CircuitBreakerFailureRatio,
            MinimumThroughput = options.CircuitBreakerMinimumThroughput,
            SamplingDuration = TimeSpan.FromMilliseconds(options.CircuitBreakerSamplingMs),
            BreakDuration = TimeSpan.FromMilliseconds(options.CircuitBreakerBreakMs),
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is HttpRequestException or TimeoutRejectedException
                || (args.Outcome.Result is { } r && ((int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.RequestTimeout))),
            OnOpened = args =>
            {
                logger.LogWarning("Provider {Provider} circuit opened for {BreakMs} ms", provider, (int)args.BreakDuration.TotalMilliseconds);
                return ValueTask.CompletedTask;
            },
        });
        builder.AddTimeout(TimeSpan.FromMilliseconds(options.FirstByteTimeoutMs));
    }
}
