using System.Text.Json;
using Agent.Domain.Configuration;
using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.Services;

/// <summary>The person's edits of profiles or teams left the set invalid; nothing was stored.</summary>
public sealed class TeamConfigException(IReadOnlyList<ConfigError> errors)
    : Exception(string.Join(" ", errors.Select(e => e.ToString())))
{
    public IReadOnlyList<ConfigError> Errors => errors;
}

/// <summary>A profile or team as shown: its settings and whether the person's edit is stored over the file's default.</summary>
public sealed record CatalogEntry<T>(T Value, bool FromFile, bool Edited);

/// <summary>
/// The effective agent profiles and teams of a tenant: appsettings.json's defaults with the person's edits stored
/// over them (in the state store, like the Tools panel's approval choices), validated as a whole before any edit is
/// stored. Also which team a session is bound to.
/// </summary>
public sealed class TeamCatalog(IOptions<AgentOptions> options, IStateStore state, TimeProvider time)
{
    private const string ProfileKey = "profile:";
    private const string TeamKey = "team:";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Lock gate = new();
    private readonly List<Action> subscribers = [];

    public static string EditScope(string tenantId) => $"team-config:{tenantId}";

    /// <summary>Called after any edit or binding change; dispose the result to stop.</summary>
    public IDisposable Subscribe(Action changed)
    {
        lock (gate)
        {
            subscribers.Add(changed);
        }

        return new Unsubscriber(this, changed);
    }

    public async Task<IReadOnlyList<CatalogEntry<AgentProfileOptions>>> ProfilesAsync(string tenantId, CancellationToken cancellationToken)
    {
        var (profiles, _) = await EditsAsync(tenantId, cancellationToken);
        return Merge(options.Value.Profiles, profiles, p => p.Id, p => p.Copy());
    }

    public async Task<IReadOnlyList<CatalogEntry<TeamOptions>>> TeamsAsync(string tenantId, CancellationToken cancellationToken)
    {
        var (_, teams) = await EditsAsync(tenantId, cancellationToken);
        return Merge(options.Value.Teams, teams, t => t.Id, t => t.Copy());
    }

    public async Task<AgentProfileOptions?> FindProfileAsync(string tenantId, string profileId, CancellationToken cancellationToken) =>
        (await ProfilesAsync(tenantId, cancellationToken)).Select(e => e.Value).FirstOrDefault(p => string.Equals(p.Id, profileId, StringComparison.OrdinalIgnoreCase));

    public async Task<TeamOptions?> FindTeamAsync(string tenantId, string teamId, CancellationToken cancellationToken) =>
        (await TeamsAsync(tenantId, cancellationToken)).Select(e => e.Value).FirstOrDefault(t => string.Equals(t.Id, teamId, StringComparison.OrdinalIgnoreCase));

    /// <summary>Adds or replaces a profile (<paramref name="mustBeNew"/>: only adds); refused with every problem of the resulting set.</summary>
    public async Task SaveProfileAsync(string tenantId, AgentProfileOptions profile, CancellationToken cancellationToken, bool mustBeNew = false)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var profiles = (await ProfilesAsync(tenantId, cancellationToken)).Select(e => e.Value).ToList();
        var index = profiles.FindIndex(p => string.Equals(p.Id, profile.Id, StringComparison.OrdinalIgnoreCase));
        if (index >= 0 && mustBeNew)
        {
            profiles.Add(profile); // validated below: the duplicate id is reported with the rest
        }
        else if (index >= 0)
        {
            profiles[index] = profile;
        }
        else
        {
            profiles.Add(profile);
        }

