using System.Net;
using System.Text.Json;

namespace Agent.Runtime.Clients.Common;

/// <summary>Builds the actionable <see cref="ProviderError"/>s of every failure kind.</summary>
public static class ProviderErrors
{
    public static ProviderError Blocked(string provider, string? reason, string? action) =>
        new(provider, null, "provider_blocked", reason ?? $"Provider '{provider}' is blocked.", false, null, action);

    public static ProviderError UnknownProvider(string provider, IEnumerable<string> configured) =>
        new(provider, null, "unknown_provider", $"No provider named '{provider}' is configured.", false, null, $"choose one of {string.Join(", ", configured)}");

    public static ProviderError UnknownModel(ProviderContext context, string model) =>
        new(context.Name, null, "unknown_model", $"Model '{model}' is not configured for provider '{context.Name}'.", false, null,
            $"choose one of {string.Join(", ", context.Spec.Models.Select(m => m.Id))}, or add it under {context.ConfigKey}:Models");

    public static ProviderError ConnectFailed(ProviderContext context, Exception ex) =>
        new(context.Name, null, "connect_failed", $"Could not reach {context.Spec.BaseUrl}: {ex.Message}", true, null, context.BaseUrlAction);

    /// <summary>Connected, but the connection closed (or broke) before the response headers arrived.</summary>
    public static ProviderError ConnectionLost(ProviderContext context, Exception ex) =>
        new(context.Name, null, "connection_lost", $"The connection to {context.Spec.BaseUrl} closed before the response arrived: {ex.Message}", true, null,
            "retry; if it keeps happening, check the server (or a proxy in between) for crashes or idle timeouts");

    /// <summary>connect_failed when no connection could be made; connection_lost when it broke before the headers.</summary>
    public static ProviderError ForRequestException(ProviderContext context, HttpRequestException ex) =>
        ex?.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError
            ? ConnectFailed(context, ex)
            : ConnectionLost(context, ex!);

    public static ProviderError FirstByteTimeout(ProviderContext context) =>
        new(context.Name, null, "first_byte_timeout", $"The provider sent nothing within {context.Resilience.FirstByteTimeoutMs} ms (after retries).", true, null,
            $"retry; if the server is slow to start (loading a model), raise {context.ConfigKey}:Resilience:FirstByteTimeoutMs");

    public static ProviderError TotalTimeout(ProviderContext context) =>
        new(context.Name, null, "timeout", $"The call did not finish within {context.Resilience.TotalTimeoutMs} ms.", true, null,
            $"retry, or raise {context.ConfigKey}:Resilience:TotalTimeoutMs for long replies");

    public static ProviderError CircuitOpen(ProviderContext context, TimeSpan? retryAfter) =>
        new(context.Name, null, "circuit_open", "The provider failed repeatedly; calls are paused to let it recover.", true,
            retryAfter ?? TimeSpan.FromMilliseconds(context.Resilience.CircuitBreakerBreakMs), "wait a moment and retry");

    public static ProviderError ClientRateLimited(ProviderContext context, TimeSpan? retryAfter) =>
        new(context.Name, null, "client_rate_limited", $"More than {context.Resilience.RequestsPerMinute} requests per minute to this provider.", true, retryAfter,
            $"wait and retry, or raise {context.ConfigKey}:Resilience:RequestsPerMinute if the provider's quota allows it");

    public static ProviderError StreamInterrupted(ProviderContext context, string detail) =>
        new(context.Name, null, "stream_interrupted", $"The reply stream ended early: {detail}", true, null, "retry the message; the partial reply is kept as interrupted");

    public static ProviderError MalformedStream(ProviderContext context, string contract, string detail) =>
        new(context.Name, null, "malformed_stream", $"The reply does not follow the {contract} contract: {detail}", false, null,
            $"check that {context.Spec.BaseUrl} speaks the {contract} wire format (server version, base URL path)");

    /// <summary>An error answer of the provider, with its own code and message when the body has the usual JSON shape.</summary>
    public static ProviderError FromResponse(ProviderContext context, HttpStatusCode status, string? body, TimeSpan? retryAfter, string model)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (code, message) = ParseErrorBody(body);
        var s = (int)status;
        var retryable = ProviderPipelines.IsTransientStatus(status);
        code ??= s switch
        {
            401 => "unauthorized",
            403 => "forbidden",
            404 => "not_found",
            429 => "rate_limited",
            >= 500 => "server_error",
            _ => "bad_request",
        };
        message ??= $"The provider answered HTTP {s}.";
        var keyVar = context.Spec.ApiKeyEnvVar;
        string action = s switch
        {
            401 or 403 => keyVar is null ? $"this server wants a key: set ApiKeyEnvVar under {context.ConfigKey} and that variable" : $"check the key in {keyVar} (it was rejected) and restart the app",
            404 => $"check the model id '{model}' and the base URL {context.Spec.BaseUrl}",
            429 => retryAfter is { } r ? $"wait {Math.Ceiling(r.TotalSeconds)} s and retry; check the quota of this key" : "wait and retry; check the quota of this key",
            >= 500 => "retry later; the provider reports a server error",
            _ => "check the request options (model, tools, max tokens)",
        };
        return new ProviderError(context.Name, s, code, message, retryable, retryAfter, action);
    }

    private static (string? Code, string? Message) ParseErrorBody(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String)
                {
                    return (null, error.GetString());
                }

                if (error.ValueKind == JsonValueKind.Object)
                {
                    string? code = null;
                    if (error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String)
                    {
                        code = c.GetString();
                    }
                    else if (error.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String)
                    {
                        code = t.GetString();
                    }

                    var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                    return (code, message);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: fall through to the raw text.
        }

        return (null, body.Length <= 300 ? body : body[..300] + "...");
    }
}
