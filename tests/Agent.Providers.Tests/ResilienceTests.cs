using System.Net;
using Agent.Domain.Configuration;
using Agent.ProviderEmulator;
using Agent.Runtime.Clients.Common;
using Polly;
using Polly.Timeout;

namespace Agent.Providers.Tests;

public sealed class ResilienceTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private static readonly TimeSpan Base = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(8);

    [Theory]
    [InlineData(0, 0.0, 250)]
    [InlineData(1, 0.0, 500)]
    [InlineData(2, 0.0, 1000)]
    [InlineData(3, 0.0, 2000)]
    [InlineData(4, 0.0, 4000)]
    [InlineData(5, 0.0, 4000)]
    [InlineData(0, 0.5, 375)]
    [InlineData(1, 0.5, 750)]
    [InlineData(2, 0.5, 1500)]
    [InlineData(0, 0.999, 499.75)]
    [InlineData(3, 0.999, 3998)]
    [InlineData(9, 0.5, 6000)]
    [InlineData(40, 0.0, 4000)]
    public void Backoff_schedule_is_exponential_with_equal_jitter_and_capped(int attempt, double jitter, double expectedMs)
    {
        Assert.Equal(expectedMs, BackoffSchedule.Delay(attempt, Base, Max, jitter).TotalMilliseconds, precision: 3);
    }

    [Fact]
    public void Backoff_schedule_with_the_default_options_stays_within_bounds()
    {
        var options = new ProviderResilienceOptions();
        var random = new Random(42);
        for (var attempt = 0; attempt < options.MaxRetries; attempt++)
        {
            var cap = Math.Min(options.RetryMaxDelayMs, options.RetryBaseDelayMs * Math.Pow(2, attempt));
            for (var i = 0; i < 100; i++)
            {
                var delay = ProviderPipelines.RetryDelay(attempt, null, options, random.NextDouble(), DateTimeOffset.UtcNow).TotalMilliseconds;
                Assert.InRange(delay, cap / 2, cap);
            }
        }
    }

    [Fact]
    public void Jitter_outside_zero_to_one_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BackoffSchedule.Delay(0, Base, Max, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => BackoffSchedule.Delay(0, Base, Max, -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => BackoffSchedule.Delay(-1, Base, Max, 0));
    }

    [Fact]
    public void Retry_after_headers_are_parsed_and_win_over_the_schedule()
    {
        var now = new DateTimeOffset(2026, 11, 22, 3, 0, 0, TimeSpan.Zero);
        using var seconds = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        seconds.Headers.TryAddWithoutValidation("Retry-After", "7");
        Assert.Equal(TimeSpan.FromSeconds(7), BackoffSchedule.RetryAfter(seconds.Headers, now));
        Assert.Equal(TimeSpan.FromSeconds(7), ProviderPipelines.RetryDelay(0, seconds, new ProviderResilienceOptions(), 0.3, now));

        using var ms = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        ms.Headers.TryAddWithoutValidation("Retry-After", "7");
        ms.Headers.TryAddWithoutValidation("retry-after-ms", "1250");
        Assert.Equal(TimeSpan.FromMilliseconds(1250), BackoffSchedule.RetryAfter(ms.Headers, now));

        using var date = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        date.Headers.TryAddWithoutValidation("Retry-After", now.AddSeconds(30).ToString("R"));
        Assert.Equal(TimeSpan.FromSeconds(30), BackoffSchedule.RetryAfter(date.Headers, now));

        using var past = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        past.Headers.TryAddWithoutValidation("Retry-After", now.AddSeconds(-30).ToString("R"));
        Assert.Equal(TimeSpan.Zero, BackoffSchedule.RetryAfter(past.Headers, now));

        using var none = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        Assert.Null(BackoffSchedule.RetryAfter(none.Headers, now));
        Assert.Equal(250, ProviderPipelines.RetryDelay(0, none, new ProviderResilienceOptions(), 0, now).TotalMilliseconds);
    }

    [Theory]
    [InlineData(429, null, true)]
    [InlineData(429, "2", true)]
    [InlineData(429, "120", false)]
    [InlineData(408, null, true)]
    [InlineData(500, null, true)]
    [InlineData(502, null, true)]
    [InlineData(503, "1", true)]
    [InlineData(529, null, true)]
    [InlineData(400, null, false)]
    [InlineData(401, null, false)]
    [InlineData(404, null, false)]
    [InlineData(200, null, false)]
    public void Retry_decision_by_status_and_retry_after(int status, string? retryAfter, bool retried)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);
        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        Assert.Equal(retried, ProviderPipelines.ShouldRetry(Outcome.FromResult(response), new ProviderResilienceOptions(), DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Connect_errors_and_attempt_timeouts_are_retried_but_cancellation_is_not()
    {
        var options = new ProviderResilienceOptions();
        Assert.True(ProviderPipelines.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new HttpRequestException("refused")), options, DateTimeOffset.UtcNow));
        Assert.True(ProviderPipelines.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new TimeoutRejectedException()), options, DateTimeOffset.UtcNow));
        Assert.False(ProviderPipelines.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new OperationCanceledException()), options, DateTimeOffset.UtcNow));
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Circuit_breaker_opens_after_repeated_failures_and_stops_calling_the_server(string provider)
    {
        using var harness = new ProviderHarness(fixture.Server, r =>
        {
            r.MaxRetries = 0;
            r.CircuitBreakerMinimumThroughput = 2;
            r.CircuitBreakerFailureRatio = 0.5;
            r.CircuitBreakerBreakMs = 30_000;
        });
        var client = harness.Client(provider);
        var before = fixture.Server.Requests.All().Count;
        var first = await StreamCollector.CollectAsync(client, ProviderHarness.Ask(Scenario.ServerError));
        var second = await StreamCollector.CollectAsync(client, ProviderHarness.Ask(Scenario.ServerError));
        var messages = ProviderHarness.Ask(Scenario.Ok);
        var third = await StreamCollector.CollectAsync(client, messages);
        Assert.Equal(500, first.Error?.Error.StatusCode);
        Assert.Equal(500, second.Error?.Error.StatusCode);
        var error = third.Error!.Error;
        Assert.Equal("circuit_open", error.Code);
        Assert.True(error.Retryable);
        Assert.NotNull(error.RetryAfter);
        Assert.Empty(harness.RequestsFor(messages));
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Client_side_rate_limiter_refuses_beyond_the_configured_rate(string provider)
    {
        using var harness = new ProviderHarness(fixture.Server, r =>
        {
            r.RequestsPerMinute = 1;
            r.RateLimitQueue = 0;
        });
        var client = harness.Client(provider);
        var first = await StreamCollector.CollectAsync(client, ProviderHarness.Ask(Scenario.Ok));
        var messages = ProviderHarness.Ask(Scenario.Ok);
        var second = await StreamCollector.CollectAsync(client, messages);
        Assert.Null(first.Error);
        Assert.Equal("client_rate_limited", second.Error?.Error.Code);
        Assert.Contains("RequestsPerMinute", second.Error!.Error.Action, StringComparison.Ordinal);
        Assert.Empty(harness.RequestsFor(messages));
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Connection_refused_is_retried_then_reported_with_the_base_url_action(string provider)
    {
        var port = FreePort();
        using var harness = new ProviderHarness(fixture.Server, r => r.MaxRetries = 1, configure: o =>
        {
            var p = o.Providers.Single(x => x.Name == provider);
            p.BaseUrl = provider == "openai" ? $"http://127.0.0.1:{port}/v1" : $"http://127.0.0.1:{port}";
        });
        var result = await StreamCollector.CollectAsync(harness.Client(provider), ProviderHarness.Ask(Scenario.Ok));
        var error = result.Error!.Error;
        Assert.Equal("connect_failed", error.Code);
        Assert.True(error.Retryable);
        Assert.Contains($"127.0.0.1:{port}", error.Action, StringComparison.Ordinal);
        Assert.Contains(harness.Logs.Lines, l => l.Contains("retrying in", StringComparison.Ordinal));
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
