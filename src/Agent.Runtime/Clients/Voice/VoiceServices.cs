using Agent.Domain.Configuration;
using Agent.Domain.Voice;
using Agent.Runtime.Hosting;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.Clients.Voice;

/// <summary>
/// Where the STT and TTS servers are, or why they cannot be used. Fails closed: a service without a valid URL is
/// blocked with the setting that unblocks it; nothing falls back to another server or to a double.
/// </summary>
public sealed class VoiceServices(IOptions<AgentOptions> options, EnvironmentVariables environment)
{
    public const string Stt = "STT";
    public const string Tts = "TTS";

    public VoiceOptions Options => options.Value.Voice;

    public VoiceAvailability SttAvailability => Resolve(Stt, Options.Stt.Mode, Options.Stt.Url, Options.Stt.UrlEnvVar, "Stt", out _);

    public VoiceAvailability TtsAvailability => Resolve(Tts, Options.Tts.Mode, Options.Tts.Url, Options.Tts.UrlEnvVar, "Tts", out _);

    /// <summary>The STT endpoint; throws <see cref="VoiceException"/> (blocked) when there is none.</summary>
    public Uri SttEndpoint() => EndpointOrThrow(Stt, Options.Stt.Mode, Options.Stt.Url, Options.Stt.UrlEnvVar, "Stt");

    /// <summary>The TTS endpoint; throws <see cref="VoiceException"/> (blocked) when there is none.</summary>
    public Uri TtsEndpoint() => EndpointOrThrow(Tts, Options.Tts.Mode, Options.Tts.Url, Options.Tts.UrlEnvVar, "Tts");

    private Uri EndpointOrThrow(string service, string mode, string? url, string? envVar, string section)
    {
        var availability = Resolve(service, mode, url, envVar, section, out var endpoint);
        return endpoint ?? throw new VoiceException(VoiceError.Blocked(service, availability.Reason!, availability.Action!));
    }

    private VoiceAvailability Resolve(string service, string mode, string? url, string? envVar, string section, out Uri? endpoint)
    {
        endpoint = null;
        var key = $"{AgentOptions.SectionName}:Voice:{section}:Url";
        var value = url;
        var source = key;
        if (string.IsNullOrWhiteSpace(value) && !string.IsNullOrWhiteSpace(envVar))
        {
            value = environment.Read(envVar);
            source = envVar;
        }

        var either = string.IsNullOrWhiteSpace(envVar) ? key : $"{key} or {envVar}";
        if (string.IsNullOrWhiteSpace(value))
        {
            return VoiceAvailability.Blocked(service, mode, $"No {service} server is configured.", $"set {either} to the {mode} endpoint and restart the app");
        }

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return VoiceAvailability.Blocked(service, mode, $"{source} is not an absolute http(s) URL.", $"set {either} to the {mode} endpoint and restart the app");
        }

        endpoint = uri;
        return VoiceAvailability.ReadyAt(service, mode, uri);
    }
}
