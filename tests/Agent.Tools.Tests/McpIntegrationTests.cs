using System.Text.Json;
using Agent.Domain.Tools;
using Agent.Runtime.Mcp;
using Agent.Runtime.Tools;
using Microsoft.Extensions.AI;

namespace Agent.Tools.Tests;

/// <summary>Real servers from npm (tests/mcp-servers), over stdio and Streamable HTTP.</summary>
public sealed class McpIntegrationTests
{
    private static Func<string, string?> NoEnv => _ => null;

    [Fact]
    public async Task Stdio_everything_lists_and_calls_tools_namespaced()
    {
        await using var connection = new McpServerConnection(McpTestServers.Stdio("everything", McpTestServers.Everything, ["stdio"]), NoEnv, McpTestServers.FastOptions);
        Assert.True(await connection.StartAsync(default), connection.Error);
        Assert.Equal(McpServerState.Ready, connection.State);
        var view = connection.View(imported: false);
        Assert.Contains(view.Tools, t => t.Name == "echo" && t.QualifiedName == "everything__echo");
        Assert.NotEmpty(view.Prompts);

        var echo = connection.AgentTools().Single(t => t.Name == "everything__echo");
        Assert.Equal(ToolSource.Mcp, echo.Source);
        Assert.Equal("object", echo.JsonSchema.GetProperty("type").GetString());
        var result = AgentLoop.ToJson(await echo.InvokeAsync(new AIFunctionArguments { ["message"] = JsonSerializer.SerializeToElement("hello mcp") }));
        Assert.Contains("hello mcp", result, StringComparison.Ordinal);
        Assert.Contains(connection.StderrTail(), l => l.Contains("STDIO", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_running_server_disposed_twice_stops_once_without_an_error()
    {
        var connection = new McpServerConnection(McpTestServers.Stdio("everything", McpTestServers.Everything, ["stdio"]), NoEnv, McpTestServers.FastOptions);
        Assert.True(await connection.StartAsync(default), connection.Error);

        await connection.DisposeAsync();
        await connection.DisposeAsync();

        Assert.Empty(connection.AgentTools());
    }

    [Fact]
    public async Task Tool_errors_are_reported_not_fatal()
    {
        await using var connection = new McpServerConnection(McpTestServers.Stdio("everything", McpTestServers.Everything, ["stdio"]), NoEnv, McpTestServers.FastOptions);
        Assert.True(await connection.StartAsync(default), connection.Error);
        var sum = connection.AgentTools().Single(t => t.Name == "everything__get-sum");
        await Assert.ThrowsAnyAsync<Exception>(() => sum.InvokeAsync(new AIFunctionArguments { ["a"] = "not a number" }).AsTask());
        var unknown = await connection.CallToolAsync("no-such-tool", new Dictionary<string, object?>(), default);
        Assert.True(unknown.IsError);
        Assert.Contains("no-such-tool", Assert.Throws<ToolException>(() => McpServerConnection.ToResult(unknown)).Message, StringComparison.Ordinal);
        var ok = AgentLoop.ToJson(await sum.InvokeAsync(new AIFunctionArguments { ["a"] = 2, ["b"] = 3 }));
        Assert.Contains("5", ok, StringComparison.Ordinal);
        Assert.Equal(McpServerState.Ready, connection.State);
    }

    [Fact]
    public async Task Stdio_memory_server_with_env_reference()
    {
        var file = Path.Combine(Path.GetTempPath(), $"agent-memory-{Guid.NewGuid():N}.jsonl");
        try
        {
            var spec = McpTestServers.Stdio("memory", McpTestServers.Memory, [], new Dictionary<string, string> { ["MEMORY_FILE_PATH"] = "TEST_MEMORY_FILE" });
            await using var connection = new McpServerConnection(spec, name => name == "TEST_MEMORY_FILE" ? file : null, McpTestServers.FastOptions);
            Assert.True(await connection.StartAsync(default), connection.Error);
            var tools = connection.AgentTools();
            Assert.Contains(tools, t => t.Name == "memory__read_graph");
            var create = tools.Single(t => t.Name == "memory__create_entities");
            await create.InvokeAsync(new AIFunctionArguments
            {
                ["entities"] = JsonSerializer.SerializeToElement(new[] { new { name = "Ada", entityType = "person", observations = new[] { "likes tests" } } }),
            });
            var graph = AgentLoop.ToJson(await tools.Single(t => t.Name == "memory__read_graph").InvokeAsync(new AIFunctionArguments()));
            Assert.Contains("likes tests", graph, StringComparison.Ordinal);
            Assert.True(File.Exists(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Missing_env_variable_fails_with_its_name()
    {
        var spec = McpTestServers.Stdio("memory", McpTestServers.Memory, [], new Dictionary<string, string> { ["MEMORY_FILE_PATH"] = "NOT_SET_ANYWHERE" });
        await using var connection = new McpServerConnection(spec, NoEnv, McpTestServers.FastOptions);
        Assert.False(await connection.StartAsync(default));
        Assert.Contains("NOT_SET_ANYWHERE", connection.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_that_does_not_exist_fails_with_the_error()
    {
        var spec = new McpServerSpec("ghost", McpTransport.Stdio, "/nonexistent/agent-mcp-ghost", [], new Dictionary<string, string>(), null, true);
        await using var connection = new McpServerConnection(spec, NoEnv, McpTestServers.FastOptions with { MaxReconnects = 0 });
        Assert.False(await connection.StartAsync(default));
        Assert.Equal(McpServerState.Failed, connection.State);
        Assert.False(string.IsNullOrWhiteSpace(connection.Error));
        Assert.Empty(connection.AgentTools());
        var ex = await Assert.ThrowsAsync<ToolException>(() => connection.CallToolAsync("x", new Dictionary<string, object?>(), default));
        Assert.Contains("not ready", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_clearly()
    {
        var spec = new McpServerSpec("mute", McpTransport.Stdio, "node", ["-e", "setInterval(() => {}, 1000)"], new Dictionary<string, string>(), null, true);
        await using var connection = new McpServerConnection(spec, NoEnv, McpTestServers.FastOptions with { StartTimeout = TimeSpan.FromSeconds(2) });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(await connection.StartAsync(default));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), watch.Elapsed.ToString());
        Assert.Equal(McpServerState.Failed, connection.State);
        Assert.Contains("did not answer the MCP handshake within 2 s", connection.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_killed_stdio_server_is_reconnected()
    {
        var marker = "marker-" + Guid.NewGuid().ToString("N");
        await using var connection = new McpServerConnection(McpTestServers.Stdio("everything", McpTestServers.Everything, ["stdio", marker]), NoEnv, McpTestServers.FastOptions);
        Assert.True(await connection.StartAsync(default), connection.Error);
        Assert.Equal(1, McpTestServers.KillChildrenWith(marker));
        await McpTestServers.WaitForAsync(() => connection.View(false).Reconnects >= 1 && connection.State == McpServerState.Ready, TimeSpan.FromSeconds(30));
        var echo = connection.AgentTools().Single(t => t.Name == "everything__echo");
        Assert.Contains("back", AgentLoop.ToJson(await echo.InvokeAsync(new AIFunctionArguments { ["message"] = "back" })), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streamable_http_lists_calls_and_survives_a_server_restart()
    {
        var port = McpTestServers.FreePort();
        var server = await McpTestServers.StartHttpEverythingAsync(port);
        try
        {
            var spec = new McpServerSpec("web", McpTransport.StreamableHttp, null, [], new Dictionary<string, string>(), new Uri($"http://127.0.0.1:{port}/mcp"), true);
            await using var connection = new McpServerConnection(spec, NoEnv, McpTestServers.FastOptions);
            Assert.True(await connection.StartAsync(default), connection.Error);
            var echo = connection.AgentTools().Single(t => t.Name == "web__echo");
            Assert.Contains("over http", AgentLoop.ToJson(await echo.InvokeAsync(new AIFunctionArguments { ["message"] = "over http" })), StringComparison.Ordinal);

            // The server is killed and started again on the same port: its session is gone, the call reconnects.
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            server.Dispose();
            server = await McpTestServers.StartHttpEverythingAsync(port);
            var again = await connection.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "after restart" }, default);
            Assert.Contains("after restart", AgentLoop.ToJson(McpServerConnection.ToResult(again)), StringComparison.Ordinal);
            Assert.Equal(McpServerState.Ready, connection.State);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.Dispose();
        }
    }

    [Fact]
    public async Task Sse_lists_and_calls_tools()
    {
        var port = McpTestServers.FreePort();
        using var server = await McpTestServers.StartHttpEverythingAsync(port, "sse");
        try
        {
            var spec = new McpServerSpec("old", McpTransport.Sse, null, [], new Dictionary<string, string>(), new Uri($"http://127.0.0.1:{port}/sse"), true);
            await using var connection = new McpServerConnection(spec, NoEnv, McpTestServers.FastOptions);
            Assert.True(await connection.StartAsync(default), connection.Error);
            var echo = connection.AgentTools().Single(t => t.Name == "old__echo");
            Assert.Contains("over sse", AgentLoop.ToJson(await echo.InvokeAsync(new AIFunctionArguments { ["message"] = "over sse" })), StringComparison.Ordinal);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
        }
    }
}
