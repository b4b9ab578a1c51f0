using Agent.Domain.Tools;

namespace Agent.Domain.Configuration;

public static partial class AgentOptionsValidator
{
    private static void ValidateNetworks(string key, List<string> networks, List<ConfigError> errors)
    {
        for (var i = 0; i < networks.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(networks[i], out _))
            {
                errors.Add(new($"{key}:{i}", $"'{networks[i]}' is not a network in CIDR notation.", "use a value such as 10.1.2.0/24 or 127.0.0.1/32."));
            }
        }
    }

    private static void ValidateTools(ToolsOptions tools, List<ConfigError> errors)
    {
        const string key = Section + ":Tools";
        if (string.IsNullOrWhiteSpace(tools.WorkspaceFolder))
        {
            errors.Add(new($"{key}:WorkspaceFolder", "is empty.", "give a folder such as data/workspace."));
        }

        if (tools.MaxFileBytes <= 0)
        {
            errors.Add(new($"{key}:MaxFileBytes", $"is {tools.MaxFileBytes}; it must be positive.", "use a size such as 1048576."));
        }

        ValidatePositive($"{key}:FetchMaxBytes", tools.FetchMaxBytes, errors);
        ValidateNetworks($"{key}:FetchAllowedNetworks", tools.FetchAllowedNetworks, errors);

        ValidatePositive($"{key}:MaxSteps", tools.MaxSteps, errors);
        ValidatePositive($"{key}:CallTimeoutSeconds", tools.CallTimeoutSeconds, errors);
        ValidatePositive($"{key}:McpStartTimeoutSeconds", tools.McpStartTimeoutSeconds, errors);
        if (!ToolApprovalPolicy.TryParseMode(tools.Mode, out _))
        {
            errors.Add(new($"{key}:Mode", $"'{tools.Mode}' is not a session mode.", "use manual, askForWrites or autonomous."));
        }

        foreach (var (tool, approval) in tools.Approvals)
        {
            if (!ToolApprovalPolicy.TryParseApproval(approval, out _))
            {
                errors.Add(new($"{key}:Approvals:{tool}", $"'{approval}' is not an approval.", "use always, ask or never."));
            }
        }
    }
}
