using Agent.Domain.Tools;

namespace Agent.Tools.Tests;

public sealed class ApprovalPolicyTests
{
    private static ToolSpec Tool(ToolEffects effects, ToolApproval? approval = null, bool enabled = true, bool alwaysAsks = false) =>
        new("t", "d", "{}", ToolSource.BuiltIn, effects, approval ?? ToolSpec.DefaultApprovalFor(effects), enabled, alwaysAsks);

    [Theory]
    [InlineData(SessionToolMode.Manual)]
    [InlineData(SessionToolMode.AskForWrites)]
    [InlineData(SessionToolMode.Autonomous)]
    public void A_tool_set_to_ask_waits_for_the_person_in_every_mode(SessionToolMode mode)
    {
        var decision = ToolApprovalPolicy.Decide(Tool(ToolEffects.None, ToolApproval.Ask, alwaysAsks: true), mode, approvedForSession: false);
        Assert.Equal(ApprovalVerdict.Ask, decision.Verdict);
    }

    [Fact]
    public void A_configured_ask_without_the_tenants_setting_still_runs_in_autonomous_mode() =>
        Assert.Equal(ApprovalVerdict.Run, ToolApprovalPolicy.Decide(Tool(ToolEffects.Writes, ToolApproval.Ask), SessionToolMode.Autonomous, false).Verdict);

    [Fact]
    public void A_tool_set_to_ask_runs_once_the_person_approved_it_for_the_session() =>
        Assert.Equal(ApprovalVerdict.Run, ToolApprovalPolicy.Decide(Tool(ToolEffects.None, ToolApproval.Ask, alwaysAsks: true), SessionToolMode.Autonomous, true).Verdict);

    [Fact]
    public void The_setting_is_off_for_disabled_or_never_ask_for_the_tenants_ask_and_auto_otherwise()
    {
        Assert.Equal(ToolSetting.Off, ToolApprovalPolicy.SettingOf(Tool(ToolEffects.None, enabled: false, alwaysAsks: true)));
        Assert.Equal(ToolSetting.Off, ToolApprovalPolicy.SettingOf(Tool(ToolEffects.None, ToolApproval.Never)));
        Assert.Equal(ToolSetting.Ask, ToolApprovalPolicy.SettingOf(Tool(ToolEffects.None, ToolApproval.Ask, alwaysAsks: true)));
        Assert.Equal(ToolSetting.Auto, ToolApprovalPolicy.SettingOf(Tool(ToolEffects.Writes)));
        Assert.Equal(ToolSetting.Auto, ToolApprovalPolicy.SettingOf(Tool(ToolEffects.None, ToolApproval.Always)));
    }

    [Theory]
    [InlineData("ask", true, ToolSetting.Ask)]
    [InlineData(" Auto ", true, ToolSetting.Auto)]
    [InlineData("OFF", true, ToolSetting.Off)]
    [InlineData("always", false, ToolSetting.Auto)]
    [InlineData("1", false, ToolSetting.Auto)]
    [InlineData("", false, ToolSetting.Auto)]
    [InlineData(null, false, ToolSetting.Auto)]
    public void Settings_parse_only_ask_auto_and_off(string? text, bool parsed, ToolSetting expected)
    {
        Assert.Equal(parsed, ToolApprovalPolicy.TryParseSetting(text, out var setting));
        Assert.Equal(expected, setting);
    }

    [Theory]
    [InlineData(ToolEffects.None, ToolApproval.Always)]
    [InlineData(ToolEffects.Writes, ToolApproval.Ask)]
    [InlineData(ToolEffects.Deletes, ToolApproval.Ask)]
    [InlineData(ToolEffects.Spends, ToolApproval.Ask)]
    [InlineData(ToolEffects.Network, ToolApproval.Ask)]
    public void Defaults_come_from_effects(ToolEffects effects, ToolApproval expected) =>
        Assert.Equal(expected, ToolApprovalPolicy.EffectiveApproval(effects, null, null));

    [Fact]
    public void Person_overrides_config_which_overrides_default()
    {
        Assert.Equal(ToolApproval.Always, ToolApprovalPolicy.EffectiveApproval(ToolEffects.Writes, ToolApproval.Always, null));
        Assert.Equal(ToolApproval.Never, ToolApprovalPolicy.EffectiveApproval(ToolEffects.Writes, ToolApproval.Always, ToolApproval.Never));
    }

