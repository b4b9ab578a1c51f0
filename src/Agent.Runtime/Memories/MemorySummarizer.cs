using Agent.Domain.Configuration;
using Agent.Domain.Sessions;
using Agent.Runtime.Clients;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.Memories;

/// <summary>A summary, or why there is none; <see cref="Provider"/> names what wrote it (the deterministic provider's is labelled).</summary>
public sealed record SummaryOutcome(string? Text, string? Error, string Provider, string Mode, bool Truncated);

/// <summary>
/// Summarizes text (a day's conversation, a document) with the session's own chat client. The text is cut to
/// Agent:Memory:SummaryInputMaxChars so the request stays small; a refused or failed provider gives an error, not an exception.
/// </summary>
public sealed class MemorySummarizer(IChatClientSource clients, IOptions<AgentOptions> options, ILogger<MemorySummarizer> logger)
{
    public async Task<SummaryOutcome> SummarizeAsync(ChatSession session, string instruction, string text, CancellationToken cancellationToken)
    {
        var max = options.Value.Memory.SummaryInputMaxChars;
        var truncated = text.Length > max;
        var input = truncated ? text[..max] : text;
        ChatClientLease lease;
        try
        {
            lease = clients.Resolve(session);
        }
        catch (ChatRefusedException ex)
        {
            return new SummaryOutcome(null, ex.Message, session.ProviderName, "blocked", truncated);
        }

        try
        {
            var response = await lease.Client.GetResponseAsync(
                [new ChatMessage(ChatRole.System, instruction), new ChatMessage(ChatRole.User, input)],
                new ChatOptions { ModelId = lease.ModelId },
                cancellationToken);
            var summary = response.Text.Trim();
            return summary.Length == 0
                ? new SummaryOutcome(null, "The provider answered with an empty summary.", lease.ProviderName, lease.ProviderMode, truncated)
                : new SummaryOutcome(summary, null, lease.ProviderName, lease.ProviderMode, truncated);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Summary by {Provider} failed", lease.ProviderName);
            return new SummaryOutcome(null, $"The summary by {lease.ProviderName} failed: {ex.Message}", lease.ProviderName, lease.ProviderMode, truncated);
        }
    }
}
