using Agent.Domain.Bootstrap;
using Agent.Domain.Memory;
using Agent.Domain.Providers;
using Agent.Domain.Telemetry;
using Agent.Domain.Tools;
using Agent.Web.Components.Panels;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Radzen;

namespace Agent.Web.Tests;

public sealed class PanelComponentTests : BunitContext
{
    public PanelComponentTests()
    {
        Services.AddRadzenComponents();
        JSInterop.Mode = JSRuntimeMode.Loose;
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
    public void Mcp_panel_lists_configured_servers_with_their_command()
    {
        var snapshot = Snapshot() with
        {
            McpServers = [new McpServerStatus("everything", McpTransport.Stdio, "npx", ["-y", "@modelcontextprotocol/server-everything"], null, true, "not started")],
        };

        var panel = Render<McpPanel>(p => p.Add(x => x.Snapshot, snapshot));

        Assert.Equal("ready", panel.Find("[data-panel=mcp]").GetAttribute("data-state"));
        Assert.Equal("npx -y @modelcontextprotocol/server-everything", panel.Find("[data-mcp-server=everything] code").TextContent);
    }

    [Fact]
    public void Tools_panel_is_empty_until_something_is_registered_and_then_lists_skills()
    {
        var empty = Render<ToolsPanel>(p => p.Add(x => x.Snapshot, Snapshot()));
        Assert.Equal("empty", empty.Find("[data-panel=tools]").GetAttribute("data-state"));
        Assert.Contains("SKILL.md", empty.Find(".state-message").TextContent, StringComparison.Ordinal);

        var ready = Render<ToolsPanel>(p => p.Add(x => x.Snapshot, Snapshot() with { Skills = [new SkillSpec("release-notes", "Writes release notes", "/skills/release-notes", true)] }));
        Assert.Equal("ready", ready.Find("[data-panel=tools]").GetAttribute("data-state"));
        Assert.Contains("release-notes", ready.Find(".item-list").TextContent, StringComparison.Ordinal);
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
