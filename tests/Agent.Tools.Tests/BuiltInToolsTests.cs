using System.Text.Json;
using Agent.Runtime.Tools;
using Microsoft.Extensions.AI;

namespace Agent.Tools.Tests;

public sealed class BuiltInToolsTests
{
    [Fact]
    public async Task Every_builtin_has_an_object_schema()
    {
        var tools = new List<AgentTool> { BuiltInTools.Time(TimeProvider.System), BuiltInTools.Calculator() };
        tools.AddRange(BuiltInTools.Workspace(new WorkspaceFolder(Path.GetTempPath(), 10)));
        foreach (var tool in tools)
        {
            Assert.Equal("object", tool.JsonSchema.GetProperty("type").GetString());
            Assert.False(string.IsNullOrWhiteSpace(tool.Description));
        }

        var result = await BuiltInTools.Calculator().InvokeAsync(new AIFunctionArguments { ["expression"] = JsonSerializer.SerializeToElement("1+1") });
        Assert.Contains("\"result\":\"2\"", AgentLoop.ToJson(result), StringComparison.Ordinal);
        await Assert.ThrowsAsync<ToolException>(() => BuiltInTools.Calculator().InvokeAsync(new AIFunctionArguments { ["expression"] = "1/0" }).AsTask());
        await Assert.ThrowsAsync<ToolException>(() => BuiltInTools.Calculator().InvokeAsync(new AIFunctionArguments()).AsTask());
    }

    [Fact]
    public async Task Current_time_reads_the_time_provider()
    {
        var result = AgentLoop.ToJson(await BuiltInTools.Time(new FixedTime()).InvokeAsync(new AIFunctionArguments()));
        Assert.Contains("\"utc\":\"2026-01-02T03:04:05.0000000+00:00\"", result, StringComparison.Ordinal);
    }

    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }

    [Fact]
    public void Skill_body_is_the_text_after_the_front_matter()
    {
        Assert.Equal("Do this.", BuiltInTools.SkillBody("---\nname: a\ndescription: b\n---\n\nDo this.\n"));
        Assert.Equal("no front matter", BuiltInTools.SkillBody("no front matter"));
    }
}
