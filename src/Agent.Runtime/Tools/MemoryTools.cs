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
        new(
            Search,
            "Searches long-term memory (archival facts, daily episodes, attachment summaries and earlier messages) for what is relevant to a query. Returns nothing when nothing is relevant.",
            """{"type":"object","properties":{"query":{"type":"string","description":"What to look for, in words."},"take":{"type":"integer","description":"At most this many items (default 5)."}},"required":["query"],"additionalProperties":false}""",
            ToolSource.BuiltIn,
            ToolEffects.None,
            async (args, ct) =>
            {
                var query = AgentTool.RequiredString(args, "query");
                var take = int.TryParse(AgentTool.OptionalString(args, "take"), out var n) ? Math.Clamp(n, 1, 20) : 5;
                var found = scope.Kind == MemoryScopeKind.Whole
                    ? await memory.RecallAsync(tenantId, query, take, ct)
                    : await memory.RecallInScopeAsync(tenantId, scope, query, take, ct);
                return new
                {
                    query,
                    items = found.Select(r => new { id = r.Item.Id, tier = MemoryTiers.ToApi(r.Item.Tier), content = r.Item.Content, score = Math.Round(r.Score, 3) }).ToList(),
                };
            }),
        new(
            Save,
            "Saves a fact about the person or their work to long-term memory (archival: recalled when relevant). Use for lasting facts, not for the conversation itself.",
            """{"type":"object","properties":{"content":{"type":"string","description":"The fact, in one or two sentences."}},"required":["content"],"additionalProperties":false}""",
            ToolSource.BuiltIn,
            ToolEffects.None,
            async (args, ct) =>
            {
                var item = await Guard(() => memory.SaveAsync(tenantId, MemoryTier.ArchivalFact, AgentTool.RequiredString(args, "content"), null, MemorySource.Agent, sessionId, null, scope.ProfileId, ct));
                return new { saved = true, id = item.Id, tier = MemoryTiers.ToApi(item.Tier) };
            }),
        new(
            Pin,
            "Pins a memory item (by id) or new content so it is always in context. Pinned memory is small: keep it to what matters in every conversation.",
            """{"type":"object","properties":{"id":{"type":"string","description":"Id of an existing memory item to pin."},"content":{"type":"string","description":"Or new content to pin."}},"additionalProperties":false}""",
            ToolSource.BuiltIn,
            ToolEffects.None,
            async (args, ct) =>
            {
                var id = AgentTool.OptionalString(args, "id");
                var content = AgentTool.OptionalString(args, "content");
                MemoryItem item;
                if (!string.IsNullOrWhiteSpace(id))
                {
                    var itemId = ParseId(id);
                    await RequireReachableAsync(memory, tenantId, scope, itemId, ct);
                    item = await Guard(() => memory.PinAsync(tenantId, itemId, ct));
                }
                else if (!string.IsNullOrWhiteSpace(content))
                {
                    item = await Guard(() => memory.SaveAsync(tenantId, MemoryTier.PinnedBlock, content, null, MemorySource.Agent, sessionId, null, scope.ProfileId, ct));
                }
                else
                {
                    throw new ToolException("Give either 'id' (an item to pin) or 'content' (new pinned content).");
                }

                return new { pinned = true, id = item.Id };
            }),
        new(
            Forget,
            "Deletes a memory item by id (the person approves it first).",
            """{"type":"object","properties":{"id":{"type":"string","description":"Id of the memory item to delete."}},"required":["id"],"additionalProperties":false}""",
            ToolSource.BuiltIn,
            ToolEffects.Deletes,
            async (args, ct) =>
            {
                var id = ParseId(AgentTool.RequiredString(args, "id"));
                await RequireReachableAsync(memory, tenantId, scope, id, ct);
                return await memory.ForgetAsync(tenantId, id, ct)
                    ? new { forgotten = true, id }
                    : throw new ToolException($"There is no memory item {id}.");
            }),
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
