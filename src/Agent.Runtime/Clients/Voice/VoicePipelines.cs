using System.Net;
using Agent.Domain.Configuration;
using Agent.Runtime.Clients.Common;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Agent.Runtime.Clients.Voice;

/// <summary>
/// The resilience pipeline of one voice server: total timeout, retry (429/408/5xx/connect errors and attempt
/// timeouts, honouring Retry-After up to MaxRetryAfterMs), circuit breaker, per-attempt timeout. Requests are sent
/// with ResponseHeadersRead, so retries happen only before the first byte of an answer.
/// </summary>
public static class VoicePipelines
{
    public static void ConfigureStt(ResiliencePipelineBuilder<HttpResponseMessage> builder, ResilienceHandlerContext context) =>
        Configure(builder, context, VoiceServices.Stt, o => o.Stt.Resilience);

    public static void ConfigureTts(ResiliencePipelineBuilder<HttpResponseMessage> builder, ResilienceHandlerContext context) =>
        Configure(builder, context, VoiceServices.Tts, o => o.Tts.Resilience);

    private static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, ResilienceHandlerContext context, string service, Func<VoiceOptions, VoiceResilienceOptions> select)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(context);
        var services = context.ServiceProvider;
        var options = select(services.GetRequiredService<IOptions<AgentOptions>>().Value.Voice);
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger($"Agent.Web.Clients.Voice.Pipeline.{service}");
        var retryRules = new ProviderResilienceOptions { MaxRetryAfterMs = options.MaxRetryAfterMs, RetryBaseDelayMs = options.RetryBaseDelayMs, RetryMaxDelayMs = options.RetryMaxDelayMs };
        builder.TimeProvider = time;
        builder.AddTimeout(TimeSpan.FromMilliseconds(options.TotalTimeoutMs));
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                ShouldHandle = args => ValueTask.FromResult(ProviderPipelines.ShouldRetry(args.Outcome, retryRules, time.GetUtcNow())),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(ProviderPipelines.RetryDelay(args.AttemptNumber, args.Outcome.Result, retryRules, Random.Shared.NextDouble(), time.GetUtcNow())),
                OnRetry = args =>
                {
                    var reason = args.Outcome.Exception?.GetType().Name ?? $"HTTP {(int)args.Outcome.Result!.StatusCode}";
                    logger.LogWarning("{Service} attempt {Attempt} failed ({Reason}); retrying in {DelayMs} ms", service, args.AttemptNumber + 1, reason, (int)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = 0.5,
            MinimumThroughput = 8,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = TimeSpan.FromSeconds(15),
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is HttpRequestException or TimeoutRejectedException
                || (args.Outcome.Result is { } r && ((int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.RequestTimeout))),
        });
        builder.AddTimeout(TimeSpan.FromMilliseconds(options.AttemptTimeoutMs));
    }

    /// <summary>Sends through the pipeline and turns transport failures into <see cref="VoiceException"/>.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, string service, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (TimeoutRejectedException)
        {
            throw new VoiceException(VoiceError.Timeout(service));
        }
        catch (BrokenCircuitException)
        {
            throw new VoiceException(VoiceError.CircuitOpen(service));
        }
        catch (HttpRequestException ex)
        {
            throw new VoiceException(VoiceError.Unreachable(service, ex.Message));
        }
    }

    /// <summary>The body of a failed answer, at most <paramref name="limit"/> characters, for the error message.</summary>
    public static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken, int limit = 4_096)
    {
        ArgumentNullException.ThrowIfNull(response);
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return text.Length <= limit ? text : text[..limit];
        }
        catch (HttpRequestException)
        {
            return "";
        }
    }

    /// <summary>Reads a body up to <paramref name="maxBytes"/>; more is a contract failure, not an out-of-memory.</summary>
    public static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, int maxBytes, string service, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Content.Headers.ContentLength is > 0 and var length && length > maxBytes)
        {
            throw new VoiceException(VoiceError.Malformed(service, $"the answer is {length} bytes, more than the {maxBytes} allowed"));
        }

        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var buffer = new MemoryStream();
            var chunk = new byte[81_920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    throw new VoiceException(VoiceError.Malformed(service, $"the answer is more than the {maxBytes} bytes allowed"));
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw new VoiceException(VoiceError.Unreachable(service, $"the connection broke while reading the answer ({ex.Message})"));
        }
    }
}
