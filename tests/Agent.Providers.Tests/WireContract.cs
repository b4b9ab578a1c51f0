using System.Globalization;
using System.Text;
using System.Text.Json;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Agent.Providers.Tests;

/// <summary>
/// A provider wire contract (.sentinel/contracts/&lt;provider&gt;.&lt;resource&gt;.v&lt;N&gt;.yaml): the fields of
/// requests, responses, error bodies and stream events that our adapters depend on. A field rule names a path
/// ("choices[].delta.tool_calls[].index": [] walks every array element), a type ("string", "integer",
/// "number", "boolean", "object", "array", "null", or unions such as "string|null"), whether it is required
/// when its parent exists, allowed values, and an optional condition on a root field ("when").
/// </summary>
public sealed class WireContract
{
    public string Contract { get; set; } = "";

    public int Version { get; set; }

    public string Provider { get; set; } = "";

    public string Resource { get; set; } = "";

    public string Endpoint { get; set; } = "";

    public string Description { get; set; } = "";

    /// <summary>request, response, error: the JSON documents.</summary>
    public Dictionary<string, DocumentShape> Documents { get; set; } = [];

    public StreamShape Stream { get; set; } = new();

    public string Id => $"{Contract}.v{Version}";

    public static WireContract Load(string path)
    {
        var deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
        var contract = deserializer.Deserialize<WireContract>(File.ReadAllText(path, Encoding.UTF8))
            ?? throw new InvalidDataException($"{path} is empty.");
        var expected = $"{contract.Contract}.v{contract.Version}.yaml";
        if (!string.Equals(Path.GetFileName(path), expected, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: the file name must be {expected} (contract + version).");
        }

        return contract;
    }

    /// <summary>
    /// Validates a fixture; the kind comes from the file name: request*.json, response*.json, error*.json,
    /// stream*.sse. Returns the problems found, each naming where (event number, JSON path) and what.
    /// </summary>
    public IReadOnlyList<string> ValidateFixture(string fileName, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(content);
        var name = Path.GetFileName(fileName);
        var kind = name.Split('-', '.')[0];
        if (kind == "stream")
        {
            return ValidateStream(content);
        }

        if (!Documents.TryGetValue(kind, out var shape))
        {
            return [$"{name}: no document kind '{kind}' in {Id} (name fixtures request-*, response-*, error-* or stream-*)."];
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

    public IReadOnlyList<string> ValidateStream(byte[] content)
    {
        var errors = new List<string>();
        var events = new List<SseEvent>();
        try
        {
            using var stream = new MemoryStream(content);
            var enumerator = SseReader.ReadAsync(stream, CancellationToken.None).GetAsyncEnumerator();
            while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            {
                events.Add(enumerator.Current);
            }
        }
        catch (SseFormatException ex)
        {
            return [$"stream: not a valid event stream: {ex.Message}"];
        }

        var terminated = false;
        for (var i = 0; i < events.Count; i++)
        {
            var number = i + 1;
            var sse = events[i];
            if (terminated)
            {
                errors.Add($"event {number}: comes after the terminator.");
                break;
            }

            if (Stream.TerminatorData is { } terminator && sse.Data == terminator)
            {
                terminated = true;
                continue;
            }

            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(sse.Data);
            }
            catch (JsonException ex)
            {
                errors.Add($"event {number}: not valid JSON ({ex.Message}).");
                continue;
            }

            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    errors.Add($"event {number}: data is not a JSON object.");
                    continue;
                }

                DocumentShape? shape;
                var where = $"event {number}";
                if (Stream.Discriminator is { } discriminator)
                {
                    var type = root.TryGetProperty(discriminator, out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : null;
                    if (type is null)
                    {
                        errors.Add($"{where}: $.{discriminator}: required field is missing.");
                        continue;
                    }

                    where = $"event {number} ({type})";
                    if (Stream.EventNameMatchesType && sse.Event is { } eventName && eventName != type)
                    {
                        errors.Add($"{where}: SSE event name '{eventName}' does not match $.{discriminator} '{type}'.");
                    }

                    if (!Stream.Events.TryGetValue(type, out shape))
                    {
                        errors.Add($"{where}: unknown event type '{type}' (known: {string.Join(", ", Stream.Events.Keys)}).");
                        continue;
                    }

                    if (Stream.TerminatorType == type)
                    {
                        terminated = true;
                    }
                }
                else if (!Stream.Events.TryGetValue("*", out shape))
                {
                    errors.Add($"{where}: the contract has no shape for stream events.");
                    continue;
                }

                errors.AddRange(shape.Validate(root, where));
            }
        }

        if (!terminated)
        {
            var expected = Stream.TerminatorData is { } data ? $"data: {data}" : $"a {Stream.TerminatorType} event";
            errors.Add($"stream: ended after {events.Count} events without the terminator ({expected}).");
        }

        return errors;
    }
}

public sealed class StreamShape
{
    /// <summary>Data of the final event (OpenAI: [DONE]).</summary>
    public string? TerminatorData { get; set; }

