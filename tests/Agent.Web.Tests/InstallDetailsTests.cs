using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Agent.Web.Tests;

/// <summary>
/// What a member sees of the install: /api/bootstrap and /api/mcp without paths, base URLs, key variables or MCP command
/// lines (an administrator sees them), and the MCP network guard on imports by anyone but the loopback owner.
/// </summary>
public sealed class InstallDetailsTests
{
    private static AgentAppFactory App() => new AgentAppFactory()
        .WithSetting("Agent:McpServers:shared:Url", "http://127.0.0.1:9/shared-mcp")
        .WithSetting("Agent:McpServers:shared:Enabled", "false")
        .WithSetting("Agent:McpServers:local-tool:Command", "/opt/agent-install/bin/mcp-tool")
        .WithSetting("Agent:McpServers:local-tool:Args:0", "--root=/srv/agent-data")
        .WithSetting("Agent:McpServers:local-tool:Env:TOOL_TOKEN", "${AGENT_TOOL_TOKEN}")
        .WithSetting("Agent:McpServers:local-tool:Enabled", "false");

    [Fact]
    public async Task A_members_bootstrap_and_mcp_list_hold_no_install_details_and_an_administrators_do()
    {
        await using var app = App();
        var member = await TenantIsolationTests.PersonAsync(app, "mia", "acme", admin: false);
        var admin = await TenantIsolationTests.PersonAsync(app, "alice", "acme", admin: true);
        using var memberClient = TenantIsolationTests.ClientWith(app, member.Secret);
        using var adminClient = TenantIsolationTests.ClientWith(app, admin.Secret);
        string[] details =
        [
            app.DatabasePath, Path.GetDirectoryName(app.DatabasePath)!, RepoPaths.Root, "https://api.openai.com", "OPENAI_API_KEY", "ANTHROPIC_API_KEY",
            "127.0.0.1:9/shared-mcp", "/opt/agent-install", "/srv/agent-data", "AGENT_TOOL_TOKEN", "TOOL_TOKEN",
        ];

        var memberBootstrap = await memberClient.GetStringAsync(new Uri("/api/bootstrap", UriKind.Relative));
        var memberMcp = await memberClient.GetStringAsync(new Uri("/api/mcp", UriKind.Relative));
        foreach (var detail in details)
        {
            Assert.DoesNotContain(detail, memberBootstrap, StringComparison.Ordinal);
            Assert.DoesNotContain(detail, memberMcp, StringComparison.Ordinal);
        }

        var root = JsonDocument.Parse(memberBootstrap).RootElement;
        Assert.Equal("", root.GetProperty("storagePath").GetString());
        var openai = root.GetProperty("providers").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "openai");
        Assert.Equal("Blocked", openai.GetProperty("state").GetString());
        Assert.Equal("ask an administrator to set it up", openai.GetProperty("action").GetString());
        Assert.Equal(JsonValueKind.Null, openai.GetProperty("baseUrl").ValueKind);
        var servers = root.GetProperty("mcpServers").EnumerateArray().Select(s => s.GetProperty("name").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(["local-tool", "shared"], servers);
        Assert.Equal(["local-tool", "shared"], JsonDocument.Parse(memberMcp).RootElement.EnumerateArray().Select(s => s.GetProperty("spec").GetProperty("name").GetString()).Order(StringComparer.Ordinal));

        var adminBootstrap = await adminClient.GetStringAsync(new Uri("/api/bootstrap", UriKind.Relative));
        var adminMcp = await adminClient.GetStringAsync(new Uri("/api/mcp", UriKind.Relative));
        Assert.Equal(app.DatabasePath, JsonDocument.Parse(adminBootstrap).RootElement.GetProperty("storagePath").GetString());
        Assert.Contains("https://api.openai.com", adminBootstrap, StringComparison.Ordinal);
        Assert.Contains("set OPENAI_API_KEY and restart the app", adminBootstrap, StringComparison.Ordinal);
        foreach (var detail in new[] { "127.0.0.1:9/shared-mcp", "/opt/agent-install/bin/mcp-tool", "--root=/srv/agent-data" })
        {
            Assert.Contains(detail, adminBootstrap, StringComparison.Ordinal);
            Assert.Contains(detail, adminMcp, StringComparison.Ordinal);
        }

        Assert.Contains("AGENT_TOOL_TOKEN", adminMcp, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:{0}/mcp")]
    [InlineData("http://localhost:{0}/mcp")]
    [InlineData("http://[::1]:{0}/mcp")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://10.0.0.1:{0}/mcp")]
    public async Task An_administrator_who_is_not_the_owner_may_not_import_a_server_on_a_local_address(string url)
    {
        await using var app = new AgentAppFactory();
        var admin = await TenantIsolationTests.PersonAsync(app, "alice", "acme", admin: true);
        using var client = TenantIsolationTests.ClientWith(app, admin.Secret);

        using var refused = await ImportAsync(client, string.Format(System.Globalization.CultureInfo.InvariantCulture, url, 9));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var error = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString();
        Assert.Contains("Agent:Mcp:AllowedNetworks", error, StringComparison.Ordinal);
        Assert.DoesNotContain("local", await client.GetStringAsync(new Uri("/api/mcp", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_allowed_network_admits_the_administrators_local_server_and_the_owner_needs_none()
    {
        await using (var allowing = new AgentAppFactory().WithSetting("Agent:Mcp:AllowedNetworks:0", "127.0.0.0/8"))
        {
            var admin = await TenantIsolationTests.PersonAsync(allowing, "alice", "acme", admin: true);
            using var client = TenantIsolationTests.ClientWith(allowing, admin.Secret);
            using var accepted = await ImportAsync(client, "http://127.0.0.1:9/mcp");
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        await using var app = new AgentAppFactory();
        using var owner = app.CreateClient();
        using var imported = await ImportAsync(owner, "http://127.0.0.1:9/mcp");
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
    }

    [Fact]
    public async Task A_bad_server_name_is_refused_at_import_with_the_rule()
    {
        await using var app = new AgentAppFactory();
        using var owner = app.CreateClient();
        foreach (var name in new[] { "a__b", "-lead", "trail_", new string('x', 41), "dot.ted", "sp ace" })
        {
            var json = JsonSerializer.Serialize(new { mcpServers = new Dictionary<string, object> { [name] = new { url = "https://example.com/mcp", enabled = false } } });
            using var refused = await owner.PostAsync(new Uri("/api/mcp/import", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("1-40 letters", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
        }
    }

    private static Task<HttpResponseMessage> ImportAsync(HttpClient client, string url) =>
        client.PostAsync(
            new Uri("/api/mcp/import", UriKind.Relative),
            new StringContent(JsonSerializer.Serialize(new { mcpServers = new { local = new { url, enabled = false } } }), Encoding.UTF8, "application/json"));

    [Fact]
    public async Task A_member_sees_whether_voice_works_but_not_its_endpoint_or_the_setting_to_change()
    {
        await using var app = new AgentAppFactory().WithSetting("Agent:Voice:Tts:Url", "http://127.0.0.1:9/voice-install-detail");
        var member = await TenantIsolationTests.PersonAsync(app, "mia", "acme", admin: false);
        var admin = await TenantIsolationTests.PersonAsync(app, "alice", "acme", admin: true);
        using var memberClient = TenantIsolationTests.ClientWith(app, member.Secret);
        using var adminClient = TenantIsolationTests.ClientWith(app, admin.Secret);

        var memberVoice = await memberClient.GetStringAsync(new Uri("/api/voice", UriKind.Relative));
        Assert.DoesNotContain("voice-install-detail", memberVoice, StringComparison.Ordinal);
        Assert.DoesNotContain("Agent:Voice", memberVoice, StringComparison.Ordinal);
        Assert.Contains("ask an administrator to set it up", memberVoice, StringComparison.Ordinal);
        using var blocked = await memberClient.PostAsync(new Uri("/api/voice/transcribe", UriKind.Relative), new ByteArrayContent([1]) { Headers = { ContentType = new("audio/wav") } });
        Assert.Equal(HttpStatusCode.Conflict, blocked.StatusCode);
        Assert.DoesNotContain("Agent:Voice", await blocked.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var adminVoice = await adminClient.GetStringAsync(new Uri("/api/voice", UriKind.Relative));
        Assert.Contains("voice-install-detail", adminVoice, StringComparison.Ordinal);
        Assert.Contains("Agent:Voice:Stt", adminVoice, StringComparison.Ordinal);
    }
}
