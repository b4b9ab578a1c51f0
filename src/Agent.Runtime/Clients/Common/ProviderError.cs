namespace Agent.Runtime.Clients.Common;

/// <summary>
/// A provider failure as the user and the chat code see it: who failed, how, whether and when to retry, and
/// what to do about it. Never carries a key.
/// </summary>
/// <param name="Provider">The configured provider name.</param>
/// <param name="StatusCode">HTTP status when the provider answered; null for client-side failures.</param>
/// <param name="Code">Stable machine code, for example provider_blocked, rate_limited, server_error, timeout,
/// first_byte_timeout, connect_failed, connection_lost, circuit_open, client_rate_limited, stream_interrupted,
/// malformed_stream, malformed_response, unknown_provider, unknown_model, or the provider's own error code.</param>
/// <param name="Message">What happened, in words.</param>
/// <param name="Retryable">Whether sending the same request again may succeed.</param>
/// <param name="RetryAfter">When the provider (or our limiter) says a retry may succeed.</param>
/// <param name="Action">What the user can do, for example "set OPENAI_API_KEY and restart the app".</param>
/// <param name="CorrelationId">The id the call was logged under.</param>
public sealed record ProviderError(
    string Provider,
    int? StatusCode,
    string Code,
    string Message,
    bool Retryable,
    TimeSpan? RetryAfter,
    string? Action,
    string? CorrelationId = null)
{
    public override string ToString()
    {
        var status = StatusCode is { } s ? $" HTTP {s}" : "";
        var after = RetryAfter is { } r ? $" Retry after {r.TotalSeconds:0.#} s." : "";
        var action = string.IsNullOrWhiteSpace(Action) ? "" : $" To fix: {Action}.";
        return $"{Provider}{status} {Code}: {Message}{after}{action}";
    }
}

/// <summary>Carries a <see cref="ProviderError"/>; thrown by <c>ProviderClients</c> and every adapter.</summary>
public sealed class ProviderException : Exception
{
    public ProviderException(ProviderError error, Exception? innerException = null)
        : base(error?.ToString(), innerException)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    public ProviderError Error { get; }
}