    /// <summary>Event type of the final event (Anthropic: message_stop).</summary>
    public string? TerminatorType { get; set; }

    /// <summary>Field of each event's data naming its type (Anthropic: type); null when all events share one shape "*".</summary>
    public string? Discriminator { get; set; }

    public bool EventNameMatchesType { get; set; }

    public Dictionary<string, DocumentShape> Events { get; set; } = [];
}

public sealed class DocumentShape
{
    public string Description { get; set; } = "";

    public List<FieldRule> Fields { get; set; } = [];

    public IReadOnlyList<string> Validate(JsonElement root, string where)
    {
        var errors = new List<string>();
        foreach (var rule in Fields)
        {
            rule.Check(root, where, errors);
        }

        return errors;
    }
}

public sealed class FieldRule
{
    public string Path { get; set; } = "";

    public string Type { get; set; } = "";

    public bool Required { get; set; }

    public List<string>? Enum { get; set; }

    /// <summary>Root-relative path -> string value; the rule applies only when every condition holds.</summary>
    public Dictionary<string, string>? When { get; set; }

    public void Check(JsonElement root, string where, List<string> errors)
    {
        if (When is not null && When.Any(c => !Equals(Resolve(root, c.Key), c.Value)))
        {
            return;
        }

        var segments = Path.Split('.');
        var parentSegments = segments[..^1];
        var (fieldName, _) = Parse(segments[^1]);
        foreach (var (parent, parentPath) in Walk(root, "$", parentSegments, 0))
        {
            if (parent.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var fieldPath = $"{parentPath}.{fieldName}";
            if (!parent.TryGetProperty(fieldName, out var value))
            {
                if (Required)
                {
                    errors.Add($"{where}: {fieldPath}: required field is missing.");
                }

                continue;
            }

            var actual = KindName(value);
            var allowed = Type.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (allowed.Length > 0 && !allowed.Any(a => Matches(a, value)))
            {
                errors.Add($"{where}: {fieldPath}: expected {Type}, got {actual}.");
                continue;
            }

            if (Enum is { Count: > 0 } && value.ValueKind == JsonValueKind.String && !Enum.Contains(value.GetString()!))
            {
                errors.Add($"{where}: {fieldPath}: '{value.GetString()}' is not one of {string.Join(", ", Enum)}.");
            }
        }
    }

    private static IEnumerable<(JsonElement Element, string Path)> Walk(JsonElement current, string path, string[] segments, int index)
    {
        if (index == segments.Length)
        {
            yield return (current, path);
            yield break;
        }

        var (name, each) = Parse(segments[index]);
        if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out var next))
        {
            yield break;
        }

        if (!each)
        {
            foreach (var item in Walk(next, $"{path}.{name}", segments, index + 1))
            {
                yield return item;
            }

            yield break;
        }

        if (next.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        var i = 0;
        foreach (var element in next.EnumerateArray())
        {
            foreach (var item in Walk(element, $"{path}.{name}[{i}]", segments, index + 1))
            {
                yield return item;
            }

            i++;
        }
    }

    private static (string Name, bool Each) Parse(string segment) =>
        segment.EndsWith("[]", StringComparison.Ordinal) ? (segment[..^2], true) : (segment, false);

    private static string? Resolve(JsonElement root, string path)
    {
        var current = root;
        foreach (var segment in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
            {
                return null;
            }
        }

        return current.ValueKind == JsonValueKind.String ? current.GetString() : current.GetRawText();
    }

    private static bool Matches(string type, JsonElement value) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "null" => value.ValueKind == JsonValueKind.Null,
        "any" => true,
        _ => throw new InvalidDataException($"unknown type '{type}' in a contract rule."),
    };

    private static string KindName(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.TryGetInt64(out _) ? "integer" : "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => value.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture),
    };
}
