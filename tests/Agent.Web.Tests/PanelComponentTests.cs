using Agent.Domain.Configuration;
using Agent.Domain.Memory;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Agent.Domain.Tools;
using Agent.Runtime.Mcp;
using Agent.Runtime.Memories;
using Agent.Runtime.Tools;
using Agent.Web.Security;
using Agent.Web.Services;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using McpPage = Agent.Web.Components.Pages.Mcp;
using Memory = Agent.Web.Components.Pages.Memory;
using MemoryViewModel = Agent.Web.Components.Pages.MemoryViewModel;
using Tokens = Agent.Web.Components.Pages.Tokens;
using TokensViewModel = Agent.Web.Components.Pages.TokensViewModel;
using ToolsPage = Agent.Web.Components.Pages.Tools;

namespace Agent.Web.Tests;

/// <summary>The Tools, MCP, Memory and Tokens pages: each loads what it shows and says which state it is in.</summary>
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
        if (disposing && Directory.Exists(contentRoot))
        {
            Directory.Delete(contentRoot, recursive: true);
        }
    }

    // ------------------------------------------------------------------ MCP

    [Fact]
    public void Mcp_page_empty_state_says_where_to_add_a_server()
    {
        RenderProviders();
        var page = Render<McpPage>();

        page.WaitForAssertion(() => Assert.Equal("empty", page.Find("[data-panel=mcp]").GetAttribute("data-state")), Wait);
        var section = page.Find("[data-panel=mcp]");
        Assert.Contains("No MCP servers configured", section.TextContent, StringComparison.Ordinal);
        Assert.Contains("Agent:McpServers", section.TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-mcp-server]"));
        Assert.NotNull(page.Find("textarea[data-import-json]"));
    }

    [Fact]
    public void Mcp_page_lists_configured_servers_with_their_true_state_and_command()
    {
        options.McpServers["everything"] = new McpServerOptions { Command = "npx", Args = ["-y", "@modelcontextprotocol/server-everything"] };
        options.McpServers["remote"] = new McpServerOptions { Url = "http://127.0.0.1:9/mcp", Enabled = false };

        RenderProviders();

        var page = Render<McpPage>();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-mcp-server]")), Wait);
        var everything = page.Find("[data-mcp-server=everything]");
        Assert.Equal("npx -y @modelcontextprotocol/server-everything", everything.QuerySelector("[data-command]")!.TextContent);
        Assert.Equal("awaiting confirmation", everything.GetAttribute("data-mcp-state"));
        Assert.Contains("awaiting confirmation", everything.QuerySelector("[data-status-chip]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("0 tools · 0 resources · 0 prompts", everything.QuerySelector("[data-counts]")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(everything.QuerySelector("[data-action=confirm]"));
        var remote = page.Find("[data-mcp-server=remote]");
        Assert.Equal("disabled", remote.GetAttribute("data-mcp-state"));
        Assert.NotEqual("stdio", remote.QuerySelector("[data-transport]")!.TextContent.Trim());

        // Nothing runs until a command is confirmed: the page says it is blocked on the person.
        Assert.Equal("blocked", page.Find("[data-panel=mcp]").GetAttribute("data-state"));
        Assert.Contains("confirm the exact command", page.Find("[data-panel=mcp] [data-state-message]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mcp_page_follows_a_starting_server_to_its_true_state_without_a_reload()
    {
        options.McpServers["remote"] = new McpServerOptions { Url = "http://127.0.0.1:9/mcp" };
        var manager = Services.GetRequiredService<McpServerManager>();
        manager.ConnectionOptions = manager.ConnectionOptions with { StartTimeout = TimeSpan.FromSeconds(3), MaxReconnects = 0 };
        RenderProviders();
        var page = Render<McpPage>();
        page.WaitForAssertion(() => Assert.Equal("starting", page.Find("[data-mcp-server=remote]").GetAttribute("data-mcp-state")), Wait);

        await manager.StartAsync(default);

        // Nothing listens on port 9: the page shows the failure and its error by itself.
        page.WaitForAssertion(() => Assert.Equal("failed", page.Find("[data-mcp-server=remote]").GetAttribute("data-mcp-state")), TimeSpan.FromSeconds(30));
        Assert.NotEmpty(page.Find("[data-mcp-server=remote] [data-mcp-error]").TextContent);
        await manager.StopAsync(default);
    }

    [Fact]
    public void Mcp_confirm_shows_the_exact_command_in_a_dialog_and_cancel_starts_nothing()
    {
        options.McpServers["everything"] = new McpServerOptions { Command = "npx", Args = ["-y", "@modelcontextprotocol/server-everything"] };
        var dialogs = RenderProviders();
        var page = Render<McpPage>();
        page.WaitForAssertion(() => page.Find("[data-mcp-server=everything] [data-action=confirm]"), Wait);

        page.Find("[data-mcp-server=everything] [data-action=confirm]").Click();

        dialogs.WaitForAssertion(() => Assert.Equal("npx -y @modelcontextprotocol/server-everything", dialogs.Find("[data-confirm-detail]").TextContent), Wait);
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click();
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-confirm-detail]")), Wait);
        Assert.Equal("awaiting confirmation", page.Find("[data-mcp-server=everything]").GetAttribute("data-mcp-state"));
    }

    [Fact]
    public void Mcp_import_refuses_literal_env_values_and_remove_asks_first()
    {
        var dialogs = RenderProviders();
        var page = Render<McpPage>();
        page.WaitForAssertion(() => page.Find("textarea[data-import-json]"), Wait);

        page.Find("textarea[data-import-json]").Change("""{"mcpServers": {"gh": {"command": "npx", "env": {"GITHUB_TOKEN": "ghp_secret"}}}}""");
        page.Find("[data-action=import]").Click();
        page.WaitForAssertion(() => Assert.Contains("${NAME}", page.Find("[data-import-problems]").TextContent, StringComparison.Ordinal), Wait);
        Assert.DoesNotContain("ghp_secret", page.Find("[data-import-problems]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-mcp-server]"));

        page.Find("textarea[data-import-json]").Change("""{"mcpServers": {"gh": {"command": "npx", "args": ["-y", "gh-server"], "env": {"GITHUB_TOKEN": "${GITHUB_TOKEN}"}}}}""");
        page.Find("[data-action=import]").Click();
        page.WaitForAssertion(() => Assert.Equal("awaiting confirmation", page.Find("[data-mcp-server=gh]").GetAttribute("data-mcp-state")), Wait);
        Assert.Equal("GITHUB_TOKEN=${GITHUB_TOKEN} npx -y gh-server", page.Find("[data-mcp-server=gh] [data-command]").TextContent);
        Assert.Empty(page.FindAll("[data-import-problems]"));

        page.Find("[data-mcp-server=gh] [data-action=remove]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Remove gh?", dialogs.Markup, StringComparison.Ordinal), Wait);
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Remove").Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-mcp-server]")), Wait);
        Assert.Equal("empty", page.Find("[data-panel=mcp]").GetAttribute("data-state"));
    }

    [Fact]
    public async Task Mcp_page_shows_a_member_the_install_wide_and_own_tenants_servers_without_actions()
    {
        options.McpServers["shared"] = new McpServerOptions { Url = "http://127.0.0.1:9/mcp", Enabled = false };
        options.McpServers["tool"] = new McpServerOptions { Command = "/opt/agent-install/bin/tool", Args = ["--root=/srv/agent-data"], Enabled = false };

        // The tenants' servers are on loopback: imports by tenants other than the owner's need the network allowed.
        options.Mcp.AllowedNetworks.Add("127.0.0.0/8");
        var member = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new(AgentClaims.Tenant, "acme"), new(System.Security.Claims.ClaimTypes.Role, AgentClaims.Member)], "test"));
        Services.AddSingleton<Microsoft.AspNetCore.Http.IHttpContextAccessor>(new Microsoft.AspNetCore.Http.HttpContextAccessor { HttpContext = new Microsoft.AspNetCore.Http.DefaultHttpContext { User = member } });
        var manager = Services.GetRequiredService<McpServerManager>();
        await manager.ImportAsync("acme", """{"mcpServers": {"acme-notes": {"url": "http://127.0.0.1:9/acme", "enabled": false}}}""", default);
        await manager.ImportAsync("beta", """{"mcpServers": {"beta-notes": {"url": "http://127.0.0.1:9/beta", "enabled": false}}}""", default);
        RenderProviders();
        var page = Render<McpPage>();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-mcp-server]").Count), Wait);
        Assert.Equal(["acme-notes", "shared", "tool"], page.FindAll("[data-mcp-server]").Select(s => s.GetAttribute("data-mcp-server")!).Order(StringComparer.Ordinal));
        Assert.NotNull(page.Find("[data-mcp-server=shared] [data-scope=install-wide]"));
        Assert.Empty(page.FindAll("[data-mcp-server=acme-notes] [data-scope=install-wide]"));
        Assert.NotNull(page.Find("[data-mcp-server=acme-notes] [data-imported]"));

        // A member reads the state but changes nothing: no import form, no remove, switches off.
        Assert.NotNull(page.Find("[data-admin-only]"));
        Assert.Empty(page.FindAll("textarea[data-import-json]"));
        Assert.Empty(page.FindAll("[data-action=remove]"));
        var switches = page.FindAll("[data-mcp-server] input[type=checkbox]");
        Assert.Equal(3, switches.Count);
        Assert.All(switches, i => Assert.True(i.HasAttribute("disabled")));

        // No command line, URL or argument of this install reaches a member's page.
        Assert.Empty(page.FindAll("[data-command]"));
        foreach (var detail in new[] { "127.0.0.1", "/opt/agent-install", "/srv/agent-data" })
        {
            Assert.DoesNotContain(detail, page.Markup, StringComparison.Ordinal);
        }
    }

    // ------------------------------------------------------------------ Tools

    [Fact]
    public void Tools_page_groups_live_tools_by_source_with_settings_skills_and_skill_problems()
    {
        options.Skills.Folders.Add("skills");
        Directory.CreateDirectory(Path.Combine(contentRoot, "skills", "release-notes"));
        File.WriteAllText(Path.Combine(contentRoot, "skills", "release-notes", "SKILL.md"), "---\nname: release-notes\ndescription: Writes release notes\n---\nBody");
        Directory.CreateDirectory(Path.Combine(contentRoot, "skills", "broken"));
        File.WriteAllText(Path.Combine(contentRoot, "skills", "broken", "SKILL.md"), "no front matter");

        RenderProviders();

        var page = Render<ToolsPage>();
        page.WaitForAssertion(() => Assert.Equal("ready", page.Find("[data-panel=tools]").GetAttribute("data-state")), Wait);
        Assert.NotNull(page.Find("[data-tool-group=built-in] [data-tool=current_time]"));
        Assert.NotNull(page.Find("[data-tool-group=skills] [data-tool=load_skill]"));
        Assert.Equal(["Built-in", "Skills"], page.FindAll("[data-tool-group] h4").Select(h => h.TextContent.Trim()));
        Assert.Equal("1 tool", page.Find("[data-tool-group=skills] [data-tool-count]").TextContent.Trim());
        Assert.EndsWith(" tools", page.Find("[data-tool-group=built-in] [data-tool-count]").TextContent.Trim(), StringComparison.Ordinal);
        var write = page.Find("[data-tool=workspace_write]");
        Assert.Equal("ask", write.GetAttribute("data-approval-value"));
        Assert.Equal("auto", write.GetAttribute("data-setting"));
        Assert.Contains("writes", write.QuerySelector("[data-effect]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("built-in", write.QuerySelector("[data-source]")!.TextContent.Trim());
        Assert.Contains("release-notes", page.Find("[data-skill=release-notes]").TextContent, StringComparison.Ordinal);
        Assert.Contains("front matter", page.Find("[data-skill-problem]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-read-only]"));

        // Every switch has an accessible name, and so has each tool's setting.
        Assert.All(page.FindAll("input[type=checkbox]"), input =>
            Assert.StartsWith("Enable ", page.Find($"#{input.GetAttribute("aria-labelledby")}").TextContent, StringComparison.Ordinal));
        Assert.Equal("Approval for calculator", page.Find("[data-tool=calculator] [data-setting-control]").GetAttribute("aria-label"));

        page.Find("[data-skill=release-notes] input[type=checkbox]").Change(false);
        page.WaitForAssertion(() => Assert.Equal("false", page.Find("[data-skill=release-notes]").GetAttribute("data-skill-enabled")), Wait);
    }

    [Fact]
    public void Tools_page_search_filters_by_name_and_description_and_says_when_nothing_matches()
    {
        RenderProviders();
        var page = Render<ToolsPage>();
        page.WaitForAssertion(() => Assert.Equal("ready", page.Find("[data-panel=tools]").GetAttribute("data-state")), Wait);

        var search = page.FindComponent<MudTextField<string>>();
        page.InvokeAsync(() => search.Instance.ValueChanged.InvokeAsync("CALCUL"));
        page.WaitForAssertion(() => Assert.Equal(["calculator"], page.FindAll("[data-tool]").Select(e => e.GetAttribute("data-tool"))), Wait);
        Assert.Equal("1 tool", page.Find("[data-tool-count]").TextContent.Trim());

        page.InvokeAsync(() => search.Instance.ValueChanged.InvokeAsync("zzz-nothing"));
        page.WaitForAssertion(() => Assert.Equal("No tool matches “zzz-nothing”.", page.Find("[data-no-match]").TextContent.Trim()), Wait);
        Assert.Empty(page.FindAll("[data-tool-group]"));
    }

    [Fact]
    public async Task Tools_page_sets_a_tool_to_ask_auto_or_off_through_its_toggle()
    {
        RenderProviders();
        var page = Render<ToolsPage>();
        page.WaitForAssertion(() => Assert.Equal("auto", page.Find("[data-tool=workspace_write]").GetAttribute("data-setting")), Wait);

        page.Find("[data-tool=workspace_write] [data-setting-option=ask]").Click();
        page.WaitForAssertion(() => Assert.Equal("ask", page.Find("[data-tool=workspace_write]").GetAttribute("data-setting")), Wait);
        var registry = Services.GetRequiredService<ToolRegistry>();
        Assert.True((await registry.GetToolsAsync("local", default)).Find("workspace_write")!.Spec.AlwaysAsks);

        page.Find("[data-tool=workspace_write] [data-setting-option=off]").Click();
        page.WaitForAssertion(() => Assert.Equal("false", page.Find("[data-tool=workspace_write]").GetAttribute("data-tool-enabled")), Wait);
        var off = (await registry.GetToolsAsync("local", default)).Find("workspace_write")!.Spec;
        Assert.Equal(ToolSetting.Off, ToolApprovalPolicy.SettingOf(off));

        page.Find("[data-tool=workspace_write] [data-setting-option=auto]").Click();
        page.WaitForAssertion(() => Assert.Equal("auto", page.Find("[data-tool=workspace_write]").GetAttribute("data-setting")), Wait);
        Assert.True((await registry.GetToolsAsync("local", default)).Find("workspace_write")!.Spec.Enabled);
    }

    [Fact]
    public async Task Tools_page_shows_a_pending_approval_with_its_exact_arguments_and_approves_it()
    {
        var approvals = Services.GetRequiredService<ToolApprovalService>();
        var request = PendingApprovals.Write("""{"path":"notes/a.txt","content":"hi"}""");
        var waiting = approvals.RequestAsync(request, default);

        RenderProviders();

        var page = Render<ToolsPage>();
        page.WaitForAssertion(() => Assert.Equal("""{"path":"notes/a.txt","content":"hi"}""", page.Find($"[data-approval='{request.Id}'] [data-arguments]").TextContent), Wait);
        page.Find("[data-action=approve-once]").Click();
        var decided = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ToolApprovalStatus.Approved, decided.Status);
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-approval]")), Wait);
    }

    [Fact]
    public async Task Tools_page_denies_with_the_reason_the_model_sees()
    {
        var approvals = Services.GetRequiredService<ToolApprovalService>();
        var request = PendingApprovals.Write("{}");
        var waiting = approvals.RequestAsync(request, default);

        RenderProviders();

        var page = Render<ToolsPage>();
        page.WaitForAssertion(() => page.Find("input[data-deny-reason]"), Wait);
        Assert.Equal("Reason for denying", page.Find($"[data-approval='{request.Id}'] label").TextContent.Trim());
        page.Find("input[data-deny-reason]").Change("wrong folder");
        page.Find("[data-action=deny]").Click();
        var decided = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ToolApprovalStatus.Denied, decided.Status);
        Assert.Equal("wrong folder", decided.DenyReason);
    }

    [Fact]
    public void Tools_page_is_loading_until_the_registry_answers()
    {
        var gate = new Gate();
        Services.AddSingleton<IConfigOverrideStore>(new TroubledOverrideStore(gate));
        RenderProviders();
        var loading = Render<ToolsPage>();
        Assert.Equal("loading", loading.Find("[data-panel=tools]").GetAttribute("data-state"));
        Assert.Empty(loading.FindAll("[data-tool]"));
        gate.Release();
        loading.WaitForAssertion(() => Assert.Equal("ready", loading.Find("[data-panel=tools]").GetAttribute("data-state")), Wait);
    }

    [Fact]
    public void Tools_page_shows_an_error_when_the_registry_fails()
    {
        Services.AddSingleton<IConfigOverrideStore>(new TroubledOverrideStore(failure: new IOException("disk unplugged")));
        RenderProviders();
        var page = Render<ToolsPage>();
        page.WaitForAssertion(() => Assert.Equal("error", page.Find("[data-panel=tools]").GetAttribute("data-state")), Wait);
        var alert = page.Find("[data-panel=tools] [data-state-message]");
        Assert.Equal("alert", alert.GetAttribute("role"));
        Assert.Contains("The tools could not be loaded: disk unplugged", alert.TextContent, StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ Memory, Tokens, Team

    [Fact]
    public void Memory_page_is_empty_with_zero_counts_and_still_offers_to_add()
    {
        AddMemory(new FakeMemoryStore(Enum.GetValues<MemoryTier>().ToDictionary(t => t, _ => 0)), 0);
        RenderProviders();
        var empty = Render<Memory>();
        empty.WaitForAssertion(() => Assert.Equal("empty", empty.Find("[data-panel=memory]").GetAttribute("data-state")), Wait);
        Assert.Contains("No memory yet.", empty.Markup, StringComparison.Ordinal);
        Assert.NotNull(empty.Find("[data-action=add-memory]"));
    }

    [Fact]
    public void Memory_page_ready_shows_tier_counts_and_items_with_their_source()
    {
        var session = Guid.NewGuid();
        var attachment = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        var items = new List<MemoryItem>
        {
            new(Guid.NewGuid(), "local", null, MemoryTier.PinnedBlock, "", "Call me Sam.", now, now),
            new(Guid.NewGuid(), "local", session, MemoryTier.ArchivalFact, "", "Sam's cat is Miso.", now, now) { Source = MemorySource.Agent },
            new(Guid.NewGuid(), "local", session, MemoryTier.AttachmentSummary, "lease.pdf", "A rental contract.", now, now) { Source = MemorySource.Attachment, AttachmentId = attachment },
        };
        var counts = Enum.GetValues<MemoryTier>().ToDictionary(t => t, t => items.Count(i => i.Tier == t));
        AddMemory(new FakeMemoryStore(counts, items: items), 2);
        RenderProviders();
        var page = Render<Memory>();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-memory-item]").Count), Wait);
        Assert.Equal("ready", page.Find("[data-panel=memory]").GetAttribute("data-state"));
        Assert.Equal("1", page.Find("[data-tier-chip=pinned]").GetAttribute("data-count"));
        Assert.Contains("3 items · 1 pinned", page.Find("[data-badge]").TextContent, StringComparison.Ordinal);
        Assert.Contains("checkpoints: 2", page.Find($"[data-tier={MemoryTier.RawHistory}]").TextContent, StringComparison.Ordinal);
        Assert.Equal($"/chat/{session}", page.Find("[data-memory-source=agent] a[data-source-link]").GetAttribute("href"));
        Assert.Equal($"/api/attachments/{attachment}/content", page.Find("[data-memory-source=attachment] a[data-source-link]").GetAttribute("href"));
        Assert.Single(page.FindAll("[data-action=unpin]"));
        Assert.Equal(2, page.FindAll("[data-action=pin]").Count);
    }

    [Fact]
    public void Memory_page_shows_an_error_when_the_store_fails()
    {
        AddMemory(new FakeMemoryStore(new Dictionary<MemoryTier, int>(), new IOException("database is locked")), 0);
        RenderProviders();
        var page = Render<Memory>();
        page.WaitForAssertion(() => Assert.Equal("error", page.Find("[data-panel=memory]").GetAttribute("data-state")), Wait);
        Assert.Contains("database is locked", page.Find("[data-state-message]").TextContent, StringComparison.Ordinal);
    }

    private void AddMemory(FakeMemoryStore store, int checkpoints)
    {
        Services.AddSingleton<IMemoryStore>(store);
        Services.AddSingleton<IMemoryRecall>(new NoRecall());
        Services.AddSingleton<IAttachmentStore>(new NoAttachments());
        Services.AddSingleton<ICheckpointStore>(new FakeCheckpointStore(checkpoints));
        Services.AddSingleton<ICurrentTenant>(new LocalTenant());
        Services.AddSingleton(Options.Create(new AgentOptions()));
        Services.AddSingleton<MemoryService>();
        Services.AddTransient<MemoryViewModel>();
    }

    [Fact]
    public void Tokens_page_goes_from_loading_to_ready_with_totals_charts_models_and_top_sessions()
    {
        var gate = new Gate();
        var session = new Agent.Domain.Sessions.ChatSession(Guid.NewGuid(), "local", "Budget planning", "openai", "gpt-4o-mini", null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var total = new TokenAggregate("total", 1200, 30, 4, 3, 0.0123m, 2, 0, 1);
        var reports = new Dictionary<TokenGrouping, TokenReport>
        {
            [TokenGrouping.Day] = new([total with { Key = today }], total),
            [TokenGrouping.Model] = new([total with { Key = "gpt-4o-mini" }], total),
            [TokenGrouping.Session] = new([total with { Key = session.Id.ToString() }], total),
        };
        Services.AddSingleton<ITokenReportStore>(new FakeTokenReportStore(reports, gate));
        Services.AddSingleton<ISessionStore>(new FakeSessionStore(session));
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new Agent.Domain.Configuration.AgentOptions()));
        Services.AddTransient<TokensViewModel>();
        RenderProviders();
        var page = Render<Tokens>();
        Assert.Equal("loading", page.Find("[data-panel=tokens]").GetAttribute("data-state"));
        gate.Release();
        page.WaitForAssertion(() => Assert.Equal("ready", page.Find("[data-panel=tokens]").GetAttribute("data-state")), Wait);
        Assert.Equal("1,200", page.Find("[data-figure=input]").TextContent);
        Assert.Equal("0.0123 USD", page.Find("[data-figure=cost]").TextContent);
        Assert.Equal("2", page.Find("[data-figure=messages]").TextContent);
        Assert.Contains("1 of 2 replies are estimates", page.Find("[data-estimated-note]").TextContent, StringComparison.Ordinal);
        foreach (var chart in new[] { "usage-over-time", "cost-over-time", "by-model", "by-session" })
        {
            Assert.NotEmpty(page.FindAll($"[data-chart={chart}] svg"));
        }

        Assert.Equal("0.0123 USD", page.Find("tr[data-model='gpt-4o-mini'] [data-cell=cost]").TextContent);
        Assert.Equal("Budget planning", page.Find($"tr[data-session='{session.Id}'] a").TextContent);
        Assert.Equal("1,230", page.Find($"tr[data-session='{session.Id}'] [data-cell=tokens]").TextContent);
    }

    [Theory]
    [InlineData("<img src=x onerror=alert(1)><style>body{display:none}</style>")]
    [InlineData("<svg><script>alert(1)</script></svg>")]
    public void Tokens_page_renders_a_session_title_and_a_model_name_as_text_in_every_chart_and_table(string hostile)
    {
        var session = new Agent.Domain.Sessions.ChatSession(Guid.NewGuid(), "local", hostile, "openai", hostile, null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var total = new TokenAggregate("total", 1200, 30, 4, 3, 0.0123m, 2, 0, 0);
        var reports = new Dictionary<TokenGrouping, TokenReport>
        {
            [TokenGrouping.Day] = new([total with { Key = today }], total),
            [TokenGrouping.Model] = new([total with { Key = hostile }], total),
            [TokenGrouping.Session] = new([total with { Key = session.Id.ToString() }], total),
        };
        Services.AddSingleton<ITokenReportStore>(new FakeTokenReportStore(reports));
        Services.AddSingleton<ISessionStore>(new FakeSessionStore(session));
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new Agent.Domain.Configuration.AgentOptions()));
        Services.AddTransient<TokensViewModel>();
        RenderProviders();
        var page = Render<Tokens>();
        page.WaitForAssertion(() => Assert.Equal("ready", page.Find("[data-panel=tokens]").GetAttribute("data-state")), Wait);

        // The bar's tooltip is open too: every chart, axis label, legend and tooltip of the panel is in the markup checked.
        page.Find("[data-chart=by-session] path.mud-chart-bar").MouseOver();
        page.Find("[data-chart=by-model] path.mud-chart-bar").MouseOver();
        var panel = page.Find("[data-panel=tokens]");
        Assert.Empty(panel.QuerySelectorAll("img, style, script"));
        Assert.Empty(panel.QuerySelectorAll("svg svg, svg foreignObject"));
        Assert.Equal(hostile, page.Find($"tr[data-session='{session.Id}'] a").TextContent);
        Assert.Equal(hostile, page.Find("[data-table=models] tbody td").TextContent);
        Assert.Contains(page.FindAll("[data-chart=by-session] .mud-charts-xaxis text"), e => e.TextContent == hostile[..17] + "…");
        Assert.Contains(page.FindAll("[data-chart=by-model] .mud-charts-xaxis text"), e => e.TextContent == hostile);
    }

    [Fact]
    public void Tokens_page_empty_state()
    {
        Services.AddSingleton<ITokenReportStore>(new FakeTokenReportStore(new Dictionary<TokenGrouping, TokenReport>()));
        Services.AddSingleton<ISessionStore>(new FakeSessionStore());
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new Agent.Domain.Configuration.AgentOptions()));
        Services.AddTransient<TokensViewModel>();
        RenderProviders();
        var empty = Render<Tokens>();
        empty.WaitForAssertion(() => Assert.Equal("empty", empty.Find("[data-panel=tokens]").GetAttribute("data-state")), Wait);
        Assert.Contains("No token usage in this range yet.", empty.Markup, StringComparison.Ordinal);
        Assert.Empty(empty.FindAll("[data-figure]"));
    }

    [Fact]
    public void Tokens_page_error_state()
    {
        Services.AddSingleton<ITokenReportStore>(new FakeTokenReportStore(new Dictionary<TokenGrouping, TokenReport>(), failure: new IOException("no such table")));
        Services.AddSingleton<ISessionStore>(new FakeSessionStore());
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new Agent.Domain.Configuration.AgentOptions()));
        Services.AddTransient<TokensViewModel>();
        RenderProviders();
        var failed = Render<Tokens>();
        failed.WaitForAssertion(() => Assert.Equal("error", failed.Find("[data-panel=tokens]").GetAttribute("data-state")), Wait);
        Assert.Contains("no such table", failed.Find("[data-state-message]").TextContent, StringComparison.Ordinal);
    }
}
