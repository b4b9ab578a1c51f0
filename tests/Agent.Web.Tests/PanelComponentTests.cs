using Agent.Domain.Bootstrap;
using Agent.Domain.Configuration;
using Agent.Domain.Memory;
using Agent.Domain.Providers;
using Agent.Domain.Telemetry;
using Agent.Domain.Tools;
using Agent.Web.Components.Panels;
using Agent.Web.Tools;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

public sealed class PanelComponentTests : AgentTestContext
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly AgentOptions options = new();
    private readonly string contentRoot = Path.Combine(Path.GetTempPath(), "agent-panels-" + Guid.NewGuid().ToString("N"));

    public PanelComponentTests()
    {
        Directory.CreateDirectory(contentRoot);
        ToolPanelServices.Add(Services, options, contentRoot);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Directory.Delete(contentRoot, recursive: true);
    }

    [Fact]
    public void Settings_panel_shows_a_blocked_provider_with_its_reason_and_action()
    {
        var panel = Render<SettingsPanel>(p => p.Add(x => x.Snapshot, Snapshot()));

        var openai = panel.Find("[data-provider=openai]");
        Assert.Equal("blocked", openai.GetAttribute("data-provider-state"));
        Assert.Contains("The environment variable OPENAI_API_KEY is not set.", openai.TextContent, StringComparison.Ordinal);
        Assert.Contains("set OPENAI_API_KEY and restart the app", openai.QuerySelector(".blocked-reason strong")!.TextContent, StringComparison.Ordinal);

        var deterministic = panel.Find("[data-provider=deterministic]");
        Assert.Equal("deterministic", deterministic.GetAttribute("data-provider-state"));
        Assert.Null(deterministic.QuerySelector(".blocked-reason"));
        Assert.Equal("deterministic", panel.Find("[data-default-provider]").TextContent);
    }

    [Fact]
    public void Mcp_panel_empty_state_says_where_to_add_a_server()
    {
        var panel = Render<McpPanel>(p => p.Add(x => x.Snapshot, Snapshot()));

        var section = panel.Find("[data-panel=mcp]");
        Assert.Equal("empty", section.GetAttribute("data-state"));
        Assert.Contains("No MCP servers configured", section.TextContent, StringComparison.Ordinal);
        Assert.Contains("Agent:McpServers", section.TextContent, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("[data-mcp-server]"));
    }

    [Fact]
    public void Mcp_panel_lists_configured_servers_with_their_command_to_confirm()
    {
        options.McpServers["everything"] = new McpServerOptions { Command = "npx", Args = ["-y", "@modelcontextprotocol/server-everything"] };
        options.McpServers["remote"] = new McpServerOptions { Url = "http://127.0.0.1:9/mcp", Enabled = false };

        var panel = Render<McpPanel>(p => p.Add(x => x.Snapshot, Snapshot()));

        Assert.Equal("ready", panel.Find("[data-panel=mcp]").GetAttribute("data-state"));
        var everything = panel.Find("[data-mcp-server=everything]");
        Assert.Equal("npx -y @modelcontextprotocol/server-everything", everything.QuerySelector("code[data-command]")!.TextContent);
        Assert.Equal("awaiting confirmation", everything.GetAttribute("data-mcp-state"));
        Assert.NotNull(everything.QuerySelector("[data-action=confirm]"));
        Assert.Equal("disabled", panel.Find("[data-mcp-server=remote]").GetAttribute("data-mcp-state"));
    }

    [Fact]
    public void Mcp_panel_import_refuses_literal_env_values()
    {
        var panel = Render<McpPanel>(p => p.Add(x => x.Snapshot, Snapshot()));
        panel.Find("[data-import-json]").Change("""{"mcpServers": {"gh": {"command": "npx", "env": {"GITHUB_TOKEN": "ghp_secret"}}}}""");
        panel.Find("[data-action=import]").Click();
        panel.WaitForAssertion(() => Assert.Contains("${NAME}", panel.Find("[data-import-problems]").TextContent, StringComparison.Ordinal), Wait);
        Assert.DoesNotContain("ghp_secret", panel.Find("[data-import-problems]").TextContent, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("[data-mcp-server]"));

        panel.Find("[data-import-json]").Change("""{"mcpServers": {"gh": {"command": "npx", "args": ["-y", "gh-server"], "env": {"GITHUB_TOKEN": "${GITHUB_TOKEN}"}}}}""");
        panel.Find("[data-action=import]").Click();
        panel.WaitForAssertion(() => Assert.Equal("awaiting confirmation", panel.Find("[data-mcp-server=gh]").GetAttribute("data-mcp-state")), Wait);
        Assert.Equal("GITHUB_TOKEN=${GITHUB_TOKEN} npx -y gh-server", panel.Find("[data-mcp-server=gh] code[data-command]").TextContent);
    }

    [Fact]
    public void Tools_panel_lists_live_tools_skills_and_skill_problems()
    {
        options.Skills.Folders.Add("skills");
        Directory.CreateDirectory(Path.Combine(contentRoot, "skills", "release-notes"));
        File.WriteAllText(Path.Combine(contentRoot, "skills", "release-notes", "SKILL.md"), "---\nname: release-notes\ndescription: Writes release notes\n---\nBody");
        Directory.CreateDirectory(Path.Combine(contentRoot, "skills", "broken"));
        File.WriteAllText(Path.Combine(contentRoot, "skills", "broken", "SKILL.md"), "no front matter");

        var ready = Render<ToolsPanel>(p => p.Add(x => x.Snapshot, Snapshot()));
        ready.WaitForAssertion(() => Assert.Equal("ready", ready.Find("[data-panel=tools]").GetAttribute("data-state")), Wait);
        Assert.NotNull(ready.Find("[data-tool=current_time]"));
        Assert.NotNull(ready.Find("[data-tool=load_skill]"));
        Assert.Equal("ask", ready.Find("[data-tool=workspace_write] select").GetAttribute("value"));
        Assert.Contains("release-notes", ready.Find("[data-skill=release-notes]").TextContent, StringComparison.Ordinal);
        Assert.Contains("front matter", ready.Find("[data-skill-problem]").TextContent, StringComparison.Ordinal);

        ready.Find("[data-tool=calculator] [data-action=toggle-tool]").Click();
        ready.WaitForAssertion(() => Assert.Equal("false", ready.Find("[data-tool=calculator]").GetAttribute("data-tool-enabled")), Wait);
    }

    [Fact]
    public async Task Tools_panel_shows_a_pending_approval_with_its_exact_arguments_and_approves_it()
    {
        var approvals = Services.GetRequiredService<ToolApprovalService>();
        var request = PendingApprovals.Write("""{"path":"notes/a.txt","content":"hi"}""");
        var waiting = approvals.RequestAsync(request, default);

        var panel = Render<ToolsPanel>(p => p.Add(x => x.Snapshot, Snapshot()));
        panel.WaitForAssertion(() => Assert.Equal("""{"path":"notes/a.txt","content":"hi"}""", panel.Find($"[data-approval='{request.Id}'] [data-arguments]").TextContent), Wait);
        panel.Find("[data-action=approve-once]").Click();
        var decided = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ToolApprovalStatus.Approved, decided.Status);
        panel.WaitForAssertion(() => Assert.Empty(panel.FindAll("[data-approval]")), Wait);
    }

    [Fact]
    public async Task Tools_panel_denies_with_the_reason_the_model_sees()
    {
        var approvals = Services.GetRequiredService<ToolApprovalService>();
        var request = PendingApprovals.Write("{}");
        var waiting = approvals.RequestAsync(request, default);

        var panel = Render<ToolsPanel>(p => p.Add(x => x.Snapshot, Snapshot()));
        panel.WaitForAssertion(() => panel.Find("[data-deny-reason]"), Wait);
        panel.Find("[data-deny-reason]").Change("wrong folder");
        panel.Find("[data-action=deny]").Click();
        var decided = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ToolApprovalStatus.Denied, decided.Status);
        Assert.Equal("wrong folder", decided.DenyReason);
    }

    [Fact]
    public void Memory_and_tokens_panels_show_zero_figures_as_empty()
    {
        var memory = Render<MemoryPanel>(p => p.Add(x => x.Snapshot, Snapshot()));
        Assert.Equal("empty", memory.Find("[data-panel=memory]").GetAttribute("data-state"));
        Assert.Equal(5, memory.FindAll("[data-tier]").Count);

        var tokens = Render<TokensPanel>(p => p.Add(x => x.Snapshot, Snapshot() with { TokenTotals = new TokenTotals(120, 30, 0, 0, 2) }));
        Assert.Equal("ready", tokens.Find("[data-panel=tokens]").GetAttribute("data-state"));
        Assert.Equal("120", tokens.Find("[data-figure=input]").TextContent);
    }

    private static BootstrapSnapshot Snapshot() => new(
        "0.1.0",
        "20261122020820_Initial",
        "/tmp/agent.db",
        "local",
        "deterministic",
        "scripted-echo",
        [
            new ProviderStatus("deterministic", ProviderKind.Deterministic, ProviderMode.Deterministic, ProviderState.Deterministic, null, null, null, null, [new ModelSpec("scripted-echo", 32768, 0, 0)]),
            new ProviderStatus("openai", ProviderKind.OpenAICompatible, ProviderMode.Live, ProviderState.Blocked, "The environment variable OPENAI_API_KEY is not set.", "set OPENAI_API_KEY and restart the app", "https://api.openai.com/v1", "OPENAI_API_KEY", [new ModelSpec("gpt-4o-mini", 128000, 0.15m, 0.6m)]),
        ],
        [],
        [],
        [],
        Enum.GetValues<MemoryTier>().ToDictionary(t => t, _ => 0),
        0,
        0,
        0,
        TokenTotals.Zero,
        new TelemetryDefaults("USD", 14, true, 250, 64));
}
