using Agent.Domain.Configuration;
using Agent.Domain.Context;
using Agent.Domain.Memory;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Agent.Web.Memories;
using Agent.Web.Services;
using Agent.Web.Teams;
using Microsoft.Extensions.Options;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Agent.Web.Chat.Context;

/// <summary>A turn's request and what it was built from.</summary>
public sealed record BuiltContext(List<AiChatMessage> Prompt, ContextPlan Plan, Checkpoint? Compaction);

/// <summary>What the next request of a session will carry against its model's window (the chat toolbar's gauge).</summary>
public sealed record ContextGauge(int Tokens, int ContextWindow, bool IsEstimate, double CompactAtShare, bool WillCompact, string Tokenizer)
{
    public double Share => ContextWindow <= 0 ? 0 : (double)Tokens / ContextWindow;
}

/// <summary>
/// Gathers what a session's turn can carry (profile, skills, pinned and recalled memory, episodes, the latest
/// compaction summary on the branch and the turns after it) and lets <see cref="ContextBuilder"/> fill the budget.
/// </summary>
public sealed class ChatContextService(
    ISessionStore sessions,
    IMessageStore messages,
    IMemoryStore memory,
    MemoryService memories,
    ICheckpointStore checkpoints,
    SkillCatalog skills,
    ProviderCatalog providers,
    ITokenCounter counter,
    TeamCatalog profiles,
    IOptions<AgentOptions> options)
{
    /// <summary>Used when a session's model is not listed in Agent:Providers (the smallest common window).</summary>
    public const int FallbackContextWindow = 8192;

    private const int MaxMemoryItems = 200;

    private ContextOptions Settings => options.Value.Context;

    public int ContextWindowOf(ChatSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var provider = providers.Find(session.ProviderName);
        var model = provider?.Models.FirstOrDefault(m => string.Equals(m.Id, session.ModelId, StringComparison.OrdinalIgnoreCase));
        return model?.ContextWindow is > 0 and var window ? window : FallbackContextWindow;
    }

    /// <summary>The latest compaction checkpoint whose leaf is on <paramref name="path"/>, and its index there (-1 when none).</summary>
    public static (Checkpoint? Checkpoint, int Index) LatestCompactionOn(IReadOnlyList<SessionMessage> path, IReadOnlyList<Checkpoint> checkpoints)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(checkpoints);
        var byLeaf = checkpoints.Where(c => c.Kind == CheckpointKind.Compaction && c.LeafMessageId is not null && c.Summary is { Length: > 0 })
            .GroupBy(c => c.LeafMessageId!.Value)
            .ToDictionary(g => g.Key, g => g.MaxBy(c => c.CreatedAt)!);
        for (var i = path.Count - 1; i >= 0; i--)
        {
            if (byLeaf.TryGetValue(path[i].Id, out var found))
            {
                return (found, i);
            }
        }

        return (null, -1);
    }

    public async Task<BuiltContext> BuildAsync(ChatSession session, IReadOnlyList<SessionMessage> path, string? instruction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(path);
        var (compaction, index) = LatestCompactionOn(path, await checkpoints.ListBySessionAsync(session.TenantId, session.Id, cancellationToken));
        var turns = index < 0 ? path : path.Skip(index + 1).ToList();
        var blocks = await BlocksAsync(session, turns, compaction, cancellationToken);
        var plan = new ContextBuilder(counter).Build(new ContextRequest(
            session.ModelId, ContextWindowOf(session), Settings.ReplyReserveTokens, Settings.CompactAtShare, blocks, turns, instruction));
        return new BuiltContext(ContextBlocks.Render(plan, instruction), plan, compaction);
    }

    public async Task<ContextGauge> MeasureAsync(ChatSession session, IReadOnlyList<SessionMessage> path, CancellationToken cancellationToken)
    {
        var built = await BuildAsync(session, path, null, cancellationToken);
        var plan = built.Plan;
        return new ContextGauge(plan.TotalTokens, plan.ContextWindow, plan.IsEstimate, Settings.CompactAtShare, plan.NeedsCompaction, plan.Tokenizer);
    }

    /// <summary>What the next request of a session would carry now (its shown branch, before a new message); null when there is no such session.</summary>
    public async Task<ContextGauge?> MeasureAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken)
    {
        if (await sessions.FindAsync(tenantId, sessionId, cancellationToken) is not { } session)
        {
            return null;
        }

        return await MeasureAsync(session, await ReadForContextAsync(session, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// The newest part of the shown branch that decides the next request: read in growing windows until it reaches
    /// the latest compaction, the branch's start, or more tokens than the compaction threshold (the builder counts
    /// no further), so a long session is not read whole.
    /// </summary>
    private async Task<IReadOnlyList<SessionMessage>> ReadForContextAsync(ChatSession session, CancellationToken cancellationToken)
    {
        var compactions = await checkpoints.ListBySessionAsync(session.TenantId, session.Id, cancellationToken);
        var threshold = Settings.CompactAtShare * ContextWindowOf(session);
        for (var take = 200; ; take *= 4)
        {
            var window = await messages.ReadPathAsync(session.TenantId, session.Id, session.ActiveLeafId, null, take, cancellationToken);
            if (!window.HasOlder || LatestCompactionOn(window.Messages, compactions).Index >= 0
                || window.Messages.Sum(m => (double)TokensOf(session.ModelId, m)) > threshold)
            {
                return window.Messages;
            }
        }
    }

    /// <summary>
    /// The memory a team member's request carries for its task, as far as its scope reaches (the rule is on
    /// <see cref="MemoryScope"/>): the pinned blocks, then what recall finds for the task, as system messages.
    /// </summary>
    public async Task<List<AiChatMessage>> MemberMemoryAsync(string tenantId, MemoryScope scope, string task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (!scope.HasMemory)
        {
            return [];
        }

        var pinned = await memories.PinnedAsync(tenantId, cancellationToken);
        var recalled = await memories.RecallInScopeAsync(tenantId, scope, task, Settings.RecallTake, cancellationToken);
        return pinned.Select(ContextBlocks.Pinned)
            .Concat(recalled.Select(ContextBlocks.Recalled))
            .Select(block => new AiChatMessage(Microsoft.Extensions.AI.ChatRole.System, block.Text))
            .ToList();
    }

    /// <summary>Tokens of one message as the builder counts them (for the compaction planner).</summary>
    public int TokensOf(string model, SessionMessage message) => counter.Count(model, ContextText.Of(message)).Tokens + ContextText.PerMessageOverhead;

    private async Task<List<ContextBlock>> BlocksAsync(ChatSession session, IReadOnlyList<SessionMessage> turns, Checkpoint? compaction, CancellationToken cancellationToken)
    {
        var blocks = new List<ContextBlock>();
        // The profile as the person edited it in the Team panel (over appsettings.json's default).
        var profile = session.AgentProfileId is { } profileId ? await profiles.FindProfileAsync(session.TenantId, profileId, cancellationToken) : null;
        if (profile?.SystemPrompt is { Length: > 0 } systemPrompt)
        {
            blocks.Add(ContextBlocks.System(systemPrompt, profile.Name));
        }

        if (ContextBlocks.Skills((await skills.ScanAsync(session.TenantId, cancellationToken)).Skills) is { } skillBlock)
        {
            blocks.Add(skillBlock);
        }

        var pinned = await memories.PinnedAsync(session.TenantId, cancellationToken);
        blocks.AddRange(pinned.Select(ContextBlocks.Pinned));

        var episodes = (await memory.ListAsync(session.TenantId, MemoryTier.DailyEpisode, 0, MaxMemoryItems, cancellationToken))
            .Where(e => e.SessionId == session.Id)
            .OrderBy(e => e.CreatedAt)
            .ToList();
        var person = turns.LastOrDefault(t => t.Role == MessageRole.User);
        if (person is not null)
        {
            var shown = pinned.Select(p => p.Id).Concat(episodes.Select(e => e.Id)).ToHashSet();
            var attached = person.Parts.OfType<AttachmentRefPart>().Select(a => a.AttachmentId).ToList();
            var recalled = await memories.RecallForTurnAsync(session.TenantId, session.Id, person.Text, attached, Settings.RecallTake, cancellationToken);
            blocks.AddRange(recalled.Where(r => !shown.Contains(r.Item.Id)).Select(ContextBlocks.Recalled));
        }

        blocks.AddRange(episodes.Select(ContextBlocks.Episode));
        if (compaction is not null)
        {
            blocks.Add(ContextBlocks.Summary(compaction));
        }

        return blocks;
    }
}
