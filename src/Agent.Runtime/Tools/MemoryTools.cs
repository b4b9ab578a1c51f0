using System.ComponentModel;
using Agent.Domain.Memory;
using Agent.Domain.Tools;
using Agent.Runtime.Memories;

namespace Agent.Runtime.Tools;

/// <summary>
/// The agent's memory tools for one tenant and session: memory_search, memory_save and memory_pin change nothing the
/// person cannot see and undo in the Memory panel, so they run without asking; memory_forget deletes, so it asks.
/// </summary>
public static class MemoryTools
{
    public const string Search = "memory_search";
    public const string Save = "memory_save";
    public const string Pin = "memory_pin";
    public const string Forget = "memory_forget";

    public static IReadOnlyList<AgentTool> For(MemoryService memory, string tenantId, Guid? sessionId) => For(memory, tenantId, sessionId, MemoryScope.Whole);

    /// <summary>The memory tools limited to <paramref name="scope"/> (a team member's; none: no tools at all).</summary>
    public static IReadOnlyList<AgentTool> For(MemoryService memory, string tenantId, Guid? sessionId, MemoryScope scope) => !scope.HasMemory ? [] :
    [
        AgentTool.Create(
            async (
                [Description("What to look for, in words.")] string query,
                [Description("At most this many items (default 5).")] int take = 5,
                CancellationToken cancellationToken = default) =>
            {
                take = Math.Clamp(take, 1, 20);
                var found = scope.Kind == MemoryScopeKind.Whole
                    ? await memory.RecallAsync(tenantId, query, take, cancellationToken)
                    : await memory.RecallInScopeAsync(tenantId, scope, query, take, cancellationToken);
                return new
                {
                    query,
                    items = found.Select(r => new { id = r.Item.Id, tier = MemoryTiers.ToApi(r.Item.Tier), content = r.Item.Content, score = Math.Round(r.Score, 3) }).ToList(),
                };
            },
            Search,
            "Searches long-term memory (archival facts, daily episodes, attachment summaries and earlier messages) for what is relevant to a query. Returns nothing when nothing is relevant.",
            ToolSource.BuiltIn,
            ToolEffects.None),
        AgentTool.Create(
            async ([Description("The fact, in one or two sentences.")] string content, CancellationToken cancellationToken) =>
            {
                var item = await Guard(() => memory.SaveAsync(tenantId, MemoryTier.ArchivalFact, content, null, MemorySource.Agent, sessionId, null, scope.ProfileId, cancellationToken));
                return new { saved = true, id = item.Id, tier = MemoryTiers.ToApi(item.Tier) };
            },
            Save,
            "Saves a fact about the person or their work to long-term memory (archival: recalled when relevant). Use for lasting facts, not for the conversation itself.",
            ToolSource.BuiltIn,
            ToolEffects.None),
        AgentTool.Create(
            async (
                [Description("Id of an existing memory item to pin.")] string id = "",
                [Description("Or new content to pin.")] string content = "",
                CancellationToken cancellationToken = default) =>
            {
                MemoryItem item;
                if (!string.IsNullOrWhiteSpace(id))
                {
                    var itemId = ParseId(id);
                    await RequireReachableAsync(memory, tenantId, scope, itemId, cancellationToken);
                    item = await Guard(() => memory.PinAsync(tenantId, itemId, cancellationToken));
                }
                else if (!string.IsNullOrWhiteSpace(content))
                {
                    item = await Guard(() => memory.SaveAsync(tenantId, MemoryTier.PinnedBlock, content, null, MemorySource.Agent, sessionId, null, scope.ProfileId, cancellationToken));
                }
                else
                {
                    throw new ToolException("Give either 'id' (an item to pin) or 'content' (new pinned content).");
                }

                return new { pinned = true, id = item.Id };
            },
            Pin,
            "Pins a memory item (by id) or new content so it is always in context. Pinned memory is small: keep it to what matters in every conversation.",
            ToolSource.BuiltIn,
            ToolEffects.None),
        AgentTool.Create(
            async ([Description("Id of the memory item to delete.")] string id, CancellationToken cancellationToken) =>
            {
                var itemId = ParseId(id);
                await RequireReachableAsync(memory, tenantId, scope, itemId, cancellationToken);
                return await memory.ForgetAsync(tenantId, itemId, cancellationToken)
                    ? new { forgotten = true, id = itemId }
                    : throw new ToolException($"There is no memory item {itemId}.");
            },
            Forget,
            "Deletes a memory item by id (the person approves it first).",
            ToolSource.BuiltIn,
            ToolEffects.Deletes),
    ];

    private static async Task RequireReachableAsync(MemoryService memory, string tenantId, MemoryScope scope, Guid id, CancellationToken cancellationToken)
    {
        if (scope.Kind != MemoryScopeKind.Whole && (await memory.FindAsync(tenantId, id, cancellationToken) is not { } item || !scope.Reaches(item)))
        {
            throw new ToolException($"There is no memory item {id} within this agent's memory scope ({scope.Kind.ToString().ToLowerInvariant()}).");
        }
    }

    private static Guid ParseId(string text) =>
        Guid.TryParse(text, out var id) ? id : throw new ToolException($"'{text}' is not a memory item id.");

    private static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is MemoryRuleException or KeyNotFoundException)
        {
            throw new ToolException(ex.Message);
        }
    }
}
