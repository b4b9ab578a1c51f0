using System.Reflection;
using Agent.Data;
using Agent.Domain.Configuration;
using Agent.Runtime.Hosting;
using NetArchTest.Rules;
using Xunit.Abstractions;

namespace Agent.Architecture.Tests;

/// <summary>
/// The project graph: Web -> Runtime -> Domain and Web -> Data -> Domain, Web the composition root. Domain and Runtime
/// never reach ASP.NET Core; Runtime and Data never reach each other or Web. A layer is checked on the assemblies it
/// references (exact); ASP.NET Core and EF Core also on the namespaces its types use, since some of their namespaces
/// live in assemblies of other names (Microsoft.AspNetCore.Http.Features is in Microsoft.Extensions.Features).
/// NetArchTest counts string constants as dependencies too, so the layers' own names (Agent.Web is still the name of
/// Agent.Runtime's ActivitySource and Meter) are checked on assembly references only.
/// </summary>
public sealed class LayerTests(ITestOutputHelper output)
{
    public static readonly Assembly Domain = typeof(AgentOptions).Assembly;
    public static readonly Assembly Data = typeof(AgentDatabase).Assembly;
    public static readonly Assembly Runtime = typeof(AppInfo).Assembly;
    public static readonly Assembly Web = typeof(Agent.Web.Hosting.HostSetup).Assembly;

    [Fact]
    public void Domain_references_no_aspnetcore_no_ef_core_and_no_other_layer() =>
        AssertNoDependency(Domain, ["Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore"], ["Agent.Data", "Agent.Runtime", "Agent.Web"]);

    [Fact]
    public void Runtime_references_no_aspnetcore_and_neither_data_nor_web() =>
        AssertNoDependency(Runtime, ["Microsoft.AspNetCore"], ["Agent.Data", "Agent.Web"]);

    [Fact]
    public void Data_references_neither_runtime_nor_web() =>
        AssertNoDependency(Data, [], ["Agent.Runtime", "Agent.Web"]);

    private void AssertNoDependency(Assembly assembly, string[] namespaces, string[] layers)
    {
        var forbidden = namespaces.Concat(layers).ToArray();
        var name = assembly.GetName().Name!;
        var referenced = assembly.GetReferencedAssemblies().Select(a => a.Name!).Order(StringComparer.Ordinal).ToList();
        output.WriteLine($"{name} references: {string.Join(", ", referenced)}");

        var referencedForbidden = referenced.Where(r => forbidden.Any(f => r == f || r.StartsWith(f + ".", StringComparison.Ordinal))).ToList();
        Assert.True(referencedForbidden.Count == 0, $"{name} references the assemblies {string.Join(", ", referencedForbidden)}");

        foreach (var dependency in namespaces)
        {
            var result = Types.InAssembly(assembly).ShouldNot().HaveDependencyOn(dependency).GetResult();
            Assert.True(result.IsSuccessful,
                $"{name} depends on {dependency} in: {string.Join(", ", result.FailingTypeNames ?? [])}");
        }
    }
}
