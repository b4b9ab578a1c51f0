using Agent.Domain.Memory;

namespace Agent.Web.Chat.Context;

/// <summary>
/// Placeholder until the memory branch's FTS5 recall lands: recalls nothing. The memory branch registers its
/// own <see cref="IMemoryRecall"/>; this file is deleted when the two are merged.
/// </summary>
public sealed class NoMemoryRecall : IMemoryRecall
{
    public Task<IReadOnlyList<RecalledMemory>> RecallAsync(string tenantId, string query, int take, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<RecalledMemory>>([]);
}
