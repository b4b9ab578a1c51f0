using System.Runtime.CompilerServices;
using System.Text;
using Agent.Runtime.Chat.Context;
using Agent.Runtime.Clients.Common;
using Microsoft.Extensions.AI;

namespace Agent.Runtime.Clients.Deterministic;

/// <summary>
/// The offline, scripted provider. Every reply starts with "[deterministic]" so it can never pass for a live one;
/// the same input always gives the same output. A last user message "/tool NAME {json}" yields a
/// <see cref="FunctionCallContent"/> for NAME with those arguments (the tool loop's test double); a tool result
/// is answered with a scripted summary of it. Token counts are whitespace-separated words.
/// </summary>
public sealed class DeterministicChatClient(string providerName, string modelId, TimeSpan chunkDelay, TimeProvider timeProvider) : IChatClient
{
    public const string Label = "[deterministic]";

    /// <summary>Set on every update's AdditionalProperties so the UI can label it.</summary>
    public const string ModeProperty = "provider_mode";

    public const string ToolCommand = "/tool ";

    private readonly ChatClientMetadata metadata = new("deterministic", null, modelId);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Script(messages, options, TimeSpan.Zero, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
        }

        return updates.ToChatResponse();
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Script(messages, options, chunkDelay, cancellationToken);

    /// <summary>The scripted reply text for a user message (without tool handling); public for tests and the UI.</summary>
    public static string ReplyTo(string userText) =>
        $"{Label} Scripted reply from the offline provider. You wrote {CountWords(userText)} words: \"{Shorten(userText)}\". No model was called.";

    /// <summary>A summary request (episodes, attachments) gets an extractive summary: the start of the text, labelled.</summary>
    public static string SummaryOf(string text)
    {
        var flat = text.ReplaceLineEndings(" ").Trim();
        return $"{Label} Extractive summary (no model was called): {(flat.Length <= 600 ? flat : flat[..600] + "...")}";
    }

    /// <summary>Recalled memory the request carried (one line each), so an offline reply shows that memory reached the model.</summary>
    private static string RecalledNote(List<ChatMessage> prompt)
    {
        var prefix = ContextBlocks.RecalledHeader + ": ";
        var items = SystemTextsStartingWith(prompt, prefix).Select(t => t[prefix.Length..]).ToList();
        if (items.Count == 0)
        {
            return "";
        }

        var joined = string.Join(" | ", items);
        return $" Memory in context: {(joined.Length <= 400 ? joined : joined[..400] + "...")}";
    }

    private async IAsyncEnumerable<ChatResponseUpdate> Script(IEnumerable<ChatMessage> messages, ChatOptions? options, TimeSpan delay, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages.ToList();
        var model = options?.ModelId ?? modelId;
        var responseId = $"det-{StableHash(list):x8}";
        var last = list.LastOrDefault();
        var input = list.Sum(m => CountWords(string.Concat(m.Contents.Select(DescribeForCount))));
        var lastText = last is null ? "" : ChatJson.TextOf(last).Trim();

        if (last?.Contents.OfType<FunctionResultContent>().ToList() is { Count: > 0 } results)
        {
            var summary = string.Join("; ", results.Select(r => $"{r.CallId} returned {Shorten(ChatJson.Serialize(r.Result))}"));
            await foreach (var update in Stream($"{Label} Tool results received: {summary}.", model, responseId, input, delay, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        if (lastText.StartsWith(ToolCommand, StringComparison.Ordinal))
        {
            var rest = lastText[ToolCommand.Length..].Trim();
            var space = rest.IndexOf(' ', StringComparison.Ordinal);
            var name = space < 0 ? rest : rest[..space];
            var json = space < 0 ? "{}" : rest[(space + 1)..].Trim();
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
            }

            var call = ChatJson.FunctionCall($"det-call-{StableHash(list):x8}", name, json);
            yield return Update([call], model, responseId);
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(Usage(input, 1))])
            {
                ModelId = model,
                ResponseId = responseId,
                MessageId = responseId,
                FinishReason = ChatFinishReason.ToolCalls,
                AdditionalProperties = new() { [ModeProperty] = "deterministic" },
            };
            yield break;
        }

        var scripted = options?.AdditionalProperties?.TryGetValue(ChunkedSummarizer.PurposeProperty, out var purpose) == true && Equals(purpose, ChunkedSummarizer.SummaryPurpose)
            ? CompactionSummaryOf(lastText)
            : list.FirstOrDefault(m => m.Role == ChatRole.System) is { } first && ChatJson.TextOf(first).StartsWith(Agent.Domain.Memory.SummaryRequest.InstructionStart, StringComparison.Ordinal)
                ? SummaryOf(lastText)
                : ReplyTo(lastText) + PinnedNote(list) + RecalledNote(list);
        await foreach (var update in Stream(scripted, model, responseId, input, delay, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <summary>
    /// A scripted compaction summary: the person's lines (the summary so far's first), newest five kept. Labelled, so a
    /// scripted summary is never taken for a model's.
    /// </summary>
    public static string CompactionSummaryOf(string request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var quoted = new List<string>();
        foreach (var line in request.Split('\n'))
        {
            var start = 0;
            while ((start = line.IndexOf('«', start)) >= 0 && line.IndexOf('»', start) is var end && end > start)
            {
                quoted.Add(line[(start + 1)..end]);
                start = end + 1;
            }

            if (line.StartsWith("User: ", StringComparison.Ordinal))
            {
                var text = line["User: ".Length..].Trim();
                quoted.Add(text.Length <= 30 ? text : text[..30] + "...");
            }
        }

        var kept = quoted.TakeLast(5).ToList();
        return $"{Label} Scripted summary of the earlier conversation (no model was called). The person wrote: " +
            (kept.Count == 0 ? "nothing." : string.Join("; ", kept.Select(q => $"«{q}»")) + ".");
    }

    /// <summary>Pinned memory the request carried, so an offline reply shows that it was sent.</summary>
    private static string PinnedNote(List<ChatMessage> prompt)
    {
        var pinned = SystemTextsStartingWith(prompt, ContextBlocks.PinnedHeader)
            .Select(t => t[(t.IndexOf('\n', StringComparison.Ordinal) + 1)..].Trim())
            .ToList();
        return pinned.Count == 0 ? "" : $" Pinned memory in this request: {string.Join("; ", pinned.Select(p => $"\"{Shorten(p)}\""))}.";
    }

