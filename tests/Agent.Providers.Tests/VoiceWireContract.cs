using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Agent.Domain.Voice;
using Microsoft.AspNetCore.WebUtilities;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Agent.Providers.Tests;

/// <summary>
/// A voice wire contract (.sentinel/contracts/voice/&lt;name&gt;.v&lt;N&gt;.yaml): JSON documents use the field rules of
/// <see cref="WireContract"/>; a multipart request names its parts; an audio answer names its container and PCM
/// layout. Fixture kinds come from file names: request-*.json|.multipart, response-*.json|.wav, error-*.json.
/// A .multipart fixture is the raw body; its first line is the boundary delimiter ("--BOUNDARY").
/// </summary>
public sealed class VoiceWireContract
{
    public string Contract { get; set; } = "";

    public int Version { get; set; }

    public string Service { get; set; } = "";

    public string Endpoint { get; set; } = "";

    public string Description { get; set; } = "";

    public Dictionary<string, DocumentShape> Documents { get; set; } = [];

    public MultipartShape? MultipartRequest { get; set; }

    public AudioShape? AudioResponse { get; set; }

    public string Id => $"{Contract}.v{Version}";

    public static VoiceWireContract Load(string path)
    {
        var deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
        var contract = deserializer.Deserialize<VoiceWireContract>(File.ReadAllText(path, Encoding.UTF8))
            ?? throw new InvalidDataException($"{path} is empty.");
        var expected = $"{contract.Contract}.v{contract.Version}.yaml";
        return string.Equals(Path.GetFileName(path), expected, StringComparison.Ordinal)
            ? contract
            : throw new InvalidDataException($"{path}: the file name must be {expected} (contract + version).");
    }

    public IReadOnlyList<string> ValidateFixture(string fileName, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var name = Path.GetFileName(fileName);
        var kind = name.Split('-', '.')[0];
        var extension = Path.GetExtension(name);
        if (extension == ".multipart")
        {
            var newline = Array.IndexOf(content, (byte)'\n');
            var boundary = newline > 2 ? Encoding.ASCII.GetString(content, 2, newline - 2).TrimEnd('\r') : "";
            return kind == "request" ? ValidateMultipart($"multipart/form-data; boundary={boundary}", content) : [$"{name}: only requests are multipart."];
        }

        if (extension == ".wav")
        {
            return kind == "response" ? ValidateAudio("audio/wav", content) : [$"{name}: only responses are audio."];
        }

        if (!Documents.TryGetValue(kind, out var shape))
        {
            return [$"{name}: no document kind '{kind}' in {Id}."];
        }

        try
        {
            using var doc = JsonDocument.Parse(content);
            return shape.Validate(doc.RootElement, kind);
        }
        catch (JsonException ex)
        {
            return [$"{kind}: not valid JSON ({ex.Message})."];
        }
    }

