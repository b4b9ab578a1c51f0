using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Agent.Web.Tests;

/// <summary>
/// Two popular npm MCP servers (tests/mcp-servers) imported through the API as a person does: paste the
/// mcpServers JSON, confirm each command, then read the true state and tool count from /api/mcp.
/// </summary>
public sealed class McpImportApiTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static string ServerScript(string package) =>
        Path.Combine(RepoPaths.Root, "tests", "mcp-servers", "node_modules", "@modelcontextprotocol", package, "dist", "index.js");

    [Fact]
    public async Task Imported_filesystem_and_sequential_thinking_servers_show_ready_with_their_tools()
    {
        var workspace = Directory.CreateTempSubdirectory("agent-mcp-fs-");
        try
        {
            await using var app = new AgentAppFactory();
            using var client = app.CreateClient();
            var json = JsonSerializer.Serialize(new
            {
                mcpServers = new Dictionary<string, object>
                {
                    ["fs"] = new { command = "node", args = new[] { ServerScript("server-filesystem"), workspace.FullName } },
                    ["thinking"] = new { command = "node", args = new[] { ServerScript("server-sequential-thinking") } },
                    ["ghost"] = new { command = "/nonexistent/agent-mcp-ghost", args = Array.Empty<string>() },
                },
            });

            using var imported = await client.PostAsync(new Uri("/api/mcp/import", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
            var before = await ServersAsync(client);
            Assert.All(before.Values, s => Assert.Equal("AwaitingConfirmation", s.GetProperty("state").GetString()));

            foreach (var name in new[] { "fs", "thinking", "ghost" })
            {
                using var confirmed = await client.PostAsync(new Uri($"/api/mcp/{name}/confirm", UriKind.Relative), null);
                Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
            }

            var servers = await WaitForAsync(client, s =>
                s["fs"].GetProperty("state").GetString() == "Ready"
                && s["thinking"].GetProperty("state").GetString() == "Ready"
                && s["ghost"].GetProperty("state").GetString() == "Failed");

            var tools = (await client.GetFromJsonAsync<JsonElement>(new Uri("/api/tools", UriKind.Relative))).EnumerateArray()
                .Select(t => t.GetProperty("name").GetString()!).ToList();
            var fsTools = ToolNames(servers["fs"]);
            var thinkingTools = ToolNames(servers["thinking"]);
            Assert.Contains("fs__read_file", fsTools);
            Assert.Contains("fs__list_directory", fsTools);
            Assert.Equal(tools.Where(t => t.StartsWith("fs__", StringComparison.Ordinal)).Order(StringComparer.Ordinal), fsTools.Order(StringComparer.Ordinal));
            Assert.Equal(["thinking__sequentialthinking"], thinkingTools);
            Assert.Equal(tools.Where(t => t.StartsWith("thinking__", StringComparison.Ordinal)), thinkingTools);
            Assert.Equal(JsonValueKind.Null, servers["fs"].GetProperty("error").ValueKind);

            Assert.Empty(ToolNames(servers["ghost"]));
            Assert.False(string.IsNullOrWhiteSpace(servers["ghost"].GetProperty("error").GetString()));
            Assert.DoesNotContain(tools, t => t.StartsWith("ghost__", StringComparison.Ordinal));

            // The first server kept its process while the others were confirmed: nothing restarted it.
            Assert.Equal(0, servers["fs"].GetProperty("reconnects").GetInt32());

            // The state stays true: a server switched off shows disabled with no tools, and ready again when switched on.
            using (var off = await client.PostAsync(new Uri("/api/mcp/thinking/enabled/false", UriKind.Relative), null))
            {
                Assert.Equal(HttpStatusCode.OK, off.StatusCode);
            }

            servers = await WaitForAsync(client, s => s["thinking"].GetProperty("state").GetString() == "Disabled");
            Assert.Empty(ToolNames(servers["thinking"]));
            Assert.Equal("Ready", servers["fs"].GetProperty("state").GetString());
            Assert.Equal(fsTools, ToolNames(servers["fs"]));
        }
        finally
        {
            workspace.Delete(recursive: true);
        }
    }

    private static List<string> ToolNames(JsonElement server) =>
        server.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("qualifiedName").GetString()!).ToList();

    private static async Task<Dictionary<string, JsonElement>> ServersAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>(new Uri("/api/mcp", UriKind.Relative))).EnumerateArray()
            .ToDictionary(s => s.GetProperty("spec").GetProperty("name").GetString()!, s => s.Clone(), StringComparer.Ordinal);

    private static async Task<Dictionary<string, JsonElement>> WaitForAsync(HttpClient client, Func<Dictionary<string, JsonElement>, bool> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            var servers = await ServersAsync(client);
            if (condition(servers))
            {
                return servers;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("The MCP servers did not reach the expected state in time: " + string.Join("; ", servers.Select(s =>
                    $"{s.Key}={s.Value.GetProperty("state")} tools={s.Value.GetProperty("tools").GetArrayLength()} error={s.Value.GetProperty("error")}")));
            }

            await Task.Delay(200);
        }
    }
}
