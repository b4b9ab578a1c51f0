using Agent.Domain.Configuration;
using Agent.Domain.Memory;
using Agent.Domain.Storage;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.Memories;

/// <summary>Input the memory rules refuse (empty, too long, wrong tier); the message says what and how to fix it.</summary>
public sealed class MemoryRuleException(string message) : ArgumentException(message);

/// <summary>
/// What the person and the agent do with memory (the API, the panel and the memory_* tools all call this): list and
/// search, save, edit, pin and unpin, forget, and the memory part of a prompt. Pinned blocks are size-limited,
/// alone and together, because they are always in context.
/// </summary>
public sealed class MemoryService(IMemoryStore store, IMemoryRecall recall, IAttachmentStore attachments, IOptions<AgentOptions> options, TimeProvider time, ILogger<MemoryService> logger)
{
    private const int MaxPinned = 200;

    private MemoryOptions Limits => options.Value.Memory;

    public Task<MemoryPage> SearchAsync(string tenantId, MemoryTier? tier, string? query, int skip, int take, CancellationToken cancellationToken) =>
        store.SearchAsync(tenantId, tier, query, Math.Max(0, skip), Math.Clamp(take, 1, 200), cancellationToken);

    public Task<MemoryItem?> FindAsync(string tenantId, Guid id, CancellationToken cancellationToken) => store.FindAsync(tenantId, id, cancellationToken);

    public Task<IReadOnlyDictionary<MemoryTier, int>> CountAsync(string tenantId, CancellationToken cancellationToken) => store.CountByTierAsync(tenantId, cancellationToken);

    public Task<IReadOnlyList<RecalledMemory>> RecallAsync(string tenantId, string query, int take, CancellationToken cancellationToken) =>
        recall.RecallAsync(tenantId, query, Math.Clamp(take, 1, 50), cancellationToken);

    /// <summary>Saves a pinned block or an archival fact.</summary>
    public Task<MemoryItem> SaveAsync(string tenantId, MemoryTier tier, string? content, string? title, MemorySource source, Guid? sessionId, Guid? messageId, CancellationToken cancellationToken) =>
        SaveAsync(tenantId, tier, content, title, source, sessionId, messageId, null, cancellationToken);

    /// <summary>Saves a pinned block or an archival fact; <paramref name="agentId"/> is the team member's profile that saved it.</summary>
    public async Task<MemoryItem> SaveAsync(string tenantId, MemoryTier tier, string? content, string? title, MemorySource source, Guid? sessionId, Guid? messageId, string? agentId, CancellationToken cancellationToken)
    {
        if (tier is not (MemoryTier.PinnedBlock or MemoryTier.ArchivalFact))
        {
            throw new MemoryRuleException("Only a pinned block or an archival fact can be saved; episodes and attachment summaries are written by their jobs.");
        }

        var text = RequireContent(content, tier);
        if (tier == MemoryTier.PinnedBlock)
        {
            await EnsurePinnedRoomAsync(tenantId, null, text.Length, cancellationToken);
        }

        var now = time.GetUtcNow();
        var item = new MemoryItem(Guid.NewGuid(), tenantId, sessionId, tier, TitleFor(title), text, now, now)
        {
            Source = source,
            SourceMessageId = messageId,
            AgentId = agentId,
        };
        await store.AddAsync(item, cancellationToken);
        return item;
    }

    /// <summary>Replaces the content (and title) of an item; raw history is the messages and is not edited here.</summary>
    public async Task<MemoryItem> EditAsync(string tenantId, Guid id, string? content, string? title, CancellationToken cancellationToken)
    {
        var item = await RequireAsync(tenantId, id, cancellationToken);
        var text = RequireContent(content, item.Tier);
        if (item.Tier == MemoryTier.PinnedBlock)
        {
            await EnsurePinnedRoomAsync(tenantId, item.Id, text.Length, cancellationToken);
        }

        var edited = item with { Content = text, Title = title is null ? item.Title : TitleFor(title), UpdatedAt = time.GetUtcNow() };
        await store.UpdateAsync(edited, cancellationToken);
        return edited;
    }

    /// <summary>Makes an item a pinned block (always in context); its source stays as it was.</summary>
    public async Task<MemoryItem> PinAsync(string tenantId, Guid id, CancellationToken cancellationToken)
    {
        var item = await RequireAsync(tenantId, id, cancellationToken);
        if (item.Tier == MemoryTier.PinnedBlock)
        {
            return item;
        }

        if (item.Content.Length > Limits.PinnedBlockMaxChars)
        {
            throw new MemoryRuleException($"This item has {item.Content.Length:N0} characters; a pinned block holds at most {Limits.PinnedBlockMaxChars:N0} (Agent:Memory:PinnedBlockMaxChars). Shorten it first.");
        }

        await EnsurePinnedRoomAsync(tenantId, null, item.Content.Length, cancellationToken);
        var pinned = item with { Tier = MemoryTier.PinnedBlock, UpdatedAt = time.GetUtcNow() };
        await store.UpdateAsync(pinned, cancellationToken);
        return pinned;
    }