    /// <summary>Checks a multipart/form-data body against <see cref="MultipartRequest"/>.</summary>
    public IReadOnlyList<string> ValidateMultipart(string contentType, byte[] body)
    {
        var shape = MultipartRequest ?? throw new InvalidOperationException($"{Id} has no multipart request.");
        var errors = new List<string>();
        if (!MediaTypeHeaderValue.TryParse(contentType, out var type) || type.MediaType != "multipart/form-data")
        {
            return [$"request: content type '{contentType}' is not multipart/form-data."];
        }

        var boundary = type.Parameters.FirstOrDefault(p => p.Name == "boundary")?.Value;
        if (string.IsNullOrEmpty(boundary))
        {
            return ["request: the content type has no boundary."];
        }

        if (boundary.StartsWith('"'))
        {
            errors.Add("request: the boundary is quoted; send it bare.");
            boundary = boundary.Trim('"');
        }

        var parts = new Dictionary<string, (string? FileName, string? ContentType, string Value)>(StringComparer.Ordinal);
        try
        {
            var reader = new MultipartReader(boundary, new MemoryStream(body));
            while (reader.ReadNextSectionAsync().GetAwaiter().GetResult() is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || disposition.DispositionType != "form-data" || disposition.Name is null)
                {
                    errors.Add("request: a part has no form-data Content-Disposition with a name.");
                    continue;
                }

                using var buffer = new MemoryStream();
                section.Body.CopyTo(buffer);
                var partName = disposition.Name.Trim('"');
                parts[partName] = (disposition.FileName?.Trim('"'), section.ContentType, disposition.FileName is null ? Encoding.UTF8.GetString(buffer.ToArray()) : $"{buffer.Length} bytes");
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            return [$"request: not a valid multipart body ({ex.Message})."];
        }

        foreach (var rule in shape.Parts)
        {
            if (!parts.TryGetValue(rule.Name, out var part))
            {
                if (rule.Required)
                {
                    errors.Add($"request: part '{rule.Name}': required part is missing.");
                }

                continue;
            }

            if (rule.File)
            {
                if (part.FileName is null)
                {
                    errors.Add($"request: part '{rule.Name}': must be a file part (with a filename).");
                }

                var media = MediaTypeHeaderValue.TryParse(part.ContentType, out var m) ? m.MediaType : null;
                if (rule.ContentTypes is { Count: > 0 } allowed && (media is null || !allowed.Contains(media)))
                {
                    errors.Add($"request: part '{rule.Name}': content type '{part.ContentType}' is not one of {string.Join(", ", allowed)}.");
                }
            }
            else if (rule.Enum is { Count: > 0 } values && !values.Contains(part.Value))
            {
                errors.Add($"request: part '{rule.Name}': '{part.Value}' is not one of {string.Join(", ", values)}.");
            }
        }

        foreach (var unknown in parts.Keys.Where(k => shape.Parts.All(p => p.Name != k)))
        {
            errors.Add($"request: part '{unknown}' is not in the contract.");
        }

        return errors;
    }

    /// <summary>Checks an audio answer against <see cref="AudioResponse"/>.</summary>
    public IReadOnlyList<string> ValidateAudio(string? contentType, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var shape = AudioResponse ?? throw new InvalidOperationException($"{Id} has no audio response.");
        var errors = new List<string>();
        if (contentType is not null && !shape.ContentTypes.Contains(contentType))
        {
            errors.Add($"response: content type '{contentType}' is not one of {string.Join(", ", shape.ContentTypes)}.");
        }

        var info = WavFormat.TryRead(body, out var problem);
        if (info is null)
        {
            errors.Add($"response: the audio {problem}.");
            return errors;
        }

        if (!shape.AudioFormats.Contains(info.AudioFormat))
        {
            errors.Add($"response: audio format {info.AudioFormat} is not one of {string.Join(", ", shape.AudioFormats)}.");
        }

        if (!shape.BitsPerSample.Contains(info.BitsPerSample))
        {
            errors.Add($"response: {info.BitsPerSample} bits per sample is not one of {string.Join(", ", shape.BitsPerSample)}.");
        }

        if (!shape.Channels.Contains(info.Channels))
        {
            errors.Add($"response: {info.Channels} channels is not one of {string.Join(", ", shape.Channels)}.");
        }

        if (info.DataBytes == 0)
        {
            errors.Add("response: the audio has no samples.");
        }

        return errors;
    }
}

public sealed class MultipartShape
{
    public List<PartRule> Parts { get; set; } = [];
}

public sealed class PartRule
{
    public string Name { get; set; } = "";

    public bool Required { get; set; }

    public bool File { get; set; }

    public List<string>? ContentTypes { get; set; }

    public List<string>? Enum { get; set; }
}

public sealed class AudioShape
{
    public List<string> ContentTypes { get; set; } = [];

    public List<int> AudioFormats { get; set; } = [];

    public List<int> BitsPerSample { get; set; } = [];

    public List<int> Channels { get; set; } = [];
}
