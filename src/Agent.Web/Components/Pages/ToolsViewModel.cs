using Agent.Domain.Tools;

namespace Agent.Web.Components.Pages;

/// <summary>One heading of the Tools panel: built-in tools, skill tools, or one MCP server's tools.</summary>
public sealed record ToolGroup(string Key, string Title, IReadOnlyList<ToolSpec> Tools)
{
    public string Count => Tools.Count == 1 ? "1 tool" : $"{Tools.Count} tools";
}

/// <summary>The Tools panel's list: the tenant's tools grouped by source and filtered by the search box.</summary>
public sealed class ToolsViewModel
{
    private IReadOnlyList<ToolSpec> tools = [];

    public string Search { get; set; } = "";

    public IReadOnlyList<ToolSpec> All => tools;

    public void Load(IEnumerable<ToolSpec> loaded) => tools = [.. loaded];

    /// <summary>Built-in first, then skills, then MCP servers by name; tools keep the registry's order inside a group.</summary>
    public IReadOnlyList<ToolGroup> Groups =>
    [
        .. tools.Where(Matches)
            .GroupBy(GroupKey)
            .Select(g => new ToolGroup(g.Key, GroupTitle(g.Key), [.. g]))
            .OrderBy(g => g.Key.StartsWith("mcp:", StringComparison.Ordinal) ? 2 : g.Key == "skills" ? 1 : 0)
            .ThenBy(g => g.Key, StringComparer.OrdinalIgnoreCase),
    ];

    /// <summary>Shown instead of the groups when the search leaves none.</summary>
    public string? NoMatch => tools.Count > 0 && Groups.Count == 0 ? $"No tool matches “{Search.Trim()}”." : null;

    public static ToolSetting SettingOf(ToolSpec tool) => ToolApprovalPolicy.SettingOf(tool);

    /// <summary>An MCP tool is named server__tool (the server's name holds no "__").</summary>
    public static string GroupKey(ToolSpec tool) => tool.Source switch
    {
        ToolSource.Skill => "skills",
        ToolSource.Mcp => "mcp:" + (tool.Name.IndexOf("__", StringComparison.Ordinal) is var at and > 0 ? tool.Name[..at] : tool.Name),
        _ => "built-in",
    };

    private static string GroupTitle(string key) => key switch
    {
        "skills" => "Skills",
        "built-in" => "Built-in",
        _ => $"MCP server {key["mcp:".Length..]}",
    };

    private bool Matches(ToolSpec tool)
    {
        var query = Search.Trim();
        return query.Length == 0
            || tool.Name.Contains(query, StringComparison.OrdinalIgnoreCase)
            || tool.Description.Contains(query, StringComparison.OrdinalIgnoreCase);
    }
}
