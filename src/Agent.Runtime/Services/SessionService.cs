using Agent.Domain.Configuration;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.Services;

/// <summary>Stops a session's running turn and waits until it has ended (implemented by the chat layer).</summary>
public interface ISessionTurnStopper
{
    Task StopAndWaitAsync(Guid sessionId, CancellationToken cancellationToken);
}

/// <summary>
/// Creates, lists, renames, pins, archives, deletes (to the trash), restores and exports sessions; raises
/// <see cref="Changed"/> so open sidebars refresh. Every method answers null or false for an id the tenant does not own.
/// </summary>
public sealed class SessionService(
    ISessionStore sessions,
    IMessageStore messages,
    IAttachmentStore attachments,
    ProviderCatalog providers,
    IOptions<AgentOptions> options,
    TeamCatalog catalog,
    ISessionTurnStopper turns,
    ChatSettingsStore chatSettings,
    IModelLister modelLister,
    TimeProvider time)
{
    /// <summary>Raised after a session of a tenant was created, changed, moved between shelves or removed.</summary>
    public event Action<SessionRecordChange>? Changed;

    /// <summary>One page of active sessions, pinned first, then most recently active first.</summary>
    public Task<IReadOnlyList<ChatSession>> ListPageAsync(string tenantId, int skip, int take, CancellationToken cancellationToken) =>
        sessions.ListAsync(tenantId, skip, take, cancellationToken);

    /// <summary>One page of archived sessions, pinned first, then most recently active first.</summary>
    public Task<IReadOnlyList<ChatSession>> ListArchivedAsync(string tenantId, int skip, int take, CancellationToken cancellationToken) =>
        sessions.ListAsync(tenantId, SessionShelf.Archived, skip, take, cancellationToken);

    /// <summary>The trash, most recently deleted first; what has been there longer than the trash keeps it is purged first.</summary>
    public async Task<IReadOnlyList<ChatSession>> ListTrashAsync(string tenantId, int skip, int take, CancellationToken cancellationToken)
    {
        if (await sessions.PurgeTrashAsync(tenantId, TrashCutoff(), cancellationToken) > 0)
        {
            Changed?.Invoke(new SessionRecordChange(tenantId, null));
        }

        return await sessions.ListAsync(tenantId, SessionShelf.Trash, skip, take, cancellationToken);
    }

    /// <summary>The session, unless it is in the trash (archived ones are found).</summary>
    public async Task<ChatSession?> FindAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken) =>
        await sessions.FindAsync(tenantId, sessionId, cancellationToken) is { DeletedAt: null } found ? found : null;

    /// <summary>The chat's own instructions and temperature, or null for a session the tenant does not have.</summary>
    public async Task<ChatSettings?> ChatSettingsAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken) =>
        await FindAsync(tenantId, sessionId, cancellationToken) is null ? null : await chatSettings.GetAsync(tenantId, sessionId, cancellationToken);

    /// <summary>Keeps the chat's settings (refused with the reason when out of range); null for a session the tenant does not have.</summary>
    public async Task<ChatSettings?> UpdateChatSettingsAsync(string tenantId, Guid sessionId, ChatSettings settings, CancellationToken cancellationToken)
    {
        if (await FindAsync(tenantId, sessionId, cancellationToken) is null)
        {
            return null;
        }

        await chatSettings.SetAsync(tenantId, sessionId, settings, cancellationToken);
        Changed?.Invoke(new SessionRecordChange(tenantId, sessionId));
        return await chatSettings.GetAsync(tenantId, sessionId, cancellationToken);
    }

    public async Task<ChatSession> CreateAsync(string tenantId, string? title, CancellationToken cancellationToken)
    {
        EnsureTitleFits(title);
        var (provider, model) = providers.Default
            ?? throw new InvalidOperationException("No provider with a model is configured; add one under Agent:Providers in appsettings.json.");
        var now = time.GetUtcNow();
        var profile = options.Value.Profiles.FirstOrDefault()?.Id;
        var session = new ChatSession(Guid.NewGuid(), tenantId, string.IsNullOrWhiteSpace(title) ? "New chat" : title.Trim(), provider.Name, model.Id, profile, null, now, now);
        await sessions.AddAsync(session, cancellationToken);
        Changed?.Invoke(new SessionRecordChange(tenantId, session.Id));
        return session;
    }

    public Task<ChatSession?> RenameAsync(string tenantId, Guid sessionId, string title, CancellationToken cancellationToken) =>
        UpdateAsync(tenantId, sessionId, title, null, null, cancellationToken);

    public Task<IReadOnlyList<ChatSession>> SearchAsync(string tenantId, string text, CancellationToken cancellationToken) =>
        SearchAsync(tenantId, text, 200, cancellationToken);

    public Task<IReadOnlyList<ChatSession>> SearchAsync(string tenantId, string text, int take, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(text) ? ListPageAsync(tenantId, 0, take, cancellationToken) : sessions.SearchAsync(tenantId, text.Trim(), take, cancellationToken);

    /// <summary>
    /// Changes what is given (null: unchanged): the title (not blank, within <see cref="InputLimits.MaxSessionTitleLength"/>),
    /// pinned, archived. Null when the tenant has no such session or it is in the trash.
    /// </summary>
    public async Task<ChatSession?> UpdateAsync(string tenantId, Guid sessionId, string? title, bool? pinned, bool? archived, CancellationToken cancellationToken)
    {
        if (title is not null)
        {
            EnsureTitleValid(title);
        }

        var session = await FindAsync(tenantId, sessionId, cancellationToken);
        if (session is null)
        {
            return null;
        }

        if (title is not null && title.Trim() != session.Title)
        {
            session = session with { Title = title.Trim(), UpdatedAt = time.GetUtcNow() };
            await sessions.UpdateAsync(session, cancellationToken);
        }

        var archive = archived is { } wanted && wanted != session.ArchivedAt is not null;
        if (pinned is not null || archive)
        {
            var archivedAt = archived == true ? time.GetUtcNow() : (DateTimeOffset?)null;
            await sessions.SetShelfAsync(tenantId, sessionId, new ShelfChange(pinned, SetArchived: archive, ArchivedAt: archivedAt), cancellationToken);
            session = session with { Pinned = pinned ?? session.Pinned, ArchivedAt = archive ? archivedAt : session.ArchivedAt };
        }

        Changed?.Invoke(new SessionRecordChange(tenantId, sessionId));
        return session;
    }

    /// <summary>Switches the session's model; refused for an unknown provider or for a model neither configured nor listed by the provider's server, allowed for a blocked one (sending then says why).</summary>
    public async Task<ChatSession?> ChangeModelAsync(string tenantId, Guid sessionId, string providerName, string modelId, CancellationToken cancellationToken)
    {
        var provider = providers.Find(providerName) ?? throw new ArgumentException($"No provider named '{providerName}' is configured.", nameof(providerName));
        if (provider.Models.All(m => m.Id != modelId) && !(await modelLister.ListAsync(provider.Name, cancellationToken)).Models.Contains(modelId, StringComparer.Ordinal))
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
        Changed?.Invoke(new SessionRecordChange(tenantId, sessionId));
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
        Changed?.Invoke(new SessionRecordChange(tenantId, sessionId));
        return changed;
    }

    /// <summary>The tenant's agent profiles as the Team panel edited them over appsettings.json's (the one set the chat and the team runs use).</summary>
    public async Task<IReadOnlyList<AgentProfileOptions>> ProfilesAsync(string tenantId, CancellationToken cancellationToken) =>
        (await catalog.ProfilesAsync(tenantId, cancellationToken)).Select(e => e.Value).ToList();

    /// <summary>
    /// Moves the session to the trash (kept <see cref="SessionShelves.TrashDays"/> days, restorable), after stopping its
    /// running reply and waiting for it to end. Null when the tenant has no such session or it is already in the trash.
    /// </summary>
    public async Task<ChatSession?> DeleteAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken)
    {
        if (await FindAsync(tenantId, sessionId, cancellationToken) is not { } session)
        {
            return null;
        }

        await turns.StopAndWaitAsync(sessionId, cancellationToken);
        var now = time.GetUtcNow();
        if (!await sessions.SetShelfAsync(tenantId, sessionId, new ShelfChange(SetDeleted: true, DeletedAt: now), cancellationToken))
        {
            return null;
        }

        Changed?.Invoke(new SessionRecordChange(tenantId, sessionId));
        return session with { DeletedAt = now };
    }

    /// <summary>Takes the session out of the trash; null when the tenant has no such session in the trash.</summary>
    public async Task<ChatSession?> RestoreAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken)
    {
        if (await sessions.FindAsync(tenantId, sessionId, cancellationToken) is not { DeletedAt: not null } trashed || trashed.DeletedAt < TrashCutoff())
        {
            return null;
        }

        await sessions.SetShelfAsync(tenantId, sessionId, new ShelfChange(SetDeleted: true, DeletedAt: null), cancellationToken);
        Changed?.Invoke(new SessionRecordChange(tenantId, sessionId));
        return trashed with { DeletedAt = null };
    }

    /// <summary>Removes a session in the trash for good (messages, attachments and checkpoints with it); false when it is not in the tenant's trash.</summary>
    public async Task<bool> DeleteForGoodAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken)
    {
        if (await sessions.FindAsync(tenantId, sessionId, cancellationToken) is not { DeletedAt: not null })
        {
            return false;
        }

        var deleted = await sessions.DeleteAsync(tenantId, sessionId, cancellationToken);
        if (deleted)
        {
            Changed?.Invoke(new SessionRecordChange(tenantId, sessionId));
        }

        return deleted;
    }

    /// <summary>Removes for good every tenant's sessions that have been in the trash longer than it keeps them.</summary>
    public async Task<int> PurgeTrashAsync(CancellationToken cancellationToken)
    {
        var purged = await sessions.PurgeTrashAsync(null, TrashCutoff(), cancellationToken);
        if (purged > 0)
        {
            Changed?.Invoke(new SessionRecordChange(null, null));
        }

        return purged;
    }

    /// <summary>The session as a file (see <see cref="SessionExport"/>); null when the tenant has no such session or it is in the trash.</summary>
    public async Task<SessionExportFile?> ExportAsync(string tenantId, Guid sessionId, SessionExportFormat format, CancellationToken cancellationToken)
    {
        if (await FindAsync(tenantId, sessionId, cancellationToken) is not { } session)
        {
            return null;
        }

        var all = await messages.ListBySessionAsync(tenantId, sessionId, cancellationToken);
        var files = format == SessionExportFormat.Json ? await attachments.ListBySessionAsync(tenantId, sessionId, cancellationToken) : [];
        return SessionExport.Create(format, session, all, files, time.GetUtcNow());
    }

    private DateTimeOffset TrashCutoff() => time.GetUtcNow().AddDays(-SessionShelves.TrashDays);

    private static void EnsureTitleValid(string title)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            throw new ArgumentException("A session title cannot be empty.", nameof(title));
        }

        EnsureTitleFits(title);
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