    [Theory]
    [InlineData(SessionToolMode.Manual, ToolEffects.None, ApprovalVerdict.Ask)]
    [InlineData(SessionToolMode.Manual, ToolEffects.Writes, ApprovalVerdict.Ask)]
    [InlineData(SessionToolMode.AskForWrites, ToolEffects.None, ApprovalVerdict.Run)]
    [InlineData(SessionToolMode.AskForWrites, ToolEffects.Writes, ApprovalVerdict.Ask)]
    [InlineData(SessionToolMode.AskForWrites, ToolEffects.Network, ApprovalVerdict.Ask)]
    [InlineData(SessionToolMode.Autonomous, ToolEffects.Deletes, ApprovalVerdict.Run)]
    public void Session_mode_decides(SessionToolMode mode, ToolEffects effects, ApprovalVerdict expected) =>
        Assert.Equal(expected, ToolApprovalPolicy.Decide(Tool(effects), mode, approvedForSession: false).Verdict);

    [Theory]
    [InlineData(SessionToolMode.Manual)]
    [InlineData(SessionToolMode.AskForWrites)]
    [InlineData(SessionToolMode.Autonomous)]
    public void Never_and_disabled_are_refused_in_every_mode(SessionToolMode mode)
    {
        Assert.Equal(ApprovalVerdict.Refuse, ToolApprovalPolicy.Decide(Tool(ToolEffects.None, ToolApproval.Never), mode, true).Verdict);
        Assert.Equal(ApprovalVerdict.Refuse, ToolApprovalPolicy.Decide(Tool(ToolEffects.None, enabled: false), mode, true).Verdict);
    }

    [Fact]
    public void Approved_for_session_runs_even_in_manual_mode() =>
        Assert.Equal(ApprovalVerdict.Run, ToolApprovalPolicy.Decide(Tool(ToolEffects.Writes), SessionToolMode.Manual, true).Verdict);

    [Fact]
    public void Configured_always_runs_writes_in_ask_for_writes_mode() =>
        Assert.Equal(ApprovalVerdict.Run, ToolApprovalPolicy.Decide(Tool(ToolEffects.Writes, ToolApproval.Always), SessionToolMode.AskForWrites, false).Verdict);

    [Theory]
    [InlineData("manual", SessionToolMode.Manual)]
    [InlineData("ask-for-writes", SessionToolMode.AskForWrites)]
    [InlineData("askForWrites", SessionToolMode.AskForWrites)]
    [InlineData("Autonomous", SessionToolMode.Autonomous)]
    public void Modes_parse(string text, SessionToolMode expected)
    {
        Assert.True(ToolApprovalPolicy.TryParseMode(text, out var mode));
        Assert.Equal(expected, mode);
    }

    [Fact]
    public void Bad_values_do_not_parse()
    {
        Assert.False(ToolApprovalPolicy.TryParseMode("yolo", out _));
        Assert.False(ToolApprovalPolicy.TryParseApproval("sometimes", out _));
        Assert.False(ToolApprovalPolicy.TryParseApproval("7", out _));
    }
}

public sealed class ToolsConfigValidationTests
{
    [Fact]
    public void Bad_tool_settings_are_reported_with_their_key()
    {
        var options = new Agent.Domain.Configuration.AgentOptions();
        options.Tools.Mode = "yolo";
        options.Tools.MaxSteps = 0;
        options.Tools.Approvals["workspace_write"] = "sometimes";
        var keys = Agent.Domain.Configuration.AgentOptionsValidator.Validate(options).Select(e => e.Key).ToList();
        Assert.Contains("Agent:Tools:Mode", keys);
        Assert.Contains("Agent:Tools:MaxSteps", keys);
        Assert.Contains("Agent:Tools:Approvals:workspace_write", keys);
    }

    [Fact]
    public void Defaults_are_valid() =>
        Assert.DoesNotContain(Agent.Domain.Configuration.AgentOptionsValidator.Validate(new Agent.Domain.Configuration.AgentOptions()), e => e.Key.StartsWith("Agent:Tools", StringComparison.Ordinal));
}
