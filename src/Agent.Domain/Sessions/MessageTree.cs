namespace Agent.Domain.Sessions;

/// <summary>
/// The branches of a session: each message points to its parent; siblings are alternatives created by
/// regenerate or edit-and-resend. Pure: built from the stored messages, answers which path is shown.
/// </summary>
public sealed class MessageTree
{
    private readonly Dictionary<Guid, SessionMessage> byId;
    private readonly Dictionary<Guid, List<SessionMessage>> childrenOf = [];
    private readonly List<SessionMessage> roots = [];

    public MessageTree(IEnumerable<SessionMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var ordered = messages.OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).ToList();
        byId = ordered.ToDictionary(m => m.Id);
        foreach (var message in ordered)
        {
            if (message.ParentId is { } parent && byId.ContainsKey(parent))
            {
                if (!childrenOf.TryGetValue(parent, out var children))
                {
                    childrenOf[parent] = children = [];
                }

                children.Add(message);
            }
            else
            {
                roots.Add(message);
            }
        }
    }

    public int Count => byId.Count;

    public SessionMessage? Find(Guid id) => byId.GetValueOrDefault(id);

    /// <summary>Messages from the root to <paramref name="leafId"/>; with no leaf, the newest branch is shown.</summary>
    public IReadOnlyList<SessionMessage> PathTo(Guid? leafId)
    {
        var leaf = leafId is { } id && byId.TryGetValue(id, out var found) ? found : NewestLeaf();
        var path = new List<SessionMessage>();
        for (var node = leaf; node is not null; node = node.ParentId is { } p ? byId.GetValueOrDefault(p) : null)
        {
            path.Add(node);
        }

        path.Reverse();
        return path;
    }

    /// <summary>The alternatives of a message (itself included), oldest first.</summary>
    public IReadOnlyList<SessionMessage> SiblingsOf(SessionMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.ParentId is { } parent && childrenOf.TryGetValue(parent, out var children) ? children : roots;
    }

    /// <summary>The newest leaf below <paramref name="message"/>: where a branch switch lands.</summary>
    public SessionMessage LatestLeafUnder(SessionMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var node = message;
        while (childrenOf.TryGetValue(node.Id, out var children) && children.Count > 0)
        {
            node = children[^1];
        }

        return node;
    }

    /// <summary>
    /// The window <c>IMessageStore.ReadPathAsync</c> answers, computed from the whole tree: the newest
    /// <paramref name="take"/> messages of the path to <paramref name="leafId"/>, or the ones above <paramref name="olderThan"/>.
    /// </summary>
    public TranscriptWindow Window(Guid? leafId, Guid? olderThan, int take)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(take);
        IReadOnlyList<SessionMessage> path;
        if (olderThan is { } older)
        {
            if (!byId.TryGetValue(older, out var anchor))
            {
                return TranscriptWindow.Empty;
            }

            path = PathTo(anchor.Id);
            path = path.Take(path.Count - 1).ToList();
        }
        else
        {
            path = PathTo(leafId);
        }

        var shown = path.Skip(Math.Max(0, path.Count - take)).ToList();
        var branches = new Dictionary<Guid, BranchPosition>();
        foreach (var message in shown)
        {
            var siblings = SiblingsOf(message);
            if (siblings.Count > 1)
            {
                var ids = siblings.Select(s => s.Id).ToList();
                branches[message.Id] = new BranchPosition(ids.IndexOf(message.Id), ids.Count, ids);
            }
        }

        return new TranscriptWindow(shown, branches, path.Count > shown.Count);
    }

    private SessionMessage? NewestLeaf() =>
        byId.Values.Where(m => !childrenOf.ContainsKey(m.Id)).OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).LastOrDefault();
}
