using Agent.Domain.Tools;
using Agent.Web.Components.Pages;

namespace Agent.Web.Tests;

/// <summary>The Tools page's list: grouped by source in a fixed order, searched by name and description, and counted in words.</summary>
public sealed class ToolsViewModelTests
{
    private static ToolSpec Tool(string name, ToolSource source, string description = "does a thing", bool enabled = true) =>
        new(name, description, "{}", source, ToolEffects.None, ToolApproval.Always, enabled);

    private static ToolsViewModel Loaded(params ToolSpec[] tools)
    {
        var model = new ToolsViewModel();
        model.Load(tools);
        return model;
    }

    [Fact]
    public void Built_in_comes_first_then_skills_then_each_MCP_server_by_name_and_tools_keep_their_order()
    {
        var model = Loaded(
            Tool("zeta__search", ToolSource.Mcp),
            Tool("current_time", ToolSource.BuiltIn),
            Tool("load_skill", ToolSource.Skill),
            Tool("alpha__read", ToolSource.Mcp),
            Tool("calculator", ToolSource.BuiltIn),
            Tool("zeta__fetch", ToolSource.Mcp));

        var groups = model.Groups;

        Assert.Equal(["built-in", "skills", "mcp:alpha", "mcp:zeta"], groups.Select(g => g.Key));
        Assert.Equal(["Built-in", "Skills", "MCP server alpha", "MCP server zeta"], groups.Select(g => g.Title));
        Assert.Equal(["current_time", "calculator"], groups[0].Tools.Select(t => t.Name));
        Assert.Equal(["zeta__search", "zeta__fetch"], groups[3].Tools.Select(t => t.Name));
        Assert.Equal(["2 tools", "1 tool", "1 tool", "2 tools"], groups.Select(g => g.Count));
    }

    [Fact]
    public void The_search_matches_name_or_description_in_any_case_and_says_so_when_nothing_matches()
    {
        var model = Loaded(
            Tool("current_time", ToolSource.BuiltIn, "The time in a city"),
            Tool("everything__echo", ToolSource.Mcp, "Echoes the input"),
            Tool("calculator", ToolSource.BuiltIn, "Adds numbers"));

        model.Search = "  ECHO ";
        Assert.Equal(["everything__echo"], model.Groups.SelectMany(g => g.Tools).Select(t => t.Name));
        Assert.Null(model.NoMatch);

        model.Search = "city";
        Assert.Equal(["current_time"], model.Groups.SelectMany(g => g.Tools).Select(t => t.Name));

        model.Search = "weather ";
        Assert.Empty(model.Groups);
        Assert.Equal("No tool matches “weather”.", model.NoMatch);
        Assert.Equal(3, model.All.Count);
    }

    [Fact]
    public void An_empty_registry_is_not_a_failed_search_and_settings_follow_the_spec()
    {
        Assert.Null(Loaded().NoMatch);
        Assert.Equal(ToolSetting.Off, ToolsViewModel.SettingOf(Tool("calculator", ToolSource.BuiltIn, enabled: false)));
        Assert.Equal(ToolSetting.Auto, ToolsViewModel.SettingOf(Tool("calculator", ToolSource.BuiltIn)));
        Assert.Equal(ToolSetting.Ask, ToolsViewModel.SettingOf(Tool("calculator", ToolSource.BuiltIn) with { AlwaysAsks = true }));
        Assert.Equal("mcp:odd_name", ToolsViewModel.GroupKey(Tool("odd_name", ToolSource.Mcp)));
    }
}
