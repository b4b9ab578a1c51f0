namespace Agent.Domain.Voice;

/// <summary>Whether a voice service can be used now; when blocked, why and the action that unblocks it.</summary>
public sealed record VoiceAvailability(string Service, string Mode, bool Ready, string? Endpoint, string? Reason, string? Action)
{
    public string State => Ready ? "ready" : "blocked";

    public static VoiceAvailability ReadyAt(string service, string mode, Uri endpoint) =>
        new(service, mode, true, Redact(endpoint), null, null);

    public static VoiceAvailability Blocked(string service, string mode, string reason, string action) =>
        new(service, mode, false, null, reason, action);

    /// <summary>What a member may see: no endpoint, and for a blocked service no variable or setting, only whom to ask.</summary>
    public VoiceAvailability ForMember() => Ready
        ? this with { Endpoint = null }
        : this with { Endpoint = null, Reason = "Voice is not set up on this server.", Action = "ask an administrator to set it up" };

    /// <summary>The endpoint without user info or query, so a URL that carries credentials never reaches a page or a log.</summary>
    public static string Redact(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
    }
}

/// <summary>A recording sent for transcription.</summary>
public sealed record VoiceAudio(ReadOnlyMemory<byte> Bytes, string ContentType);

/// <summary>Synthesized speech: the bytes and their media type.</summary>
public sealed record SpeechAudio(byte[] Bytes, string ContentType);
