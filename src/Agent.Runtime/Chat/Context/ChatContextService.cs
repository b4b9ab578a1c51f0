using Agent.Domain.Configuration;
using Agent.Domain.Context;
using Agent.Domain.Memory;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Agent.Domain.Tools;
using Agent.Runtime.Memories;
using Agent.Runtime.Services;
using Agent.Runtime.Telemetry;
using Microsoft.Extensions.Options;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Agent.Runtime.Chat.Context;

/// <summary>A turn's request and what it was built from.</summary>
public sealed record BuiltContext(List<AiChatMessage> Prompt, ContextPlan Plan, Checkpoint? Compaction)
{
    /// <summary>The part of the branch it was built from.</summary>
    public ContextTurns Source { get; init; } = new([], null, 0);
}

/// <summary>
/// The part of a branch a turn's context is built from: the turns after the latest compaction on it (oldest first; when
/// the branch is long, only the newest that can matter), that compaction, and how many older turns after it were not read.
/// </summary>
public sealed record ContextTurns(IReadOnlyList<SessionMessage> Turns, Checkpoint? Compaction, int UnreadOlderTurns);

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
    ChatSettingsStore chatSettings,
    IOptions<AgentOptions> options)
{
    /// <summary>Used when a session's model is not listed in Agent:Providers (the smallest common window).</summary>
    public const int FallbackContextWindow = 8192;

    /// <summary>The most daily episodes of a session a turn carries (the newest days).</summary>
    private const int MaxEpisodes = 200;

    // A member works on one task: the chat's last week of episodes is its background, not the whole history.
    private const int MaxMemberEpisodes = 7;

    /// <summary>The first page read from the end of a branch; the next ones are sized from the tokens per message read so far.</summary>
    private const int FirstPage = 200;

    private const int MaxPage = 4_000;

    private ContextOptions Settings => options.Value.Context;

    public int ContextWindowOf(ChatSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var provider = providers.Find(session.ProviderName);
        // A model the provider's server listed (not configured) gets the window of the provider's first configured model.
        var model = provider?.Models.FirstOrDefault(m => string.Equals(m.Id, session.ModelId, StringComparison.OrdinalIgnoreCase)) ?? provider?.Models.FirstOrDefault();
        return model?.ContextWindow is > 0 and var window ? window : FallbackContextWindow;
    }

    /// <summary>The latest compaction checkpoint whose leaf is on <paramref name="path"/>, and its index there (-1 when none).</summary>
    public static (Checkpoint? Checkpoint, int Index) LatestCompactionOn(IReadOnlyList<SessionMessage> path, IReadOnlyList<Checkpoint> checkpoints)
    {
        ArgumentNullException.ThrowIfNull(path);
        var byLeaf = CompactionsByLeaf(checkpoints);
        for (var i = path.Count - 1; i >= 0; i--)
        {
            if (byLeaf.TryGetValue(path[i].Id, out var found))
            {
                return (found, i);
            }
        }

        return (null, -1);
    }

    /// <summary>A turn's context built from the whole branch <paramref name="path"/> (read by the caller).</summary>
    public async Task<BuiltContext> BuildAsync(ChatSession session, IReadOnlyList<SessionMessage> path, string? instruction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(path);
        var (compaction, index) = LatestCompactionOn(path, await checkpoints.ListBySessionAsync(session.TenantId, session.Id, cancellationToken));
        var turns = index < 0 ? path : path.Skip(index + 1).ToList();
        return await BuildAsync(session, new ContextTurns(turns, compaction, 0), instruction, cancellationToken);
    }

    /// <summary>A turn's context built from the newest part of its branch (see <see cref="ReadTurnsAsync"/>): the same plan as from the whole branch.</summary>
    public Task<BuiltContext> BuildAsync(ChatSession session, ContextTurns source, string? instruction, CancellationToken cancellationToken) =>
        BuildAsync(session, source, instruction, null, cancellationToken);

    /// <summary>The same, with the chat's own <paramref name="settings"/> when the caller has read them already (null: read here).</summary>
    public async Task<BuiltContext> BuildAsync(ChatSession session, ContextTurns source, string? instruction, ChatSettings? settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(source);
        var background = ReadBackgroundAsync(session, settings, null, cancellationToken);
        return Build(session, source, instruction, await BlocksAsync(session, source, background, null, cancellationToken));
    }

    /// <summary>
    /// A turn's context for the branch ending at <paramref name="anchorId"/>: what does not depend on the branch (profile,
    /// instructions, skills, pinned memory, episodes) is read while the branch is, and recall as soon as the person's message
    /// is known. Each read is a stage of <paramref name="stages"/> when given.
    /// </summary>
    public async Task<BuiltContext> BuildAsync(ChatSession session, Guid? anchorId, string? instruction, ChatSettings settings, TurnStages? stages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var background = ReadBackgroundAsync(session, settings, stages, cancellationToken);
        var source = await Timed(stages, "context: branch", () => ReadTurnsAsync(session, anchorId, cancellationToken));
        return Build(session, source, instruction, await BlocksAsync(session, source, background, stages, cancellationToken));
    }

    private BuiltContext Build(ChatSession session, ContextTurns source, string? instruction, List<ContextBlock> blocks)
    {
        var plan = new ContextBuilder(counter).Build(new ContextRequest(
            session.ModelId, ContextWindowOf(session), Settings.ReplyReserveTokens, Settings.CompactAtShare, blocks, source.Turns, instruction)
        {
            UnreadOlderTurns = source.UnreadOlderTurns,
        });
        return new BuiltContext(ContextBlocks.Render(plan, instruction), plan, source.Compaction) { Source = source };
    }

    public async Task<ContextGauge> MeasureAsync(ChatSession session, ContextTurns source, CancellationToken cancellationToken)
    {
        var built = await BuildAsync(session, source, null, cancellationToken);
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

        return await MeasureAsync(session, await ReadTurnsAsync(session, session.ActiveLeafId, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// The newest part of the branch ending at <paramref name="leafId"/> (null or unknown: the shown branch) that decides a
    /// turn's request, read from the end in growing pages: the turns after the latest compaction on the branch, or, when
    /// that is further back, only as many turns as hold more tokens than the budget and the compaction threshold (the
    /// builder neither sends nor counts further), with the older ones counted by id alone and the compaction found among them.
    /// </summary>
    public async Task<ContextTurns> ReadTurnsAsync(ChatSession session, Guid? leafId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var compactions = CompactionsByLeaf(await checkpoints.ListBySessionAsync(session.TenantId, session.Id, cancellationToken));
        var window = ContextWindowOf(session);
        var enough = Math.Max(Settings.CompactAtShare * window, window - ContextBuilder.ReplyReserve(window, Settings.ReplyReserveTokens));
        var newestFirst = new List<SessionMessage>();
        var tokens = 0.0;
        Guid? olderThan = null;
        for (var take = FirstPage; ; take = NextPage(enough, tokens, newestFirst.Count))
        {
            var page = await messages.ReadPathAsync(session.TenantId, session.Id, leafId, olderThan, take, cancellationToken);
            for (var i = page.Messages.Count - 1; i >= 0; i--)
            {
                var message = page.Messages[i];
                if (compactions.TryGetValue(message.Id, out var compaction))
                {
                    return Oldest(newestFirst, compaction, 0);
                }

                newestFirst.Add(message);
                tokens += TokensOf(session.ModelId, message);
            }

            if (!page.HasOlder || page.Messages.Count == 0)
            {
                return Oldest(newestFirst, null, 0);
            }

            if (tokens > enough)
            {
                break;
            }

            olderThan = page.Messages[0].Id;
        }

        // The rest of the branch is neither sent nor counted: only its length and the latest compaction on it matter.
        var older = await messages.AncestorIdsAsync(session.TenantId, session.Id, newestFirst[^1].Id, cancellationToken);
        for (var i = 0; i < older.Count; i++)
        {
            if (compactions.TryGetValue(older[i], out var compaction))
            {
                return Oldest(newestFirst, compaction, i);
            }
        }

        return Oldest(newestFirst, null, older.Count);
    }

    /// <summary>Enough messages to pass <paramref name="enough"/> tokens at the average size read so far, with a quarter more (one more page is rarely needed).</summary>
    private static int NextPage(double enough, double tokens, int read)
    {
        var perMessage = Math.Max(1.0, tokens / Math.Max(1, read));
        return (int)Math.Clamp(((enough - tokens) / perMessage * 1.25) + 1, FirstPage, MaxPage);
    }

    private static ContextTurns Oldest(List<SessionMessage> newestFirst, Checkpoint? compaction, int unread)
    {
        newestFirst.Reverse();
        return new ContextTurns(newestFirst, compaction, unread);
    }

    private static Dictionary<Guid, Checkpoint> CompactionsByLeaf(IReadOnlyList<Checkpoint> checkpoints)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        return checkpoints.Where(c => c.Kind == CheckpointKind.Compaction && c.LeafMessageId is not null && c.Summary is { Length: > 0 })
            .GroupBy(c => c.LeafMessageId!.Value)
            .ToDictionary(g => g.Key, g => g.MaxBy(c => c.CreatedAt)!);
    }

    /// <summary>
    /// The memory a team member's request carries for its task, as far as its scope reaches (the rule is on
    /// <see cref="MemoryScope"/>): the pinned blocks, then what recall finds for the task, then (session scope) the
    /// chat's newest daily episodes, as system messages.
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
        var episodes = scope.Kind == MemoryScopeKind.Session && scope.SessionId is { } sessionId
            ? await memory.EpisodesOfSessionAsync(tenantId, sessionId, null, null, MaxMemberEpisodes, cancellationToken)
            : [];
        var shown = episodes.Select(e => e.Id).ToHashSet();
        return pinned.Select(ContextBlocks.Pinned)
            .Concat(recalled.Where(r => !shown.Contains(r.Item.Id)).Select(ContextBlocks.Recalled))
            .Concat(episodes.Select(ContextBlocks.Episode))
            .Select(block => new AiChatMessage(Microsoft.Extensions.AI.ChatRole.System, block.Text))
            .ToList();
    }

    /// <summary>Tokens of one message as the builder counts them (for the compaction planner).</summary>
    public int TokensOf(string model, SessionMessage message) => counter.Count(model, ContextText.Of(message)).Tokens + ContextText.PerMessageOverhead;

    /// <summary>What a turn carries whatever its branch: the profile's prompt, the chat's instructions, skills, pinned memory, episodes.</summary>
    private sealed record Background(AgentProfileOptions? Profile, ChatSettings Settings, IReadOnlyList<SkillSpec> Skills, IReadOnlyList<MemoryItem> Pinned, IReadOnlyList<MemoryItem> Episodes);

    private async Task<Background> ReadBackgroundAsync(ChatSession session, ChatSettings? settings, TurnStages? stages, CancellationToken cancellationToken)
    {
        // Independent reads, each on its own pooled connection.
        var profile = session.AgentProfileId is { } profileId
            ? Timed(stages, "context: profile", () => profiles.FindProfileAsync(session.TenantId, profileId, cancellationToken))
            : Task.FromResult<AgentProfileOptions?>(null);
        var chat = settings is null ? Timed(stages, "context: chat settings", () => chatSettings.GetAsync(session.TenantId, session.Id, cancellationToken)) : Task.FromResult(settings);
        var skillList = Timed(stages, "context: skills", async () => (await skills.ScanAsync(session.TenantId, cancellationToken)).Skills);
        var pinned = Timed(stages, "context: pinned memory", () => memories.PinnedAsync(session.TenantId, cancellationToken));
        var episodes = Timed(stages, "context: episodes", () => memory.EpisodesOfSessionAsync(session.TenantId, session.Id, null, null, MaxEpisodes, cancellationToken));
        await Task.WhenAll(profile, chat, skillList, pinned, episodes);
        return new Background(await profile, await chat, await skillList, await pinned, await episodes);
    }

    private async Task<List<ContextBlock>> BlocksAsync(ChatSession session, ContextTurns source, Task<Background> backgroundRead, TurnStages? stages, CancellationToken cancellationToken)
    {
        var person = source.Turns.LastOrDefault(t => t.Role == MessageRole.User);
        var recall = person is null
            ? Task.FromResult<IReadOnlyList<RecalledMemory>>([])
            : Timed(stages, "context: recall", () => memories.RecallForTurnAsync(session.TenantId, session.Id, person.Text,
                person.Parts.OfType<AttachmentRefPart>().Select(a => a.AttachmentId).ToList(), Settings.RecallTake, cancellationToken));
        await Task.WhenAll(backgroundRead, recall);
        var background = await backgroundRead;
        var blocks = new List<ContextBlock>();
        // The profile as the person edited it in the Team panel (over appsettings.json's default).
        if (background.Profile?.SystemPrompt is { Length: > 0 } systemPrompt)
        {
            blocks.Add(ContextBlocks.System(systemPrompt, background.Profile.Name));
        }

        if (background.Settings.SystemPrompt is { Length: > 0 } instructions)
        {
            blocks.Add(ContextBlocks.ChatInstructions(instructions));
        }

        if (ContextBlocks.Skills(background.Skills) is { } skillBlock)
        {
            blocks.Add(skillBlock);
        }

        blocks.AddRange(background.Pinned.Select(ContextBlocks.Pinned));
        var shown = background.Pinned.Select(p => p.Id).Concat(background.Episodes.Select(e => e.Id)).ToHashSet();
        blocks.AddRange((await recall).Where(r => !shown.Contains(r.Item.Id)).Select(ContextBlocks.Recalled));
        blocks.AddRange(background.Episodes.Select(ContextBlocks.Episode));
        if (source.Compaction is not null)
        {
            blocks.Add(ContextBlocks.Summary(source.Compaction));
        }

        return blocks;
    }

    private static Task<T> Timed<T>(TurnStages? stages, string name, Func<Task<T>> read) => stages?.TimeAsync(name, read) ?? read();
}
