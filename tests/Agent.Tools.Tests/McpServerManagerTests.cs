using System.Text.Json;
using Agent.Domain.Configuration;
using Agent.Tests.Shared;
using Agent.Web.Hosting;
using Agent.Web.Mcp;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Agent.Tools.Tests;

public sealed class McpServerManagerTests
{
    private const string Local = Agent.Domain.Sessions.Tenant.LocalId;

    private static McpServerManager Manager(AgentOptions? options = null) =>
        new(Options.Create(options ?? new AgentOptions()), new MemoryStateStore(), new MemoryOverrideStore(), new EnvironmentVariables(_ => null), TimeProvider.System, NullLogger<McpServerManager>.Instance)
        {
            ConnectionOptions = McpTestServers.FastOptions,
        };

    [Fact]
    public void Import_refuses_literal_env_values_and_bad_entries()
    {
        var ex = Assert.Throws<McpImportException>(() => McpServerManager.ParseImport("""
            {"mcpServers": {
              "gh": {"command": "npx", "args": ["x"], "env": {"GITHUB_TOKEN": "ghp_literal"}},
              "both": {"command": "a", "url": "http://127.0.0.1:1/mcp"},
              "bad name!": {"command": "a"},
              "ftp": {"url": "ftp://example.com"}
            }}
            """));
        Assert.Equal(4, ex.Problems.Count);
        Assert.Contains(ex.Problems, p => p.Contains("GITHUB_TOKEN", StringComparison.Ordinal) && p.Contains("${NAME}", StringComparison.Ordinal));
        Assert.DoesNotContain("ghp_literal", ex.Message, StringComparison.Ordinal);
        Assert.Throws<McpImportException>(() => McpServerManager.ParseImport("not json"));
    }

    [Fact]
    public void Import_accepts_the_common_shape()
    {
        var servers = McpServerManager.ParseImport("""
            {"mcpServers": {
              "gh": {"command": "npx", "args": ["-y", "server"], "env": {"GITHUB_TOKEN": "${GITHUB_TOKEN}"}},
              "web": {"url": "http://127.0.0.1:3001/mcp"},
              "old": {"type": "sse", "url": "http://127.0.0.1:3001/sse"}
            }}
            """);
        Assert.Equal(["gh", "old", "web"], servers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("${GITHUB_TOKEN}", servers["gh"].Env["GITHUB_TOKEN"]);
    }

    [Fact]
    public async Task A_stdio_server_waits_for_confirmation_of_its_exact_command_then_serves_namespaced_tools()
    {
        await using var manager = Manager();
        var json = JsonSerializer.Serialize(new { mcpServers = new { everything = new { command = "node", args = new[] { McpTestServers.Everything, "stdio" } } } });
        Assert.Equal(["everything"], await manager.ImportAsync(Local, json, default));
        var view = Assert.Single(manager.Servers);
        Assert.Equal(McpServerState.AwaitingConfirmation, view.State);
        Assert.Equal($"node {McpTestServers.Everything} stdio", view.CommandLine);
        Assert.True(view.Imported);
        Assert.Empty(manager.GetTools(Local));

        await manager.ConfirmAsync(Local, "everything", default);
        Assert.Equal(McpServerState.Ready, Assert.Single(manager.Servers).State);
        Assert.Contains(manager.GetTools(Local), t => t.Name == "everything__echo");
        var listed = Assert.Single(await manager.ListAsync(Local, default));
        Assert.Equal(McpServerState.Ready, listed.State);
        Assert.Contains(listed.Tools, t => t.QualifiedName == "everything__echo");

        // Reloading the same configuration keeps the running server (a reload used to restart every server).
        var running = manager.Connection(Local, "everything");
        await manager.ReloadAsync(default);
        Assert.Same(running, manager.Connection(Local, "everything"));
        Assert.Equal(McpServerState.Ready, Assert.Single(await manager.ListAsync(Local, default)).State);

        await manager.SetEnabledAsync(Local, "everything", false, default);
        Assert.Equal(McpServerState.Disabled, Assert.Single(manager.Servers).State);
        Assert.Empty(manager.GetTools(Local));

        await manager.SetEnabledAsync(Local, "everything", true, default);
        Assert.Equal(McpServerState.Ready, Assert.Single(manager.Servers).State);
        await manager.RestartAsync(Local, "everything", default);
        Assert.Equal(McpServerState.Ready, Assert.Single(manager.Servers).State);
    }

    [Fact]
    public async Task A_broken_server_does_not_stop_the_others()
    {
        var options = new AgentOptions();
        options.McpServers["ghost"] = new McpServerOptions { Command = "/nonexistent/agent-ghost" };
        options.McpServers["web"] = new McpServerOptions { Url = "http://127.0.0.1:9/mcp" };
        await using var manager = Manager(options);
        manager.ConnectionOptions = McpTestServers.FastOptions with { StartTimeout = TimeSpan.FromSeconds(3), MaxReconnects = 0 };
        await manager.ConfirmAsync(Local, "ghost", default);
        Assert.All(manager.Servers, s => Assert.Equal(McpServerState.Failed, s.State));
        Assert.All(manager.Servers, s => Assert.False(string.IsNullOrWhiteSpace(s.Error)));
    }
}
