using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Agent.Web.Tests;

public sealed class BootstrapApiTests
{
    [Fact]
    public async Task Bootstrap_reports_deterministic_ready_and_keyed_providers_blocked_with_their_action()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();

        using var response = await client.GetAsync(new Uri("/api/bootstrap", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var root = (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();

        Assert.Equal(app.DatabasePath, root.GetProperty("storagePath").GetString());
        Assert.Matches("^[0-9]{14}_[A-Za-z]+$", root.GetProperty("schemaVersion").GetString());
        Assert.Equal("deterministic", root.GetProperty("defaultProvider").GetString());
        var providers = root.GetProperty("providers").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal("Deterministic", providers["deterministic"].GetProperty("state").GetString());
        Assert.Equal("Blocked", providers["openai"].GetProperty("state").GetString());
        Assert.Equal("set OPENAI_API_KEY and restart the app", providers["openai"].GetProperty("action").GetString());
        Assert.Equal("Blocked", providers["anthropic"].GetProperty("state").GetString());
        Assert.Equal("set ANTHROPIC_API_KEY and restart the app", providers["anthropic"].GetProperty("action").GetString());

        Assert.Equal(0, root.GetProperty("memoryCounts").GetProperty("PinnedBlock").GetInt32());
        Assert.Equal(5, root.GetProperty("memoryCounts").EnumerateObject().Count());
        Assert.Equal(0, root.GetProperty("checkpointCount").GetInt32());
        Assert.Equal(0, root.GetProperty("tokenTotals").GetProperty("inputTokens").GetInt64());
        Assert.Equal(250, root.GetProperty("telemetry").GetProperty("flushIntervalMs").GetInt32());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("mcpServers").ValueKind);
    }

    [Fact]
    public async Task A_set_key_makes_the_live_provider_ready_and_the_default_without_reporting_the_key()
    {
        var key = "test-" + Guid.NewGuid().ToString("N");
        await using var app = new AgentAppFactory().WithEnvironmentVariable("OPENAI_API_KEY", key);
        using var client = app.CreateClient();

        var body = await client.GetStringAsync(new Uri("/api/bootstrap", UriKind.Relative));

        Assert.DoesNotContain(key, body, StringComparison.Ordinal);
        var root = JsonDocument.Parse(body).RootElement;
        Assert.Equal("openai", root.GetProperty("defaultProvider").GetString());
        Assert.Contains(root.GetProperty("providers").EnumerateArray(), p => p.GetProperty("name").GetString() == "openai" && p.GetProperty("state").GetString() == "Ready");
    }

    [Fact]
    public async Task Configured_mcp_servers_and_skills_show_with_their_enabled_state()
    {
        await using var app = new AgentAppFactory()
            .WithSetting("Agent:McpServers:everything:command", "npx")
            .WithSetting("Agent:McpServers:everything:args:0", "@modelcontextprotocol/server-everything")
            .WithSetting("Agent:McpServers:remote:url", "http://127.0.0.1:3001/mcp")
            .WithSetting("Agent:McpServers:remote:enabled", "false");
        using var client = app.CreateClient();

        var root = (await client.GetFromJsonAsync<JsonElement>(new Uri("/api/bootstrap", UriKind.Relative))).Clone();

        var servers = root.GetProperty("mcpServers").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
        Assert.Equal("Stdio", servers["everything"].GetProperty("transport").GetString());
        Assert.True(servers["everything"].GetProperty("enabled").GetBoolean());
        Assert.Equal("StreamableHttp", servers["remote"].GetProperty("transport").GetString());
        Assert.Equal("disabled", servers["remote"].GetProperty("state").GetString());
    }

    [Fact]
    public async Task Health_is_ok_when_the_database_answers()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"ok\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_is_503_with_a_reason_when_the_database_cannot_be_read()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();
        await client.GetAsync(new Uri("/health", UriKind.Relative));

        // Replace the file with garbage behind the app's back: the next query fails.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(app.DatabasePath)!))
        {
            File.Delete(file);
        }

        await File.WriteAllTextAsync(app.DatabasePath, new string('x', 8192));

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("unavailable", body.GetProperty("status").GetString());
        Assert.StartsWith("The database does not answer", body.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_shell_page_renders_every_panel_link_and_serves_its_assets()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();

        var html = await client.GetStringAsync(new Uri("/", UriKind.Relative));
        foreach (var panel in new[] { "chat", "tools", "mcp", "memory", "tokens", "team", "runs", "settings" })
        {
            Assert.Contains($"data-panel-link=\"{panel}\"", html, StringComparison.Ordinal);
        }

        foreach (var asset in new[] { "/_framework/blazor.web.js", "/app.css", "/_content/MudBlazor/MudBlazor.min.js", "/lib/highlight/highlight.min.js" })
        {
            using var response = await client.GetAsync(new Uri(asset, UriKind.Relative));
            Assert.True(response.IsSuccessStatusCode, $"{asset} answered {(int)response.StatusCode}");
            Assert.DoesNotContain("<!DOCTYPE html>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }
}
