namespace Agent.Web.Components.Chat;

/// <summary>What the browser side of a voice action reports: the transcript or the audio URL, or the error and its action.</summary>
public sealed record VoiceResult(bool Ok, string? Text, string? Url, string? Error, string? Action)
{
    public string Describe() => Action is null ? Error ?? "The voice action failed." : $"{Error} Fix: {Action}.";
}