    private static IEnumerable<string> SystemTextsStartingWith(List<ChatMessage> prompt, string prefix) =>
        prompt.Where(m => m.Role == ChatRole.System).Select(ChatJson.TextOf).Where(t => t.StartsWith(prefix, StringComparison.Ordinal));

    private async IAsyncEnumerable<ChatResponseUpdate> Stream(string reply, string model, string responseId, int input, TimeSpan delay, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var words = 0;
        foreach (var piece in SplitKeepingSpaces(reply))
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            words++;
            yield return Update([new TextContent(piece)], model, responseId);
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(Usage(input, words))])
        {
            ModelId = model,
            ResponseId = responseId,
            MessageId = responseId,
            FinishReason = ChatFinishReason.Stop,
            AdditionalProperties = new() { [ModeProperty] = "deterministic" },
        };
    }

    private static ChatResponseUpdate Update(IList<AIContent> contents, string model, string responseId) => new(ChatRole.Assistant, contents)
    {
        ModelId = model,
        ResponseId = responseId,
        MessageId = responseId,
        AdditionalProperties = new() { [ModeProperty] = "deterministic" },
    };

    private static UsageDetails Usage(int input, int output) => new()
    {
        InputTokenCount = input,
        OutputTokenCount = output,
        TotalTokenCount = input + output,
        CachedInputTokenCount = 0,
        ReasoningTokenCount = 0,
    };

    private static string DescribeForCount(AIContent content) => content switch
    {
        TextContent t => t.Text + " ",
        FunctionCallContent c => c.Name + " ",
        FunctionResultContent r => ChatJson.Serialize(r.Result) + " ",
        _ => "",
    };

    private static IEnumerable<string> SplitKeepingSpaces(string text)
    {
        var start = 0;
        for (var i = 1; i < text.Length; i++)
        {
            if (text[i] == ' ')
            {
                yield return text[start..i];
                start = i;
            }
        }

        if (start < text.Length)
        {
            yield return text[start..];
        }
    }

    private static int CountWords(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "...";

    private static uint StableHash(IEnumerable<ChatMessage> messages)
    {
        // FNV-1a over the conversation text: same conversation, same ids (string.GetHashCode is randomized per process).
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(string.Join("\n", messages.Select(m => m.Role.Value + ":" + string.Concat(m.Contents.Select(DescribeForCount))))))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        return serviceType == typeof(ChatClientMetadata) ? metadata : serviceType.IsInstanceOfType(this) ? this : null;
    }

    public string ProviderName { get; } = providerName;

    public void Dispose() => GC.SuppressFinalize(this);
}
