using Agent.Domain.Configuration;
using Agent.Runtime.Services;

namespace Agent.Runtime.Teams;

/// <summary>Binding a session to a team: the binding, and the session's agent becomes the team's coordinator.</summary>
public static class TeamBinding
{
    public static async Task<TeamOptions?> BindAsync(string tenantId, Guid sessionId, string? teamId, SessionService sessions, TeamCatalog catalog, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(catalog);
        var team = await catalog.BindSessionAsync(tenantId, sessionId, teamId, cancellationToken);
        if (team is not null && await catalog.FindProfileAsync(tenantId, team.Coordinator, cancellationToken) is not null)
        {
            await sessions.ChangeProfileAsync(tenantId, sessionId, team.Coordinator, cancellationToken);
        }

        return team;
    }
}
