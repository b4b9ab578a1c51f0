using System.Net.Http.Headers;
using Agent.Domain.Voice;
using Agent.Runtime.Clients.Voice;
using Agent.Web.Security;
using Microsoft.AspNetCore.Http.Features;

namespace Agent.Web.Api;

/// <summary>The text of POST /api/voice/speak.</summary>
public sealed record SpeakRequest(string? Text);

/// <summary>One voice service as GET /api/voice shows it.</summary>
public sealed record VoiceServiceState(string Mode, string State, string? Endpoint, string? Reason, string? Action)
{
    public static VoiceServiceState From(VoiceAvailability a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new(a.Mode, a.State, a.Endpoint, a.Reason, a.Action);
    }
}

public static class VoiceApi
{
    /// <summary>Media types a recording may have (the browser sends WAV it encoded, or its MediaRecorder's webm/ogg).</summary>
    public static readonly IReadOnlySet<string> AudioTypes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "audio/wav", "audio/x-wav", "audio/wave", "audio/webm", "audio/ogg",
    };

    /// <summary>GET /api/voice, POST /api/voice/transcribe (audio body → {text}), POST /api/voice/speak ({text} → audio).</summary>
    public static IEndpointRouteBuilder MapVoiceApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/voice", (ISpeechToText stt, ITextToSpeech tts, Services.PrincipalTenant caller) =>
            Results.Ok(new { stt = VoiceServiceState.From(Shown(stt.Availability, caller)), tts = VoiceServiceState.From(Shown(tts.Availability, caller)) }));
        endpoints.MapPost("/api/voice/transcribe", TranscribeAsync).WithMetadata(new AcceptedBodyTypes([.. AudioTypes]));
        endpoints.MapPost("/api/voice/speak", SpeakAsync);
        return endpoints;
    }

    private static async Task<IResult> TranscribeAsync(HttpContext context, ISpeechToText stt, VoiceServices voice, Services.PrincipalTenant caller, CancellationToken ct)
    {
        if (!stt.Availability.Ready)
        {
            return Blocked(Shown(stt.Availability, caller));
        }

        var limit = voice.Options.MaxAudioBytes;
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type) || type.MediaType is null || !AudioTypes.Contains(type.MediaType))
        {
            return Results.Json(new { error = $"The body must be a recording with Content-Type {string.Join(", ", AudioTypes)}; it was '{context.Request.ContentType}'.", action = "send the recording as audio/wav or audio/webm" }, statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        if (context.Request.ContentLength > limit)
        {
            return TooLarge(limit);
        }

        // The app-wide request limit is larger than a recording may be; this endpoint counts bytes itself.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = (long)limit + 1;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int read;
        try
        {
            while ((read = await context.Request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return TooLarge(limit);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limit);
        }

        if (buffer.Length == 0)
        {
            return Results.BadRequest(new { error = "The recording is empty.", action = "record for at least a moment, then stop" });
        }

        try
        {
            var text = await stt.TranscribeAsync(new VoiceAudio(buffer.ToArray(), type.MediaType), ct);
            return Results.Ok(new { text });
        }
        catch (VoiceException ex)
        {
            return Failed(ex.Error, caller);
        }
    }

    private static async Task<IResult> SpeakAsync(SpeakRequest? body, ITextToSpeech tts, VoiceServices voice, Services.PrincipalTenant caller, CancellationToken ct)
    {
        if (!tts.Availability.Ready)
        {
            return Blocked(Shown(tts.Availability, caller));
        }

        var text = body?.Text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return Results.BadRequest(new { error = "There is no text to read aloud.", action = "send { \"text\": \"...\" } with some text" });
        }

        if (text.Length > voice.Options.MaxSpeakChars)
        {
            return Results.Json(new { error = $"The text is {text.Length} characters; at most {voice.Options.MaxSpeakChars} can be read aloud at once.", action = "read a shorter part, or raise Agent:Voice:MaxSpeakChars" }, statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        try
        {
            var audio = await tts.SpeakAsync(text, ct);
            return Results.File(audio.Bytes, audio.ContentType);
        }
        catch (VoiceException ex)
        {
            return Failed(ex.Error, caller);
        }
    }

    /// <summary>Endpoints and the variables to set are install details: administrators see them, members whom to ask.</summary>
    private static VoiceAvailability Shown(VoiceAvailability availability, Services.PrincipalTenant caller) =>
        caller.IsAdministrator ? availability : availability.ForMember();

    private static IResult Blocked(VoiceAvailability availability) =>
        Results.Json(new { error = availability.Reason, action = availability.Action }, statusCode: StatusCodes.Status409Conflict);

    private static IResult Failed(VoiceError error, Services.PrincipalTenant caller) => error.IsBlocked
        ? caller.IsAdministrator
            ? Results.Json(new { error = error.Message, action = error.Action }, statusCode: StatusCodes.Status409Conflict)
            : Blocked(new VoiceAvailability("voice", "", false, null, error.Message, error.Action).ForMember())
        : Results.Json(new { error = error.Message, action = error.Action, code = error.Code }, statusCode: StatusCodes.Status502BadGateway);

    private static IResult TooLarge(int limit) =>
        Results.Json(new { error = $"The recording is larger than {limit} bytes.", action = "record a shorter message, or raise Agent:Voice:MaxAudioBytes" }, statusCode: StatusCodes.Status413PayloadTooLarge);
}
