using Agent.Domain.Configuration;
using Agent.Domain.Context;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Agent.Runtime.Clients;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Agent.Runtime.Chat.Context;

/// <summary>Summarizes a session's oldest turns into a compaction checkpoint (the work of a compact_session execution).</summary>
public sealed class SessionCompactor(
    ISessionStore sessions,
    IMessageStore messages,
    ICheckpointStore checkpoints,
    IChatClientSource clients,
    ChatContextService contexts,
    ITokenCounter counter,
    IOptions<AgentOptions> options,
    TimeProvider time)
{
    /// <summary>Compacts the branch ending at <paramref name="leafId"/>; null when there is nothing old enough to summarize.</summary>
    public async Task<Checkpoint?> CompactAsync(string tenantId, Guid sessionId, Guid leafId, Guid? executionId, CancellationToken cancellationToken)
    {
        var session = await sessions.FindAsync(tenantId, sessionId, cancellationToken) ?? throw new KeyNotFoundException($"Session {sessionId} does not exist.");
        var path = (await messages.ReadPathAsync(tenantId, sessionId, leafId, null, int.MaxValue, cancellationToken)).Messages;
        var (previous, index) = ChatContextService.LatestCompactionOn(path, await checkpoints.ListBySessionAsync(tenantId, sessionId, cancellationToken));
        var turns = path.Skip(index + 1).ToList();
        var window = contexts.ContextWindowOf(session);
        var keep = (int)(window * options.Value.Context.KeepRecentShare);
        var split = CompactionPlanner.Split(turns, m => contexts.TokensOf(session.ModelId, m), keep);
        if (split.ToSummarize.Count == 0)
        {
            return null;
        }

        var lease = clients.Resolve(session);
        var summary = await new ChunkedSummarizer(counter).SummarizeAsync(lease.Client, lease.ModelId, previous?.Summary, split.ToSummarize.Select(ContextText.Line).ToList(), window, cancellationToken);
        var covered = index + 1 + split.ToSummarize.Count;
        var checkpoint = new Checkpoint(Guid.NewGuid(), sessionId, tenantId, CheckpointKind.Compaction,
            $"Compacted {covered} messages", split.ToSummarize[^1].Id, summary, time.GetUtcNow())
        {
            Source = $"compact_session · {lease.ProviderName}/{lease.ModelId} ({lease.ProviderMode})",
            ExecutionId = executionId,
        };
        await checkpoints.AddAsync(checkpoint, cancellationToken);
        return checkpoint;
    }

}

/// <summary>
/// Rolls transcript lines into one summary. Every request fits the model's window: the lines are cut into chunks,
/// each summarized on top of the summary so far, and the summary is capped, so a request never grows with the session.
/// </summary>
public sealed class ChunkedSummarizer(ITokenCounter counter)
{
    /// <summary>Set in <see cref="ChatOptions.AdditionalProperties"/> of a summarizer request (the deterministic provider answers it with a scripted summary).</summary>
    public const string PurposeProperty = "agent_purpose";
    public const string SummaryPurpose = "compaction_summary";

    public const string Instruction =
        "You compact a chat session so it can go on within the model's context window. Write one concise summary of the " +
        "conversation below, merged with the summary so far. Keep names, numbers, decisions, facts the person gave, what they " +
        "asked for and what is still open. Write only the summary, in the conversation's language.";

    public const string SummarySoFarHeader = "Summary so far:";
    public const string ConversationHeader = "Conversation to add:";

    // Tokens kept spare in every request for what the count of joined text may add over the count of its parts.
    private const int Slack = 8;

    /// <summary>The longest summary (and so the longest reply a summarizer request asks for) for a window.</summary>
    public static int SummaryTokens(int contextWindow) => Math.Clamp(contextWindow / 8, 16, 1024);

    /// <summary>Rolls the lines into one summary, chunk by chunk; each request fits <paramref name="contextWindow"/> with room for its reply.</summary>
    public async Task<string> SummarizeAsync(IChatClient client, string model, string? previous, IReadOnlyList<string> lines, int contextWindow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(lines);
        var summaryTokens = SummaryTokens(contextWindow);
        var framing = Count(model, Instruction) + Count(model, Frame(null, "")) + Count(model, SummarySoFarHeader) + (2 * ContextText.PerMessageOverhead);
        var room = contextWindow - summaryTokens /* the reply */ - summaryTokens /* the summary so far */ - framing - Slack;
        if (room < 16)
        {
            throw new InvalidOperationException($"The model's context window ({contextWindow} tokens) is too small to summarize in; configure a larger ContextWindow.");
        }

        var summary = previous is { Length: > 0 } ? CompactionPlanner.Truncate(previous, counter, model, summaryTokens) : null;
        foreach (var chunk in CompactionPlanner.Chunk(lines, counter, model, room))
        {
            AiChatMessage[] request = [new(ChatRole.System, Instruction), new(ChatRole.User, Frame(summary, chunk))];
            var chatOptions = new ChatOptions
            {
                ModelId = model,
                MaxOutputTokens = summaryTokens,
                AdditionalProperties = new() { [PurposeProperty] = SummaryPurpose },
            };
            var response = await client.GetResponseAsync(request, chatOptions, cancellationToken);
            var text = response.Text.Trim();
            if (text.Length == 0)
            {
                throw new InvalidOperationException("The summarizer answered with an empty summary.");
            }

            summary = CompactionPlanner.Truncate(text, counter, model, summaryTokens);
        }

        return summary ?? throw new InvalidOperationException("There was nothing to summarize.");
    }

    public static string Frame(string? summarySoFar, string chunk) =>
        summarySoFar is null ? $"{ConversationHeader}\n{chunk}" : $"{SummarySoFarHeader}\n{summarySoFar}\n\n{ConversationHeader}\n{chunk}";

    private int Count(string model, string text) => counter.Count(model, text).Tokens;
}
