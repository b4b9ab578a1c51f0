using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Agent.Domain.Tools;
using Agent.Runtime.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

public sealed class ToolsApiTests
{
    [Fact]
    public async Task Lists_the_builtin_tools_with_their_default_approval()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();

        var tools = (await client.GetFromJsonAsync<JsonElement>(new Uri("/api/tools", UriKind.Relative))).EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);

        Assert.Equal("Always", tools["current_time"].GetProperty("approval").GetString());
        Assert.Equal("Ask", tools["workspace_write"].GetProperty("approval").GetString());
        Assert.Equal("Ask", tools["workspace_delete"].GetProperty("approval").GetString());
        Assert.False(tools.ContainsKey("fetch_url"));

        // Everything the coordinator needs for a turn resolves from the real host.
        Assert.NotNull(app.Services.GetRequiredService<AgentLoop>());
        var turn = await app.Services.GetRequiredService<ToolRegistry>().PrepareTurnAsync("local", Guid.NewGuid(), null, CancellationToken.None);
        Assert.Equal(SessionToolMode.AskForWrites, turn.Mode);
        Assert.Contains(turn.Tools.ForModel(), t => t.Name == "calculator");
    }

    [Fact]
    public async Task An_administrator_sets_a_tool_to_ask_auto_or_off_and_nothing_else()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();

        using (var ask = await client.PutAsJsonAsync(new Uri("/api/tools/calculator/setting", UriKind.Relative), new { approval = "ask" }))
        {
            Assert.Equal(HttpStatusCode.OK, ask.StatusCode);
            Assert.Equal("ask", (await ask.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("approval").GetString());
        }

        var turn = await app.Services.GetRequiredService<ToolRegistry>().PrepareTurnAsync("local", Guid.NewGuid(), null, CancellationToken.None);
        Assert.Equal(ApprovalVerdict.Ask, ToolApprovalPolicy.Decide(turn.Tools.Find("calculator")!.Spec, SessionToolMode.Autonomous, false).Verdict);

        using (var off = await client.PutAsJsonAsync(new Uri("/api/tools/calculator/setting", UriKind.Relative), new { approval = "off" }))
        {
            Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        }

        var tools = (await client.GetFromJsonAsync<JsonElement>(new Uri("/api/tools", UriKind.Relative))).EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.False(tools["calculator"].GetProperty("enabled").GetBoolean());

        using (var auto = await client.PutAsJsonAsync(new Uri("/api/tools/calculator/setting", UriKind.Relative), new { approval = "auto" }))
        {
            Assert.Equal("auto", (await auto.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("approval").GetString());
        }

        using var always = await client.PutAsJsonAsync(new Uri("/api/tools/calculator/setting", UriKind.Relative), new { approval = "always" });
        Assert.Equal(HttpStatusCode.BadRequest, always.StatusCode);
        using var unknown = await client.PutAsJsonAsync(new Uri("/api/tools/not_a_tool/setting", UriKind.Relative), new { approval = "ask" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Fetch_exists_only_when_enabled_and_asks_by_default()
    {
        await using var app = new AgentAppFactory().WithSetting("Agent:Tools:EnableFetch", "true");
        using var client = app.CreateClient();

        var tools = (await client.GetFromJsonAsync<JsonElement>(new Uri("/api/tools", UriKind.Relative))).EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);

        Assert.Equal("Ask", tools["fetch_url"].GetProperty("approval").GetString());
    }

    [Fact]
    public async Task Import_refuses_literal_env_and_stores_references_awaiting_confirmation()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();

        using var refused = await client.PostAsync(new Uri("/api/mcp/import", UriKind.Relative), new StringContent("""{"mcpServers": {"gh": {"command": "npx", "env": {"TOKEN": "literal-secret"}}}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problems = await refused.Content.ReadAsStringAsync();
        Assert.Contains("${NAME}", problems, StringComparison.Ordinal);
        Assert.DoesNotContain("literal-secret", problems, StringComparison.Ordinal);

        using var imported = await client.PostAsync(new Uri("/api/mcp/import", UriKind.Relative), new StringContent("""{"mcpServers": {"gh": {"command": "npx", "args": ["-y", "gh"], "env": {"TOKEN": "${GH_TOKEN}"}}}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var bootstrap = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/bootstrap", UriKind.Relative));
        var gh = bootstrap.GetProperty("mcpServers").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "gh");
        Assert.Equal("awaiting confirmation", gh.GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_pending_approval_survives_an_app_restart_and_can_be_denied()
    {
        var databasePath = Path.Combine(Path.GetTempPath(), "agent-web-tests", Guid.NewGuid().ToString("N"), "agent.db");
        Directory.CreateDirectory(Path.GetDirectoryName(databasePath)!);
        var request = new ToolApprovalRequest(Guid.NewGuid(), "local", Guid.NewGuid(), null, "call-1", BuiltInTools.WorkspaceWrite, """{"path":"a.txt","content":"x"}""", "tool has effects Writes", DateTimeOffset.UtcNow);

        await using (var first = new AgentAppFactory().WithSetting("Agent:Storage:DatabasePath", databasePath))
        {
            using var client = first.CreateClient();
            _ = first.Services.GetRequiredService<ToolApprovalService>().RequestAsync(request, CancellationToken.None);
            await WaitForPendingAsync(client, 1);
        }

        await using var second = new AgentAppFactory().WithSetting("Agent:Storage:DatabasePath", databasePath);
        using var after = second.CreateClient();
        var pending = await WaitForPendingAsync(after, 1);
        Assert.Equal("""{"path":"a.txt","content":"x"}""", pending[0].GetProperty("argumentsJson").GetString());

        using var denied = await after.PostAsJsonAsync(new Uri($"/api/tools/approvals/{request.Id}/deny", UriKind.Relative), new { reason = "stale" });
        Assert.Equal(HttpStatusCode.OK, denied.StatusCode);
        await WaitForPendingAsync(after, 0);
        using var again = await after.PostAsync(new Uri($"/api/tools/approvals/{request.Id}/approve", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    private static async Task<List<JsonElement>> WaitForPendingAsync(HttpClient client, int count)
    {
        for (var i = 0; ; i++)
        {
            var pending = (await client.GetFromJsonAsync<JsonElement>(new Uri("/api/tools/approvals", UriKind.Relative))).EnumerateArray().Select(e => e.Clone()).ToList();
            if (pending.Count == count || i > 50)
            {
                Assert.Equal(count, pending.Count);
                return pending;
            }

            await Task.Delay(100);
        }
    }
}
