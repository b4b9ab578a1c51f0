namespace Agent.Runtime.Mcp;

/// <summary>
/// An MCP server's state or the server list changed. <see cref="TenantId"/> is the tenant that imported the server, or
/// null for an install-wide server or the whole list, which every tenant sees.
/// </summary>
public sealed record McpServersChange(string? TenantId);
