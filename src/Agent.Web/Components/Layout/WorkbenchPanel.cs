using MudBlazor;

namespace Agent.Web.Components.Layout;

/// <summary>A panel of the shell: its URL slug, title and icon.</summary>
public sealed record WorkbenchPanel(string Slug, string Title, string Icon)
{
    public static WorkbenchPanel Chat { get; } = new("chat", "Chat", Icons.Material.Outlined.Forum);

    public static IReadOnlyList<WorkbenchPanel> All { get; } =
    [
        Chat,
        new("tools", "Tools", Icons.Material.Outlined.Build),
        new("mcp", "MCP", Icons.Material.Outlined.Hub),
        new("memory", "Memory", Icons.Material.Outlined.Psychology),
        new("tokens", "Tokens", Icons.Material.Outlined.QueryStats),
        new("team", "Team", Icons.Material.Outlined.Groups),
        new("runs", "Runs", Icons.Material.Outlined.PlaylistPlay),
        new("settings", "Settings", Icons.Material.Outlined.Settings),
    ];

    public string Href => Slug == "chat" ? "/" : $"/{Slug}";

    /// <summary>The panel of a base-relative path ("", "chat/…", "tools", "runs?x=1").</summary>
    public static WorkbenchPanel FromUri(string relativePath)
    {
        var first = relativePath.Split('?', '#')[0].Split('/')[0];
        return All.FirstOrDefault(p => string.Equals(p.Slug, first, StringComparison.OrdinalIgnoreCase)) ?? Chat;
    }
}
