using System.Collections.Concurrent;
using System.Net;
using System.Threading.RateLimiting;
using Agent.Domain.Configuration;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Agent.Web.Clients.Common;

/// <summary>The resilience state of one provider: its Polly pipeline (with the circuit breaker's state) and its rate limiter.</summary>
public sealed class ProviderPipeline(string provider, ResiliencePipeline<HttpResponseMessage> pipeline, RateLimiter rateLimiter, ProviderResilienceOptions options)
{
    public string Provider { get; } = provider;

    public ResiliencePipeline<HttpResponseMessage> Pipeline { get; } = pipeline;

    public RateLimiter RateLimiter { get; } = rateLimiter;

    public ProviderResilienceOptions Options { get; } = options;
}

/// <summary>
/// One pipeline per provider, built once and shared by every HttpClient the factory hands out for it, so the
/// circuit breaker and the rate limiter see all of that provider's traffic.
/// Order: total timeout, then retry, then circuit breaker, then first-byte (per attempt) timeout.
/// </summary>
public sealed class ProviderPipelines(Func<string, ProviderResilienceOptions> optionsFor, TimeProvider timeProvider, ILoggerFactory loggerFactory) : IDisposable
{
    /// <summary>Key in <see cref="ResilienceContext.Properties"/> where the handler stores the retry count.</summary>
    public static readonly ResiliencePropertyKey<int> AttemptsKey = new("agent.provider.attempts");

    private readonly ConcurrentDictionary<string, Lazy<ProviderPipeline>> pipelines = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Replaced in tests to make the jitter deterministic.</summary>
    public Func<double> Jitter { get; init; } = Random.Shared.NextDouble;

    public ProviderPipeline Get(string provider) =>
        pipelines.GetOrAdd(provider, name => new Lazy<ProviderPipeline>(() => Build(name, optionsFor(name)))).Value;

    public static bool IsTransientStatus(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;

    /// <summary>Whether the retry strategy handles an outcome (also used by tests of the schedule).</summary>
    public static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ProviderResilienceOptions options, DateTimeOffset now)
    {
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

    private ProviderPipeline Build(string provider, ProviderResilienceOptions options)
    {
        var logger = loggerFactory.CreateLogger($"Agent.Web.Clients.Pipeline.{provider}");
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider, Name = $"provider:{provider}" };
        builder.AddTimeout(TimeSpan.FromMilliseconds(options.TotalTimeoutMs));
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, options, timeProvider.GetUtcNow())),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(RetryDelay(args.AttemptNumber, args.Outcome.Result, options, Jitter(), timeProvider.GetUtcNow())),
                OnRetry = args =>
                {
                    args.Context.Properties.Set(AttemptsKey, args.AttemptNumber + 1);
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

        var limiter = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = options.RequestsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            SegmentsPerWindow = 6,
            QueueLimit = options.RateLimitQueue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
        return new ProviderPipeline(provider, builder.Build(), limiter, options);
    }

    public void Dispose()
    {
        foreach (var pipeline in pipelines.Values.Where(p => p.IsValueCreated))
        {
            pipeline.Value.RateLimiter.Dispose();
        }
    }
}
