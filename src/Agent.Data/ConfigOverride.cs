namespace Agent.Data;

/// <summary>A person's toggle of a named item (tool, skill, MCP server) over the file default.</summary>
public sealed class ConfigOverride
{
    public required string TenantId { get; init; }

    public required string Scope { get; init; }

    public required string Name { get; init; }

    public bool Enabled { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
