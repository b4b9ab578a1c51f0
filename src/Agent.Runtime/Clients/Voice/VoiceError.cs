using System.Net;
using System.Text.Json;

namespace Agent.Runtime.Clients.Voice;

/// <summary>Why a voice call failed, in words a person can act on. Code is stable ("blocked", "rate_limited", ...).</summary>
public sealed record VoiceError(string Service, string Code, string Message, string Action, int? Status = null)
{
    public const string BlockedCode = "blocked";

    public bool IsBlocked => Code == BlockedCode;

    public static VoiceError Blocked(string service, string reason, string action) => new(service, BlockedCode, reason, action);

    public static VoiceError FromStatus(string service, HttpStatusCode status, string? serverMessage)
    {
        var detail = string.IsNullOrWhiteSpace(serverMessage) ? "" : $": {serverMessage}";
        var code = (int)status;
        return status switch
        {
            HttpStatusCode.TooManyRequests => new(service, "rate_limited", $"The {service} server is rate limiting requests (HTTP 429){detail}.", "wait a moment and try again", code),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new(service, "unauthorized", $"The {service} server refused the request (HTTP {code}){detail}.", $"check the {service} server's access settings", code),
            HttpStatusCode.NotFound => new(service, "not_found", $"The {service} server has no such endpoint (HTTP 404){detail}.", $"check the configured {service} URL: it must be the full endpoint path", code),
            _ when code >= 500 => new(service, "server_error", $"The {service} server failed (HTTP {code}){detail}.", $"check that the {service} server is healthy, then try again", code),
            _ => new(service, "bad_request", $"The {service} server rejected the request (HTTP {code}){detail}.", "check the voice settings against the server's documentation", code),
        };
    }

    public static VoiceError Malformed(string service, string problem) =>
        new(service, "malformed_response", $"The {service} server's answer does not match the wire contract: {problem}.", $"check that the URL points at a {(service == VoiceServices.Stt ? "whisper-compatible transcription" : "Kokoro/OpenAI-compatible speech")} endpoint");

    public static VoiceError Unreachable(string service, string detail) =>
        new(service, "unreachable", $"The {service} server cannot be reached: {detail}.", $"start the {service} server or fix its URL");

    public static VoiceError Timeout(string service) =>
        new(service, "timeout", $"The {service} server did not answer in time.", "try a shorter recording or text, or raise the voice Resilience timeouts");

    public static VoiceError CircuitOpen(string service) =>
        new(service, "circuit_open", $"The {service} server failed repeatedly; calls are paused for a moment.", "wait a few seconds and try again");

    /// <summary>The message of an error body: OpenAI {"error":{"message"}}, {"error":"..."}, FastAPI {"detail":...}.</summary>
    public static string? ServerMessage(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("error", out var error))
                {
                    if (error.ValueKind == JsonValueKind.String)
                    {
                        return Clip(error.GetString());
                    }

                    if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                    {
                        return Clip(m.GetString());
                    }
                }

                if (root.TryGetProperty("detail", out var d))
                {
                    return Clip(d.ValueKind == JsonValueKind.String ? d.GetString() : d.GetRawText());
                }
            }
        }
        catch (JsonException)
        {
        }

        return Clip(body);
    }

    private static string? Clip(string? text) => text is null ? null : text.Length <= 300 ? text.Trim() : text[..300].Trim() + "…";
}

public sealed class VoiceException(VoiceError error) : Exception(error?.Message)
{
    public VoiceError Error { get; } = error ?? throw new ArgumentNullException(nameof(error));
}
