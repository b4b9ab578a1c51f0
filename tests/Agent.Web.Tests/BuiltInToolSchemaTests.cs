using System.Text.Json;
using System.Text.Json.Nodes;
using Agent.Domain.Configuration;
using Agent.Domain.Memory;
using Agent.Runtime.Hosting;
using Agent.Runtime.Memories;
using Agent.Runtime.Services;
using Agent.Runtime.Tools;
using Agent.Tests.Shared;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Agent.Web.Tests;

/// <summary>The schemas the model is offered for the built-in tools, made by AIFunctionFactory from typed methods.</summary>
public sealed class BuiltInToolSchemaTests : IDisposable
{
    // Tool -> (parameters, required), as the hand-written schemas had them.
    private static readonly Dictionary<string, (string[] Parameters, string[] Required)> Expected = new()
    {
        [BuiltInTools.CurrentTime] = ([], []),
        [BuiltInTools.Calculate] = (["expression"], ["expression"]),
        [BuiltInTools.WorkspaceList] = (["path"], []),
        [BuiltInTools.WorkspaceRead] = (["path"], ["path"]),
        [BuiltInTools.WorkspaceWrite] = (["path", "content"], ["path", "content"]),
        [BuiltInTools.WorkspaceDelete] = (["path"], ["path"]),
        [BuiltInTools.FetchUrl] = (["url"], ["url"]),
        [BuiltInTools.LoadSkill] = (["name"], ["name"]),
        [MemoryTools.Search] = (["query", "take"], ["query"]),
        [MemoryTools.Save] = (["content"], ["content"]),
        [MemoryTools.Pin] = (["id", "content"], []),
        [MemoryTools.Forget] = (["id"], ["id"]),
    };

    private readonly string folder = Directory.CreateTempSubdirectory("tool-schemas-").FullName;
    private readonly SkillCatalog skills;

    public BuiltInToolSchemaTests() =>
        skills = new SkillCatalog(Options.Create(new AgentOptions()), new AppInfo("test", folder, Path.Combine(folder, "agent.db")), new ConfigOverrides(new MemoryOverrideStore()), TimeProvider.System, NullLogger<SkillCatalog>.Instance);

    public void Dispose()
    {
        skills.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    private List<AgentTool> AllBuiltIns()
    {
        var memory = new MemoryService(new FakeMemoryStore(new Dictionary<MemoryTier, int>()), new NoRecall(), new NoAttachments(), Options.Create(new AgentOptions()), TimeProvider.System, NullLogger<MemoryService>.Instance);
        var tools = new List<AgentTool> { BuiltInTools.Time(TimeProvider.System), BuiltInTools.Calculator(), BuiltInTools.Fetch(new NoHttp(), 100), BuiltInTools.Skills(skills, "local") };
        tools.AddRange(BuiltInTools.Workspace(new WorkspaceFolder(folder, 100)));
        tools.AddRange(MemoryTools.For(memory, "local", null));
        return tools;
    }

    [Fact]
    public void Each_builtin_offers_its_parameters_and_required_set_and_no_other_properties()
    {
        var tools = AllBuiltIns();
        Assert.Equal(Expected.Keys.Order(), tools.Select(t => t.Name).Order());
        foreach (var tool in tools)
        {
            var (parameters, required) = Expected[tool.Name];
            var schema = tool.JsonSchema;
            Assert.Equal("object", schema.GetProperty("type").GetString());
            Assert.Equal(parameters, schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal(required, schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(e => e.GetString()!).ToArray() : []);
            Assert.False(schema.GetProperty("additionalProperties").GetBoolean(), tool.Name);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(tool.ParametersSchemaJson), JsonNode.Parse(schema.GetRawText())), tool.Name);
            Assert.DoesNotContain("\\u", tool.ParametersSchemaJson, StringComparison.Ordinal);
        }

        var search = tools.Single(t => t.Name == MemoryTools.Search).JsonSchema.GetProperty("properties");
        Assert.Equal("integer", search.GetProperty("take").GetProperty("type").GetString());
        Assert.Equal("At most this many items (default 5).", search.GetProperty("take").GetProperty("description").GetString());
        Assert.Contains("The skill's name.", tools.Single(t => t.Name == BuiltInTools.LoadSkill).ParametersSchemaJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_or_null_required_argument_is_a_tool_error_naming_it()
    {
        foreach (var tool in AllBuiltIns().Where(t => Expected[t.Name].Required.Length > 0))
        {
            var first = Expected[tool.Name].Required[0];
            var missing = await Assert.ThrowsAsync<ToolException>(() => tool.InvokeAsync(new AIFunctionArguments()).AsTask());
            Assert.Equal($"The argument '{first}' is required.", missing.Message);
            var asNull = await Assert.ThrowsAsync<ToolException>(() => tool.InvokeAsync(new AIFunctionArguments { [first] = JsonSerializer.SerializeToElement<string?>(null) }).AsTask());
            Assert.Equal($"The argument '{first}' is required.", asNull.Message);
        }
    }

    [Fact]
    public async Task Memory_search_takes_a_number_or_a_number_in_a_string_and_a_null_as_the_default()
    {
        var search = AllBuiltIns().Single(t => t.Name == MemoryTools.Search);
        foreach (var take in new object?[] { JsonSerializer.SerializeToElement(3), JsonSerializer.SerializeToElement("3"), JsonSerializer.SerializeToElement<int?>(null), 3 })
        {
            var result = await search.InvokeAsync(new AIFunctionArguments { ["query"] = "x", ["take"] = take });
            Assert.Contains("\"items\":[]", AgentLoop.ToJson(result), StringComparison.Ordinal);
        }

        var wrong = await Assert.ThrowsAsync<ToolException>(() => search.InvokeAsync(new AIFunctionArguments { ["query"] = "x", ["take"] = JsonSerializer.SerializeToElement("many") }).AsTask());
        Assert.StartsWith("The arguments do not fit the parameters of 'memory_search'", wrong.Message, StringComparison.Ordinal);
    }

    private sealed class NoHttp : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => throw new NotSupportedException();
    }
}