    /// <summary>Turns a pinned block into an archival fact (recalled when relevant instead of always sent).</summary>
    public async Task<MemoryItem> UnpinAsync(string tenantId, Guid id, CancellationToken cancellationToken)
    {
        var item = await RequireAsync(tenantId, id, cancellationToken);
        if (item.Tier != MemoryTier.PinnedBlock)
        {
            return item;
        }

        var unpinned = item with { Tier = MemoryTier.ArchivalFact, UpdatedAt = time.GetUtcNow() };
        await store.UpdateAsync(unpinned, cancellationToken);
        return unpinned;
    }

    public Task<bool> ForgetAsync(string tenantId, Guid id, CancellationToken cancellationToken) => store.DeleteAsync(tenantId, id, cancellationToken);

    public async Task<IReadOnlyList<MemoryItem>> PinnedAsync(string tenantId, CancellationToken cancellationToken) =>
        (await store.ListAsync(tenantId, MemoryTier.PinnedBlock, 0, MaxPinned, cancellationToken)).OrderBy(p => p.CreatedAt).ToList();

    /// <summary>
    /// What a turn of a session recalls: the summaries of the files attached to the person's message first, then what
    /// recall finds for that message (the session's own messages are already in the prompt and left out). Memory that
    /// cannot be read is logged and left out: the turn goes on without it.
    /// </summary>
    public async Task<IReadOnlyList<RecalledMemory>> RecallForTurnAsync(string tenantId, Guid sessionId, string? message, IReadOnlyList<Guid> attachmentIds, int take, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attachmentIds);
        try
        {
            var recalled = new List<RecalledMemory>();
            foreach (var id in attachmentIds)
            {
                if (await attachments.FindAsync(tenantId, id, cancellationToken) is { SummaryId: { } summaryId } && await store.FindAsync(tenantId, summaryId, cancellationToken) is { } summary)
                {
                    recalled.Add(new RecalledMemory(summary, double.MaxValue));
                }
            }

            if (take > 0 && !string.IsNullOrWhiteSpace(message))
            {
                recalled.AddRange((await recall.RecallAsync(tenantId, message, take + 10, cancellationToken))
                    .Where(r => !(r.Item.Tier == MemoryTier.RawHistory && r.Item.SessionId == sessionId) && recalled.All(a => a.Item.Id != r.Item.Id))
                    .Take(take));
            }

            return recalled;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Memory could not be read for session {SessionId}; the turn goes on without it", sessionId);
            return [];
        }
    }

    /// <summary>Recall for a turn limited to a <see cref="MemoryScope"/> (a team member's), filtered in the recall query itself.</summary>
    public async Task<IReadOnlyList<RecalledMemory>> RecallInScopeAsync(string tenantId, MemoryScope scope, string? query, int take, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return take <= 0 || string.IsNullOrWhiteSpace(query) ? [] : await recall.RecallInScopeAsync(tenantId, scope, query, Math.Min(take, 50), cancellationToken);
    }

    private async Task<MemoryItem> RequireAsync(string tenantId, Guid id, CancellationToken cancellationToken) =>
        await store.FindAsync(tenantId, id, cancellationToken) ?? throw new KeyNotFoundException($"There is no memory item {id}.");

    private string RequireContent(string? content, MemoryTier tier)
    {
        var text = content?.Trim() ?? "";
        if (text.Length == 0)
        {
            throw new MemoryRuleException("content is empty; write what should be remembered.");
        }

        var max = tier == MemoryTier.PinnedBlock ? Limits.PinnedBlockMaxChars : Limits.FactMaxChars;
        if (text.Length > max)
        {
            throw new MemoryRuleException($"content has {text.Length:N0} characters; a {(tier == MemoryTier.PinnedBlock ? "pinned block" : "memory item")} holds at most {max:N0} (Agent:Memory:{(tier == MemoryTier.PinnedBlock ? "PinnedBlockMaxChars" : "FactMaxChars")}).");
        }

        return text;
    }

    private async Task EnsurePinnedRoomAsync(string tenantId, Guid? replacing, int length, CancellationToken cancellationToken)
    {
        var pinned = await PinnedAsync(tenantId, cancellationToken);
        var used = pinned.Where(p => p.Id != replacing).Sum(p => p.Content.Length);
        if (used + length > Limits.PinnedTotalMaxChars)
        {
            throw new MemoryRuleException($"Pinned memory would hold {used + length:N0} characters; all pinned blocks together hold at most {Limits.PinnedTotalMaxChars:N0} (Agent:Memory:PinnedTotalMaxChars). Unpin or shorten a block first.");
        }

        if (replacing is null && pinned.Count >= MaxPinned)
        {
            throw new MemoryRuleException($"There are already {MaxPinned} pinned blocks; unpin one first.");
        }
    }

    private static string TitleFor(string? title)
    {
        // No title unless one is given: a title copied from the content would count its words twice in recall.
        var t = title?.Trim() ?? "";
        return t.Length <= 120 ? t : t[..120];
    }
}
