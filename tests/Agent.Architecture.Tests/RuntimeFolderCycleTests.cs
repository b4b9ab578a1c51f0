using NetArchTest.Rules;
using Xunit.Abstractions;

namespace Agent.Architecture.Tests;

/// <summary>
/// The folders of Agent.Runtime (its top-level namespaces Agent.Runtime.X) form a one-way graph: no two folders use each
/// other, and no dependency lies on a loop of any length. When one does, the failure names the types that make it.
/// </summary>
public sealed class RuntimeFolderCycleTests(ITestOutputHelper output)
{
    [Fact]
    public void Runtime_folders_form_a_one_way_graph()
    {
        var graph = RuntimeFolderGraph.Build();
        foreach (var (from, tos) in graph.Edges)
        {
            var types = Types.InAssembly(LayerTests.Runtime).That().ResideInNamespace(RuntimeFolderGraph.Root + from).GetTypes().Count();
            output.WriteLine($"{from} ({types} types) -> {string.Join(", ", tos)}");
        }

        Assert.True(graph.MutualPairs.Count == 0,
            $"Folders of Agent.Runtime that use each other: {Show(graph.MutualPairs, "<->")}. {Culprits(graph.MutualPairs.SelectMany(p => new[] { p, (p.Item2, p.Item1) }))}");
        Assert.True(graph.CycleEdges.Count == 0,
            $"A folder loop in Agent.Runtime through: {Show(graph.CycleEdges, " -> ")}. {Culprits(graph.CycleEdges)}");
    }

    private static string Show(IEnumerable<(string, string)> edges, string arrow) =>
        string.Join("; ", edges.Order().Select(e => e.Item1 + arrow + e.Item2));

    private static string Culprits(IEnumerable<(string From, string To)> edges) =>
        "Types that make them: " + string.Join("; ", edges.Order().Select(e => $"{e.From} -> {e.To}: {string.Join(", ", RuntimeFolderGraph.TypesUsing(e.From, e.To))}"));
}
