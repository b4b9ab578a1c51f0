using System.Net.Http.Headers;
using Agent.Domain.Providers;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace Agent.Runtime.Clients.Common;

/// <summary>
/// The outermost handler of the provider HttpClient, around Microsoft.Extensions.Http.Resilience's handler. It names the
/// request's provider (which selects that provider's pipeline) and correlation id, and turns what the pipeline ends
/// with into what the user sees: Polly's timeout, breaker and rate-limiter rejections and connect errors after the last
/// retry become actionable <see cref="ProviderError"/>s that name the setting to change (the library knows its own
/// exceptions, not our configuration keys); an error answer is kept with its Retry-After, which the SDKs' exceptions
/// drop; an event stream is tapped for truncation and broken events (<see cref="SseTapStream"/>).
/// </summary>
public sealed class ProviderHttpHandler(TimeProvider time, ILogger<ProviderHttpHandler> logger) : DelegatingHandler
{
    /// <summary>Header carrying the correlation id to the provider (and recorded by the emulator).</summary>
    public const string CorrelationHeader = "X-Correlation-Id";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = ProviderCall.Current
            ?? throw new InvalidOperationException("A request on the provider HttpClient must be sent inside a ProviderChatClient call.");
        var context = call.Context;
        request.Options.Set(ProviderPipelines.ProviderOption, context.Name);
        request.Headers.Remove(CorrelationHeader);
        request.Headers.TryAddWithoutValidation(CorrelationHeader, call.CorrelationId);
        if (!call.HasKey)
        {
            // The SDKs always send a credential; a provider without ApiKeyEnvVar gets none, as before.
            request.Headers.Authorization = null;
            request.Headers.Remove("x-api-key");
        }

        var started = time.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested) && Map(ex, context) is { } error)
        {
            logger.LogWarning("Provider {Provider} request failed before the first byte: {Code} {Message}", context.Name, error.Code, error.Message);
            throw new ProviderException(error with { CorrelationId = call.CorrelationId }, ex);
        }

        call.Attempts = request.Options.TryGetValue(ProviderPipelines.AttemptsOption, out var attempts) ? attempts : 1;
        logger.LogInformation(
            "Provider answered HTTP {Status} after {FirstByteMs} ms and {Attempts} attempt(s)",
            (int)response.StatusCode,
            (int)time.GetElapsedTime(started).TotalMilliseconds,
            call.Attempts);
        if (!response.IsSuccessStatusCode)
        {
            await KeepErrorAnswerAsync(call, response, cancellationToken).ConfigureAwait(false);
            return response;
        }

        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            var tap = new SseTapStream(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), context.Spec.Kind == ProviderKind.Anthropic);
            call.Tap = tap;
            var tapped = new StreamContent(tap);
            foreach (var header in response.Content.Headers)
            {
                tapped.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content = tapped;
        }
        else
        {
            await CheckWholeAnswerAsync(response, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    private async Task KeepErrorAnswerAsync(ProviderCall call, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var retryAfter = BackoffSchedule.RetryAfter(response.Headers, time.GetUtcNow());
        string? body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            body = null;
        }

        call.ErrorAnswer = ProviderErrors.FromResponse(call.Context, response.StatusCode, body, retryAfter, call.Model) with { CorrelationId = call.CorrelationId };

        // The SDK reads the answer again to build its own exception.
        var again = new StringContent(body ?? "");
        again.Headers.ContentType = response.Content.Headers.ContentType ?? new MediaTypeHeaderValue("application/json");
        response.Content = again;
    }

    /// <summary>
    /// Reads a whole answer here, so a connection lost on the way is reported as HttpClient reports it, and checks that
    /// it is JSON: the SDKs' own parse errors do not say what System.Text.Json says about the document.
    /// </summary>
    private static async Task CheckWholeAnswerAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(body);
            while (reader.Read())
            {
            }
        }
        catch (System.Text.Json.JsonException)
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
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
