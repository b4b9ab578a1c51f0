using System.Reflection;
using NetArchTest.Rules;

namespace Agent.Architecture.Tests;

/// <summary>The project graph of the compiled src/ assemblies: which Agent.* assembly references which.</summary>
public sealed class ProjectGraph
{
    private ProjectGraph(IReadOnlyList<string> projects, IReadOnlyDictionary<string, SortedSet<string>> edges)
    {
        Projects = projects;
        Edges = edges;
    }

    /// <summary>The assemblies of src/, Web first, Domain last (callers before what they call).</summary>
    public IReadOnlyList<string> Projects { get; }

    /// <summary>Project -> the Agent.* assemblies it references (as compiled: an unused project reference is not kept).</summary>
    public IReadOnlyDictionary<string, SortedSet<string>> Edges { get; }

    public static ProjectGraph Build(params Assembly[] assemblies)
    {
        ArgumentNullException.ThrowIfNull(assemblies);
        var names = assemblies.Select(a => a.GetName().Name!).ToHashSet(StringComparer.Ordinal);
        var edges = assemblies.ToDictionary(
            a => a.GetName().Name!,
            a => new SortedSet<string>(a.GetReferencedAssemblies().Select(r => r.Name!).Where(names.Contains), StringComparer.Ordinal),
            StringComparer.Ordinal);

        // Callers first: by how many projects each reaches, most first, then by name.
        var order = edges.Keys.OrderByDescending(p => Reach(edges, p).Count).ThenBy(p => p, StringComparer.Ordinal).ToList();
        return new ProjectGraph(order, edges);
    }

    private static HashSet<string> Reach(IReadOnlyDictionary<string, SortedSet<string>> edges, string from)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(edges[from]);
        while (pending.TryPop(out var next))
        {
            if (seen.Add(next))
            {
                foreach (var further in edges[next])
                {
                    pending.Push(further);
                }
            }
        }

        return seen;
    }
}

/// <summary>
/// The folder graph inside Agent.Runtime: its folders are its top-level namespaces Agent.Runtime.X (a subfolder counts
/// as its folder), and folder A depends on folder B when a type in A uses a type in B (NetArchTest: member signatures,
/// bodies, attributes; string constants count too).
/// </summary>
public sealed class RuntimeFolderGraph
{
    public const string Root = "Agent.Runtime.";

    private RuntimeFolderGraph(IReadOnlyList<string> folders, IReadOnlyDictionary<string, SortedSet<string>> edges)
    {
        Folders = folders;
        Edges = edges;
        MutualPairs = edges
            .SelectMany(e => e.Value.Where(to => string.CompareOrdinal(e.Key, to) < 0 && edges[to].Contains(e.Key)).Select(to => (e.Key, to)))
            .ToHashSet();

        // An edge from -> to lies on a loop when to reaches from again.
        CycleEdges = edges.SelectMany(e => e.Value.Where(to => Reaches(to, e.Key)).Select(to => (e.Key, to))).ToHashSet();
    }

    public IReadOnlyList<string> Folders { get; }

    /// <summary>Folder -> the folders it depends on.</summary>
    public IReadOnlyDictionary<string, SortedSet<string>> Edges { get; }

    /// <summary>Folder pairs that depend on each other (alphabetical within a pair).</summary>
    public IReadOnlySet<(string, string)> MutualPairs { get; }

    /// <summary>Every dependency (from, to) that lies on a loop of any length.</summary>
    public IReadOnlySet<(string, string)> CycleEdges { get; }

    public static RuntimeFolderGraph Build()
    {
        var folders = Types.InAssembly(LayerTests.Runtime).GetTypes()
            .Select(t => t.Namespace)
            .OfType<string>()
            .Where(n => n.StartsWith(Root, StringComparison.Ordinal))
            .Select(n => n[Root.Length..].Split('.')[0])
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        var edges = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var from in folders)
        {
            edges[from] = new SortedSet<string>(folders.Where(to => to != from && TypesUsing(from, to).Count > 0), StringComparer.Ordinal);
        }

        return new RuntimeFolderGraph(folders, edges);
    }

    /// <summary>The types of folder <paramref name="from"/> that use a type of folder <paramref name="to"/> ("Chat.ChatCoordinator"; nested types as their outermost type).</summary>
    public static IReadOnlyList<string> TypesUsing(string from, string to) =>
        (Types.InAssembly(LayerTests.Runtime)
            .That().ResideInNamespace(Root + from)
            .ShouldNot().HaveDependencyOn(Root + to)
            .GetResult().FailingTypeNames ?? [])
        .Select(name => name.Split('/', '+')[0].Split('`')[0])
        .Select(name => name.StartsWith(Root, StringComparison.Ordinal) ? name[Root.Length..] : name)
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal)
        .ToList();

    public bool Reaches(string from, string target)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { from };
        var pending = new Stack<string>([from]);
        while (pending.TryPop(out var folder))
        {
            if (folder == target)
            {
                return true;
            }

            foreach (var next in Edges[folder].Where(seen.Add))
            {
                pending.Push(next);
            }
        }

        return false;
    }

    /// <summary>The groups of two or more folders that all reach each other (strongly connected components), largest first.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Loops()
    {
        var groups = new List<IReadOnlyList<string>>();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var folder in Folders.Where(f => !placed.Contains(f)))
        {
            var group = Folders.Where(other => other == folder || (Reaches(folder, other) && Reaches(other, folder))).ToList();
            placed.UnionWith(group);
            if (group.Count > 1)
            {
                groups.Add(group);
            }
        }

        return [.. groups.OrderByDescending(g => g.Count).ThenBy(g => g[0], StringComparer.Ordinal)];
    }
}