        ThrowIfInvalid(profiles, (await TeamsAsync(tenantId, cancellationToken)).Select(e => e.Value).ToList());
        await StoreAsync(tenantId, ProfileKey + profile.Id, profile, cancellationToken);
    }

    public async Task SaveTeamAsync(string tenantId, TeamOptions team, CancellationToken cancellationToken, bool mustBeNew = false)
    {
        ArgumentNullException.ThrowIfNull(team);
        var teams = (await TeamsAsync(tenantId, cancellationToken)).Select(e => e.Value).ToList();
        var index = teams.FindIndex(t => string.Equals(t.Id, team.Id, StringComparison.OrdinalIgnoreCase));
        if (index >= 0 && mustBeNew)
        {
            teams.Add(team);
        }
        else if (index >= 0)
        {
            teams[index] = team;
        }
        else
        {
            teams.Add(team);
        }

        ThrowIfInvalid((await ProfilesAsync(tenantId, cancellationToken)).Select(e => e.Value).ToList(), teams);
        await StoreAsync(tenantId, TeamKey + team.Id, team, cancellationToken);
    }

    /// <summary>Drops the person's edit: a file profile goes back to its default, an added one is removed. False when there was no edit.</summary>
    public async Task<bool> ResetProfileAsync(string tenantId, string profileId, CancellationToken cancellationToken)
    {
        var (profileEdits, teamEdits) = await EditsAsync(tenantId, cancellationToken);
        if (!profileEdits.Remove(profileId))
        {
            return false;
        }

        ThrowIfInvalid(
            Merge(options.Value.Profiles, profileEdits, p => p.Id, p => p.Copy()).Select(e => e.Value).ToList(),
            Merge(options.Value.Teams, teamEdits, t => t.Id, t => t.Copy()).Select(e => e.Value).ToList());
        await state.RemoveAsync(EditScope(tenantId), ProfileKey + profileId, cancellationToken);
        Notify();
        return true;
    }

    public async Task<bool> ResetTeamAsync(string tenantId, string teamId, CancellationToken cancellationToken)
    {
        var (_, teamEdits) = await EditsAsync(tenantId, cancellationToken);
        if (!teamEdits.ContainsKey(teamId))
        {
            return false;
        }

        await state.RemoveAsync(EditScope(tenantId), TeamKey + teamId, cancellationToken);
        Notify();
        return true;
    }

    /// <summary>The team a session is bound to, or null (also when the team was removed since).</summary>
    public async Task<TeamOptions?> TeamOfSessionAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken) =>
        await state.GetAsync(StateScopes.Session(tenantId, sessionId), SessionStateKeys.Team, cancellationToken) is { } teamId
            ? await FindTeamAsync(tenantId, teamId, cancellationToken)
            : null;

    /// <summary>Binds a session to a team (null unbinds); refused for an unknown team id.</summary>
    public async Task<TeamOptions?> BindSessionAsync(string tenantId, Guid sessionId, string? teamId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(teamId))
        {
            await state.RemoveAsync(StateScopes.Session(tenantId, sessionId), SessionStateKeys.Team, cancellationToken);
            Notify();
            return null;
        }

        var team = await FindTeamAsync(tenantId, teamId, cancellationToken)
            ?? throw new ArgumentException($"No team '{teamId}' is configured; use one of: {string.Join(", ", (await TeamsAsync(tenantId, cancellationToken)).Select(t => t.Value.Id))}.", nameof(teamId));
        await state.SetAsync(new StateEntry(StateScopes.Session(tenantId, sessionId), SessionStateKeys.Team, team.Id, time.GetUtcNow()), cancellationToken);
        Notify();
        return team;
    }

    private static void ThrowIfInvalid(IReadOnlyList<AgentProfileOptions> profiles, IReadOnlyList<TeamOptions> teams)
    {
        var errors = AgentOptionsValidator.ValidateProfilesAndTeams(profiles, teams);
        if (errors.Count > 0)
        {
            throw new TeamConfigException(errors);
        }
    }

    private static List<CatalogEntry<T>> Merge<T>(IEnumerable<T> defaults, IReadOnlyDictionary<string, T> edits, Func<T, string> id, Func<T, T> copy)
    {
        var merged = new List<CatalogEntry<T>>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in defaults)
        {
            seen.Add(id(item));
            merged.Add(edits.TryGetValue(id(item), out var edited) ? new(edited, true, true) : new(copy(item), true, false));
        }

        merged.AddRange(edits.Where(e => !seen.Contains(e.Key)).Select(e => new CatalogEntry<T>(e.Value, false, true)));
        return merged;
    }

    private async Task<(Dictionary<string, AgentProfileOptions> Profiles, Dictionary<string, TeamOptions> Teams)> EditsAsync(string tenantId, CancellationToken cancellationToken)
    {
        var profiles = new Dictionary<string, AgentProfileOptions>(StringComparer.OrdinalIgnoreCase);
        var teams = new Dictionary<string, TeamOptions>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in await state.ListAsync(EditScope(tenantId), cancellationToken))
        {
            if (entry.Key.StartsWith(ProfileKey, StringComparison.Ordinal) && JsonSerializer.Deserialize<AgentProfileOptions>(entry.Value, Json) is { } profile)
            {
                profiles[entry.Key[ProfileKey.Length..]] = profile;
            }
            else if (entry.Key.StartsWith(TeamKey, StringComparison.Ordinal) && JsonSerializer.Deserialize<TeamOptions>(entry.Value, Json) is { } team)
            {
                teams[entry.Key[TeamKey.Length..]] = team;
            }
        }

        return (profiles, teams);
    }

    private async Task StoreAsync<T>(string tenantId, string key, T value, CancellationToken cancellationToken)
    {
        await state.SetAsync(new StateEntry(EditScope(tenantId), key, JsonSerializer.Serialize(value, Json), time.GetUtcNow()), cancellationToken);
        Notify();
    }

    private void Notify()
    {
        Action[] snapshot;
        lock (gate)
        {
            snapshot = [.. subscribers];
        }

        foreach (var subscriber in snapshot)
        {
            subscriber();
        }
    }

    private sealed class Unsubscriber(TeamCatalog catalog, Action subscriber) : IDisposable
    {
        public void Dispose()
        {
            lock (catalog.gate)
            {
                catalog.subscribers.Remove(subscriber);
            }
        }
    }
}
