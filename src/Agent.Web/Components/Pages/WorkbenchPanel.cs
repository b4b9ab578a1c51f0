namespace Agent.Web.Components.Pages;

/// <summary>A panel of the shell: its URL slug and its title.</summary>
public sealed record WorkbenchPanel(string Slug, string Title)
{
    public static WorkbenchPanel Chat { get; } = new("chat", "Chat");

    public static IReadOnlyList<WorkbenchPanel> All { get; } =
    [
        Chat,
        new("tools", "Tools"),
        new("mcp", "MCP"),
        new("memory", "Memory"),
        new("tokens", "Tokens"),
        new("team", "Team"),
        new("runs", "Runs"),
        new("settings", "Settings"),
    ];

    public string Href => Slug == "chat" ? "/" : $"/{Slug}";

    public static WorkbenchPanel FromSlug(string? slug) =>
        All.FirstOrDefault(p => string.Equals(p.Slug, slug, StringComparison.OrdinalIgnoreCase)) ?? Chat;
}
