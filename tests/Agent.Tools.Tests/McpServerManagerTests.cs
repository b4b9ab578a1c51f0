using System.Text.Json;
using Agent.Domain.Configuration;
using Agent.Domain.Runtime;
using Agent.Runtime.Hosting;
using Agent.Runtime.Mcp;
using Agent.Tests.Shared;
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
    public async Task Two_tenants_import_the_same_name_and_each_sees_changes_and_calls_only_its_own()
    {
        var options = new AgentOptions();
        options.McpServers["shared"] = new McpServerOptions { Url = "http://127.0.0.1:9/mcp", Enabled = false };
        await using var manager = Manager(options);
        var everything = JsonSerializer.Serialize(new { mcpServers = new { notes = new { command = "node", args = new[] { McpTestServers.Everything, "stdio" } } } });
        var memory = JsonSerializer.Serialize(new { mcpServers = new { notes = new { command = "node", args = new[] { McpTestServers.Memory } } } });
        Assert.Equal(["notes"], await manager.ImportAsync("acme", everything, default));
        Assert.Equal(["notes"], await manager.ImportAsync("beta", memory, default));

        // Each tenant lists the install-wide server and its own import; confirming acme's starts only acme's.
        Assert.Equal(["notes", "shared"], (await manager.ListAsync("acme", default)).Select(s => s.Spec.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["shared"], (await manager.ListAsync(Local, default)).Select(s => s.Spec.Name));
        await manager.ConfirmAsync("acme", "notes", default);
        var acmeNotes = (await manager.ListAsync("acme", default)).Single(s => s.Spec.Name == "notes");
        var betaNotes = (await manager.ListAsync("beta", default)).Single(s => s.Spec.Name == "notes");
        Assert.Equal((McpServerState.Ready, McpServerState.AwaitingConfirmation), (acmeNotes.State, betaNotes.State));
        Assert.Contains(manager.GetTools("acme"), t => t.Name == "notes__echo");
        Assert.Empty(manager.GetTools("beta"));
        Assert.Empty(manager.GetTools(Local));

        await manager.ConfirmAsync("beta", "notes", default);
        Assert.NotSame(manager.Connection("acme", "notes"), manager.Connection("beta", "notes"));
        var acmeTools = manager.GetTools("acme").Select(t => t.Name).ToList();
        var betaTools = (await manager.GetToolsAsync(new Agent.Runtime.Tools.TurnToolContext("beta", null, null), default)).Select(t => t.Name).ToList();
        Assert.Contains("notes__echo", acmeTools);
        Assert.DoesNotContain("notes__echo", betaTools);
        Assert.Contains("notes__read_graph", betaTools);
        Assert.DoesNotContain("notes__read_graph", acmeTools);

        // Another tenant's server is unknown to every change, like a name that does not exist.
        await Assert.ThrowsAsync<KeyNotFoundException>(() => manager.SetEnabledAsync("gamma", "notes", false, default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => manager.RestartAsync("gamma", "notes", default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => manager.ConfirmAsync("gamma", "notes", default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => manager.RemoveImportedAsync("gamma", "notes", default));

        // A tenant's toggle and removal touch only its own server.
        await manager.SetEnabledAsync("beta", "notes", false, default);
        Assert.Equal(McpServerState.Ready, (await manager.ListAsync("acme", default)).Single(s => s.Spec.Name == "notes").State);
        await manager.RemoveImportedAsync("acme", "notes", default);
        Assert.Equal(["shared"], (await manager.ListAsync("acme", default)).Select(s => s.Spec.Name));
        Assert.Equal(McpServerState.Disabled, (await manager.ListAsync("beta", default)).Single(s => s.Spec.Name == "notes").State);

        // The install-wide name may not be taken by an import, and an appsettings server cannot be removed as an import.
        var taken = await Assert.ThrowsAsync<McpImportException>(() => manager.ImportAsync("acme", """{"mcpServers":{"shared":{"url":"http://127.0.0.1:9/x"}}}""", default));
        Assert.Contains("install-wide", Assert.Single(taken.Problems), StringComparison.Ordinal);
        await Assert.ThrowsAsync<McpImportException>(() => manager.RemoveImportedAsync("acme", "shared", default));
    }

    [Fact]
    public async Task Imports_stored_before_tenants_are_the_local_tenants_and_one_over_an_appsettings_server_still_replaces_it()
    {
        var options = new AgentOptions();
        options.McpServers["web"] = new McpServerOptions { Url = "http://127.0.0.1:9/mcp", Enabled = false };
        var state = new MemoryStateStore();
        var now = DateTimeOffset.UtcNow;
        await state.SetAsync(new StateEntry(McpServerManager.ImportScope, "old", """{"url":"http://127.0.0.1:9/old"}""", now), default);
        await state.SetAsync(new StateEntry(McpServerManager.ImportScope, "web", """{"url":"http://127.0.0.1:9/replaced","enabled":false}""", now), default);
        await using var manager = new McpServerManager(Options.Create(options), state, new MemoryOverrideStore(), new EnvironmentVariables(_ => null), TimeProvider.System, NullLogger<McpServerManager>.Instance);

        var local = (await manager.ListAsync(Local, default)).ToDictionary(s => s.Spec.Name);
        var acme = (await manager.ListAsync("acme", default)).ToDictionary(s => s.Spec.Name);
        Assert.Equal(["old", "web"], local.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["web"], acme.Keys);
        Assert.Equal("http://127.0.0.1:9/replaced", acme["web"].Spec.Url?.ToString());
        Assert.True(acme["web"].Imported);
    }

    [Fact]
    public async Task A_tenants_server_on_a_local_address_is_refused_when_connecting_and_never_reached()
    {
        // Stored as if imported while its name resolved elsewhere (DNS rebinding) or before the guard existed.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            var state = new MemoryStateStore();
            await state.SetAsync(new StateEntry(McpServerManager.ImportScope, "acme/web", $$"""{"url":"http://127.0.0.1:{{port}}/mcp"}""", DateTimeOffset.UtcNow), default);
            await using var manager = new McpServerManager(Options.Create(new AgentOptions()), state, new MemoryOverrideStore(), new EnvironmentVariables(_ => null), TimeProvider.System, NullLogger<McpServerManager>.Instance)
            {
                ConnectionOptions = McpTestServers.FastOptions,
            };

            await manager.ReloadAsync(default);

            var acme = Assert.Single(await manager.ListAsync("acme", default));
            Assert.Equal(McpServerState.Failed, acme.State);
            Assert.Contains("Agent:Mcp:AllowedNetworks", acme.Error, StringComparison.Ordinal);
            Assert.Equal(McpServerState.Failed, (await manager.ListAsync("acme", installDetails: false, default)).Single().State);
            Assert.DoesNotContain("127.0.0.1", (await manager.ListAsync("acme", installDetails: false, default)).Single().Error, StringComparison.Ordinal);

            await manager.RestartAsync("acme", "web", default);
            Assert.Contains("Agent:Mcp:AllowedNetworks", Assert.Single(await manager.ListAsync("acme", default)).Error, StringComparison.Ordinal);
            Assert.False(listener.Pending(), "the tenant's server was never connected to");
        }
        finally
        {
            listener.Stop();
        }
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
