using NetArchTest.Rules;
using Xunit.Abstractions;

namespace Agent.Architecture.Tests;

/// <summary>
/// The folders of Agent.Runtime (its top-level namespaces Agent.Runtime.X) are to form a one-way graph. The loops that
/// existed when the engine moved out of Agent.Web are listed: <see cref="KnownMutualPairs"/> (X uses Y and Y uses X) and
/// <see cref="KnownCycleEdges"/> (every folder dependency that lies on a loop of any length). A new loop fails, and a
/// listed one that is gone fails too until it is taken off its list, so both lists only shrink.
/// </summary>
public sealed class RuntimeFolderCycleTests(ITestOutputHelper output)
{
    /// <summary>Mutually dependent folder pairs (alphabetical within a pair) measured at the move. Only remove lines.</summary>
    public static readonly IReadOnlySet<(string, string)> KnownMutualPairs = new HashSet<(string, string)>
    {
        ("Chat", "Memories"),
        ("Chat", "Teams"),
    };

    /// <summary>
    /// Folder dependencies (from -> to) that lie on a loop, measured at the move: all but ControlPlane and Hosting are one
    /// strongly connected component. Only remove lines.
    /// </summary>
    public static readonly IReadOnlySet<(string, string)> KnownCycleEdges = new HashSet<(string, string)>
    {
        ("Chat", "Clients"), ("Chat", "Memories"), ("Chat", "Runtime"), ("Chat", "Services"), ("Chat", "Teams"), ("Chat", "Telemetry"), ("Chat", "Tools"),
        ("Clients", "Services"),
        ("Memories", "Chat"), ("Memories", "Runtime"),
        ("Runtime", "Telemetry"),
        ("Services", "Teams"),
        ("Teams", "Chat"), ("Teams", "Runtime"), ("Teams", "Tools"),
        ("Telemetry", "Clients"),
        ("Tools", "Memories"), ("Tools", "Services"), ("Tools", "Telemetry"),
    };

    [Fact]
    public void Runtime_folders_add_no_dependency_cycle()
    {
        var graph = RuntimeFolderGraph.Build();
        foreach (var (from, tos) in graph.Edges)
        {
            var types = Types.InAssembly(LayerTests.Runtime).That().ResideInNamespace(RuntimeFolderGraph.Root + from).GetTypes().Count();
            output.WriteLine($"{from} ({types} types) -> {string.Join(", ", tos)}");
        }

        var pairs = graph.MutualPairs;
        output.WriteLine($"Mutually dependent pairs: {Show(pairs, "<->")}");
        var cycleEdges = graph.CycleEdges;
        output.WriteLine($"Dependencies on a loop: {Show(cycleEdges, " -> ")}");

        Assert.True(pairs.IsSubsetOf(KnownMutualPairs),
            $"New mutual folder dependency in Agent.Runtime: {Show(pairs.Except(KnownMutualPairs), "<->")}. Break the loop instead of listing it.");
        Assert.True(cycleEdges.IsSubsetOf(KnownCycleEdges),
            $"New folder loop in Agent.Runtime through: {Show(cycleEdges.Except(KnownCycleEdges), " -> ")}. Break the loop instead of listing it.");
        Assert.True(KnownMutualPairs.IsSubsetOf(pairs),
            $"No longer mutually dependent: {Show(KnownMutualPairs.Except(pairs), "<->")}. Take them off {nameof(KnownMutualPairs)}.");
        Assert.True(KnownCycleEdges.IsSubsetOf(cycleEdges),
            $"No longer on a loop: {Show(KnownCycleEdges.Except(cycleEdges), " -> ")}. Take them off {nameof(KnownCycleEdges)}.");
    }

    private static string Show(IEnumerable<(string, string)> edges, string arrow) =>
        string.Join("; ", edges.Order().Select(e => e.Item1 + arrow + e.Item2));
}
