using System.Text.RegularExpressions;

namespace Agent.ProviderEmulator;

/// <summary>
/// Per-request behaviour, chosen by the header X-Emulator-Scenario or a marker "[scenario:NAME]" in the last
/// user message; "[delay:N]" or X-Emulator-Chunk-Delay-Ms sets the pause between streamed events.
/// </summary>
public static partial class Scenario
{
    public const string Header = "X-Emulator-Scenario";
    public const string DelayHeader = "X-Emulator-Chunk-Delay-Ms";

    public const string Ok = "ok";
    public const string Long = "long";
    public const string HostileMarkdown = "hostile-markdown";
    public const string CodeBlock = "code-block";
    public const string RateLimited = "429";
    public const string RateLimitedThenOk = "429-then-ok";
    public const string ServerError = "500";
    public const string ServerErrorThenOk = "500-then-ok";
    public const string Unauthorized = "401";
    public const string Overloaded = "overloaded";
    public const string SlowFirstByte = "slow-first-byte";
    public const string SlowFirstByteThenOk = "slow-first-byte-then-ok";
    public const string Disconnect = "disconnect";
    public const string Malformed = "malformed";
    public const string Truncated = "truncated";
    public const string StreamError = "stream-error";
    public const string UsageFinal = "usage-final";
    public const string UsageAbsent = "usage-absent";
    public const string Utf8Split = "utf8-split";
    public const string ToolCall = "tool-call";
    public const string ToolAnswer = "tool-answer";

    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>
    {
        [Ok] = "a short streamed reply echoing the last user message; usage at the end",
        [Long] = "400 words, one per event (for cancellation and benchmarks)",
        [CodeBlock] = "a short explanation, a fenced C# code block and a closing line (highlighting, Copy)",
        [HostileMarkdown] = "a reply with <script>, javascript: links and onerror attributes, for the chat's sanitizer",
        [RateLimited] = "always 429 with Retry-After and retry-after-ms",
        [RateLimitedThenOk] = "429 with Retry-After for the first attempt of a body, then ok",
        [ServerError] = "always 500",
        [ServerErrorThenOk] = "500 for the first attempt of a body, then ok",
        [Unauthorized] = "401 invalid key",
        [Overloaded] = "OpenAI: 503; Anthropic: 529 overloaded_error",
        [SlowFirstByte] = "waits SlowFirstByteMs before sending headers, then ok",
        [SlowFirstByteThenOk] = "slow for the first attempt of a body, then ok at once",
        [Disconnect] = "streams a few events, then cuts the connection",
        [Malformed] = "streams a few events, then an event that is not valid JSON",
        [Truncated] = "streams a few events, then ends cleanly without the terminating event",
        [StreamError] = "streams a few events, then an error event (OpenAI: a data event with an error object, server_error; Anthropic: event error, overloaded_error) and ends",
        [UsageFinal] = "usage only in the final event, with cached and reasoning token details",
        [UsageAbsent] = "a streamed reply with no usage at all (as many OpenAI-compatible servers send), even when include_usage is asked for",
        [Utf8Split] = "multi-byte UTF-8 characters split across network writes",
        [ToolCall] = "two tool calls whose ids, names and JSON arguments arrive split across events; once the results come back, a text answer quoting them. With markers [ask:AGENT:TASK] in the message, one ask_agent call per marker instead (several markers: parallel calls); write the member's own markers in TASK with braces, e.g. [ask:coder:Count {scenario:long}{delay:200}]. With markers [remember:FACT], one memory_save call per marker instead",
        [ToolAnswer] = "a text answer quoting the tool results at the end of the conversation (chosen automatically after tool-call)",
    };

    public static string From(HttpRequest request, string lastUserText)
    {
        if (request.Headers.TryGetValue(Header, out var header) && !string.IsNullOrWhiteSpace(header))
        {
            return header.ToString().Trim().ToLowerInvariant();
        }

        var match = Marker().Match(lastUserText);
        return match.Success ? match.Groups["name"].Value.ToLowerInvariant() : Ok;
    }

    public static int DelayMs(HttpRequest request, string lastUserText, int defaultMs)
    {
        if (request.Headers.TryGetValue(DelayHeader, out var header) && int.TryParse(header, out var fromHeader))
        {
            return Math.Max(0, fromHeader);
        }

        var match = DelayMarker().Match(lastUserText);
        return match.Success ? int.Parse(match.Groups["ms"].Value, System.Globalization.CultureInfo.InvariantCulture) : defaultMs;
    }

    /// <summary>The user's text without the emulator's markers.</summary>
    public static string Clean(string text) => RememberMarker().Replace(AskMarker().Replace(DelayMarker().Replace(Marker().Replace(text, ""), ""), ""), "").Trim();

    /// <summary>The ask_agent calls scripted by [ask:AGENT:TASK] markers; braces in TASK become brackets (the member's own markers).</summary>
    public static IReadOnlyList<(string Agent, string Task)> Asks(string text) =>
        AskMarker().Matches(text).Select(m => (m.Groups["agent"].Value, m.Groups["task"].Value.Replace('{', '[').Replace('}', ']').Trim())).ToList();

    // TASK may hold balanced brackets (a nested member's own [ask:...] markers once the braces became brackets).
    [GeneratedRegex(@"\[ask:(?<agent>[a-z0-9_\-]+):(?<task>(?:[^\[\]]|(?<open>\[)|(?<-open>\]))*(?(open)(?!)))\]", RegexOptions.IgnoreCase)]
    private static partial Regex AskMarker();

    /// <summary>The facts scripted by [remember:FACT] markers: the model saves each with memory_save.</summary>
    public static IReadOnlyList<string> Remembers(string text) =>
        RememberMarker().Matches(text).Select(m => m.Groups["fact"].Value.Trim()).ToList();

    [GeneratedRegex(@"\[remember:(?<fact>[^\[\]]+)\]", RegexOptions.IgnoreCase)]
    private static partial Regex RememberMarker();

    [GeneratedRegex(@"\[scenario:(?<name>[a-z0-9\-]+)\]", RegexOptions.IgnoreCase)]
    private static partial Regex Marker();

    [GeneratedRegex(@"\[delay:(?<ms>\d{1,5})\]", RegexOptions.IgnoreCase)]
    private static partial Regex DelayMarker();
}
