using Agent.Domain.Telemetry;
using Microsoft.Extensions.AI;

namespace Agent.Runtime.Clients.Common;

/// <summary>From the adapters' <see cref="UsageDetails"/> to the persisted <see cref="TokenUsage"/>.</summary>
public static class UsageMapping
{
    /// <summary>The usage of a streamed reply: the last <see cref="UsageContent"/> among its updates, or null.</summary>
    public static UsageDetails? UsageOf(IEnumerable<ChatResponseUpdate> updates) =>
        updates?.SelectMany(u => u.Contents).OfType<UsageContent>().LastOrDefault()?.Details;

    /// <summary>Input includes cached input (OpenAI's meaning; the Anthropic adapter normalizes to it).</summary>
    public static TokenUsage ToTokenUsage(this UsageDetails usage, string provider, string model)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return new TokenUsage(
            usage.InputTokenCount ?? 0,
            usage.OutputTokenCount ?? 0,
            usage.CachedInputTokenCount ?? 0,
            usage.ReasoningTokenCount ?? 0,
            model,
            provider);
    }
}
