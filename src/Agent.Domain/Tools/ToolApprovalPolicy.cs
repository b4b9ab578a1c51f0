namespace Agent.Domain.Tools;

/// <summary>How much a session lets tools run on their own.</summary>
public enum SessionToolMode
{
    /// <summary>Every tool call waits for the person.</summary>
    Manual,

    /// <summary>Each tool's approval applies: tools that write, delete, spend or reach the network ask by default.</summary>
    AskForWrites,

    /// <summary>Everything runs without asking, except tools set to never.</summary>
    Autonomous,
}

public enum ApprovalVerdict
{
    Run,
    Ask,
    Refuse,
}

/// <summary>
/// The tenant's choice per tool in the Tools panel. Ask: every call waits for the person, in every mode. Auto: the session's
/// mode and the tool's configured approval decide. Off: the tool is disabled and not offered to the model.
/// </summary>
public enum ToolSetting
{
    Ask,
    Auto,
    Off,
}

/// <summary>What the policy decided for one call and why (recorded with the call).</summary>
public sealed record ApprovalDecision(ApprovalVerdict Verdict, string Reason);

/// <summary>Pure approval rules: which approval a tool has, and what a call of it needs in a session.</summary>
public static class ToolApprovalPolicy
{
    /// <summary>The person's choice wins over the configuration, which wins over the default from the tool's effects.</summary>
    public static ToolApproval EffectiveApproval(ToolEffects effects, ToolApproval? configured, ToolApproval? personOverride) =>
        personOverride ?? configured ?? ToolSpec.DefaultApprovalFor(effects);

    public static ApprovalDecision Decide(ToolSpec tool, SessionToolMode mode, bool approvedForSession)
    {
        ArgumentNullException.ThrowIfNull(tool);
        if (!tool.Enabled)
        {
            return new(ApprovalVerdict.Refuse, $"The tool '{tool.Name}' is disabled.");
        }

        if (tool.Approval == ToolApproval.Never)
        {
            return new(ApprovalVerdict.Refuse, $"The tool '{tool.Name}' is set to never run.");
        }

        // A grant for the session is the person's own answer to an ask, so it holds for a tool set to ask too.
        if (approvedForSession)
        {
            return new(ApprovalVerdict.Run, "approved for this session");
        }

        if (tool.AlwaysAsks)
        {
            return new(ApprovalVerdict.Ask, "the tool is set to ask");
        }

        return mode switch
        {
            SessionToolMode.Manual => new(ApprovalVerdict.Ask, "manual mode: every call is approved by the person"),
            SessionToolMode.Autonomous => new(ApprovalVerdict.Run, "autonomous mode"),
            _ => tool.Approval == ToolApproval.Always
                ? new(ApprovalVerdict.Run, "tool approval is always")
                : new(ApprovalVerdict.Ask, tool.Effects == ToolEffects.None ? "tool approval is ask" : $"tool has effects {tool.Effects}"),
        };
    }

    /// <summary>The panel's view of a tool: disabled or never is off, a tenant's ask is ask, anything else is auto.</summary>
    public static ToolSetting SettingOf(ToolSpec tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        return !tool.Enabled || tool.Approval == ToolApproval.Never ? ToolSetting.Off
            : tool.AlwaysAsks ? ToolSetting.Ask
            : ToolSetting.Auto;
    }

    /// <summary>"ask", "auto" or "off" (any case); nothing else, numbers neither.</summary>
    public static bool TryParseSetting(string? text, out ToolSetting setting)
    {
        ToolSetting? parsed = text?.Trim().ToLowerInvariant() switch
        {
            "ask" => ToolSetting.Ask,
            "auto" => ToolSetting.Auto,
            "off" => ToolSetting.Off,
            _ => null,
        };
        setting = parsed ?? ToolSetting.Auto;
        return parsed is not null;
    }

    public static bool TryParseApproval(string? text, out ToolApproval approval)
    {
        approval = ToolApproval.Ask;
        return text is not null && Enum.TryParse(text.Trim(), ignoreCase: true, out approval) && Enum.IsDefined(approval);
    }

    public static bool TryParseMode(string? text, out SessionToolMode mode)
    {
        mode = SessionToolMode.AskForWrites;
        var normalized = text?.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).Trim();
        return normalized is not null && Enum.TryParse(normalized, ignoreCase: true, out mode) && Enum.IsDefined(mode);
    }
}
