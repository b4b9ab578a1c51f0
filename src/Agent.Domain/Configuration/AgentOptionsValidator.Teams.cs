namespace Agent.Domain.Configuration;

public static partial class AgentOptionsValidator
{
    public static readonly IReadOnlyList<string> MemoryScopes = ["none", "session", "agent"];

    /// <summary>Everything the Team panel edits: the profiles (ids, names, team fields) and the teams.</summary>
    public static IReadOnlyList<ConfigError> ValidateProfilesAndTeams(IReadOnlyList<AgentProfileOptions> profiles, IReadOnlyList<TeamOptions> teams)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        var errors = new List<ConfigError>();
        ValidateProfiles([.. profiles], errors);
        errors.AddRange(ValidateTeams(profiles, teams));
        return errors;
    }

    /// <summary>
    /// Checks profiles' team fields and the teams against the profiles. Used at start (appsettings.json) and for the
    /// person's edits in the Team panel (the effective set: file defaults with the stored edits over them).
    /// </summary>
    public static IReadOnlyList<ConfigError> ValidateTeams(IReadOnlyList<AgentProfileOptions> profiles, IReadOnlyList<TeamOptions> teams)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        ArgumentNullException.ThrowIfNull(teams);
        var errors = new List<ConfigError>();
        for (var i = 0; i < profiles.Count; i++)
        {
            var profile = profiles[i];
            if (!MemoryScopes.Contains(profile.MemoryScope ?? "", StringComparer.OrdinalIgnoreCase))
            {
                errors.Add(new($"{Section}:Profiles:{i}:MemoryScope", $"'{profile.MemoryScope}' is not a memory scope.", "use none, session or agent."));
            }

            if (string.IsNullOrWhiteSpace(profile.Provider) != string.IsNullOrWhiteSpace(profile.Model))
            {
                errors.Add(new($"{Section}:Profiles:{i}:Model", "provider and model must be set together.", "set both (for example openai and gpt-4o-mini) or leave both empty to use the session's model."));
            }
        }

        var profileIds = new HashSet<string>(profiles.Select(p => p.Id), StringComparer.OrdinalIgnoreCase);
        var teamIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < teams.Count; i++)
        {
            var team = teams[i];
            var key = $"{Section}:Teams:{i}";
            if (!string.IsNullOrWhiteSpace(team.Id) && !InputLimits.IsValidId(team.Id))
            {
                errors.Add(new($"{key}:Id", $"{InputLimits.Shown(team.Id)} is not a valid id.", $"use {InputLimits.IdRule}, such as default."));
            }
            else if (string.IsNullOrWhiteSpace(team.Id) || !teamIds.Add(team.Id))
            {
                errors.Add(new($"{key}:Id", $"'{team.Id}' is empty or used by another team.", "give each team a unique id such as default."));
            }

            if (string.IsNullOrWhiteSpace(team.Name))
            {
                errors.Add(new($"{key}:Name", "is empty.", "give the team a name people see."));
            }

            ValidateLength($"{key}:Name", team.Name, InputLimits.MaxNameLength, errors);

            if (!profileIds.Contains(team.Coordinator ?? ""))
            {
                errors.Add(new($"{key}:Coordinator", $"{InputLimits.Shown(team.Coordinator)} is not a profile id.", $"use one of {string.Join(", ", profileIds)}."));
            }

            if (team.Members.Count == 0)
            {
                errors.Add(new($"{key}:Members", "is empty.", "name at least one member profile, such as coder."));
            }

            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var m = 0; m < team.Members.Count; m++)
            {
                var member = team.Members[m];
                if (!profileIds.Contains(member ?? ""))
                {
                    errors.Add(new($"{key}:Members:{m}", $"{InputLimits.Shown(member)} is not a profile id.", $"use one of {string.Join(", ", profileIds)}."));
                }
                else if (string.Equals(member, team.Coordinator, StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add(new($"{key}:Members:{m}", $"'{member}' is the coordinator.", "a coordinator does not ask itself; pick other profiles as members."));
                }
                else if (!seen.Add(member!))
                {
                    errors.Add(new($"{key}:Members:{m}", $"'{member}' is listed twice.", "list each member once."));
                }
            }

            var limits = team.Limits;
            ValidateRange($"{key}:Limits:MaxDepth", limits.MaxDepth, 1, 5, errors);
            ValidateRange($"{key}:Limits:MaxSteps", limits.MaxSteps, 1, 50, errors);
            ValidatePositive($"{key}:Limits:MaxTokensPerTask", limits.MaxTokensPerTask, errors);
            ValidatePositive($"{key}:Limits:MaxTokensPerRun", limits.MaxTokensPerRun, errors);
            ValidatePositive($"{key}:Limits:MaxSecondsPerTask", limits.MaxSecondsPerTask, errors);
        }

        return errors;
    }

    private static void ValidateLength(string key, string? value, int max, List<ConfigError> errors)
    {
        if (value is not null && value.Length > max)
        {
            errors.Add(new(key, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"has {value.Length:N0} characters; the limit is {max:N0}."), string.Create(System.Globalization.CultureInfo.InvariantCulture, $"shorten it to {max:N0} characters or fewer.")));
        }
    }

    private static void ValidateRange(string key, int value, int min, int max, List<ConfigError> errors)
    {
        if (value < min || value > max)
        {
            errors.Add(new(key, $"is {value}; it must be from {min} to {max}.", $"use a value from {min} to {max}."));
        }
    }
}
