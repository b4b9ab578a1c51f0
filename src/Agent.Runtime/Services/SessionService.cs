using Agent.Domain.Configuration;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Runtime.Teams;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.Services;

/// <summary>Creates, lists, renames and deletes sessions; raises <see cref="Changed"/> so open sidebars refresh.</summary>
public sealed class SessionService(ISessionStore sessions, ProviderCatalog providers, IOptions<AgentOptions> options, TeamCatalog catalog, TimeProvider time)
{
    public event Action? Changed;

    /// <summary>One page of sessions, most recently active first.</summary>
    public Task<IReadOnlyList<ChatSession>> ListPageAsync(string tenantId, int skip, int take, CancellationToken cancellationToken) =>
        sessions.ListAsync(tenantId, skip, take, cancellationToken);

    public Task<ChatSession?> FindAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken) =>
        sessions.FindAsync(tenantId, sessionId, cancellationToken);

    public async Task<ChatSession> CreateAsync(string tenantId, string? title, CancellationToken cancellationToken)
    {
        EnsureTitleFits(title);
        var (provider, model) = providers.Default
            ?? throw new InvalidOperationException("No provider with a model is configured; add one under Agent:Providers in appsettings.json.");
        var now = time.GetUtcNow();
        var profile = options.Value.Profiles.FirstOrDefault()?.Id;
        var session = new ChatSession(Guid.NewGuid(), tenantId, string.IsNullOrWhiteSpace(title) ? "New chat" : title.Trim(), provider.Name, model.Id, profile, null, now, now);
        await sessions.AddAsync(session, cancellationToken);
        Changed?.Invoke();
        return session;
    }

    public async Task<ChatSession?> RenameAsync(string tenantId, Guid sessionId, string title, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            throw new ArgumentException("A session title cannot be empty.", nameof(title));
        }

        EnsureTitleFits(title);

        var session = await sessions.FindAsync(tenantId, sessionId, cancellationToken);
        if (session is null)
        {
            return null;
        }

        var renamed = session with { Title = title.Trim(), UpdatedAt = time.GetUtcNow() };
        await sessions.UpdateAsync(renamed, cancellationToken);
        Changed?.Invoke();
        return renamed;
    }

    public Task<IReadOnlyList<ChatSession>> SearchAsync(string tenantId, string text, CancellationToken cancellationToken) =>
        SearchAsync(tenantId, text, 200, cancellationToken);

    public Task<IReadOnlyList<ChatSession>> SearchAsync(string tenantId, string text, int take, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(text) ? ListPageAsync(tenantId, 0, take, cancellationToken) : sessions.SearchAsync(tenantId, text.Trim(), take, cancellationToken);

    /// <summary>Switches the session's model; refused for an unknown provider or model, allowed for a blocked one (sending then says why).</summary>
    public async Task<ChatSession?> ChangeModelAsync(string tenantId, Guid sessionId, string providerName, string modelId, CancellationToken cancellationToken)
    {
        var provider = providers.Find(providerName) ?? throw new ArgumentException($"No provider named '{providerName}' is configured.", nameof(providerName));
        if (provider.Models.All(m => m.Id != modelId))
        {
            throw new ArgumentException($"Provider '{provider.Name}' has no model '{modelId}'.", nameof(modelId));
        }

        var session = await sessions.FindAsync(tenantId, sessionId, cancellationToken);
        if (session is null)
        {
            return null;
        }

        var changed = session with { ProviderName = provider.Name, ModelId = modelId, UpdatedAt = time.GetUtcNow() };
        await sessions.UpdateAsync(changed, cancellationToken);
        Changed?.Invoke();
        return changed;
    }

    /// <summary>Switches the session's agent profile (null: no profile); refused for an id the tenant's profiles (file and Team panel) do not have.</summary>
    public async Task<ChatSession?> ChangeProfileAsync(string tenantId, Guid sessionId, string? profileId, CancellationToken cancellationToken)
    {
        if (profileId is not null && await catalog.FindProfileAsync(tenantId, profileId, cancellationToken) is null)
        {
            throw new ArgumentException($"No agent profile '{profileId}' is configured.", nameof(profileId));
        }

        var session = await sessions.FindAsync(tenantId, sessionId, cancellationToken);
        if (session is null)
        {
            return null;
        }

        var changed = session with { AgentProfileId = profileId, UpdatedAt = time.GetUtcNow() };
        await sessions.UpdateAsync(changed, cancellationToken);
        Changed?.Invoke();
        return changed;
    }

    /// <summary>The tenant's agent profiles as the Team panel edited them over appsettings.json's (the one set the chat and the team runs use).</summary>
    public async Task<IReadOnlyList<AgentProfileOptions>> ProfilesAsync(string tenantId, CancellationToken cancellationToken) =>
        (await catalog.ProfilesAsync(tenantId, cancellationToken)).Select(e => e.Value).ToList();

    public async Task<bool> DeleteAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken)
    {
        var deleted = await sessions.DeleteAsync(tenantId, sessionId, cancellationToken);
        if (deleted)
        {
            Changed?.Invoke();
        }

        return deleted;
    }

    private static void EnsureTitleFits(string? title)
    {
        if (Agent.Domain.Configuration.InputLimits.LengthProblem("The title", title?.Trim(), Agent.Domain.Configuration.InputLimits.MaxSessionTitleLength) is { } problem)
        {
            throw new ArgumentException(problem);
        }
    }

    /// <summary>Binds a session to a team (or unbinds it with null); the session's agent becomes the team's coordinator.</summary>
    public async Task<TeamOptions?> BindTeamAsync(string tenantId, Guid sessionId, string? teamId, CancellationToken cancellationToken)
    {
        var team = await catalog.BindSessionAsync(tenantId, sessionId, teamId, cancellationToken);
        if (team is not null && await catalog.FindProfileAsync(tenantId, team.Coordinator, cancellationToken) is not null)
        {
            await ChangeProfileAsync(tenantId, sessionId, team.Coordinator, cancellationToken);
        }

        return team;
    }
}
