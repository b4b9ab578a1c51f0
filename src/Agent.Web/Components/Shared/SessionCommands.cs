using Agent.Runtime.Services;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Agent.Web.Components.Shared;

/// <summary>
/// The one path a chat takes to the trash from the UI (the sidebar's row menu and the chat header's menu): stop its
/// reply, move it to the trash, leave it when it is the open chat, and offer Undo in a snackbar, which restores it (and
/// reopens it when it was open).
/// </summary>
public sealed class SessionCommands(SessionService sessions, ICurrentTenant tenant, ActionRunner actions, ISnackbar snackbar, NavigationManager navigation)
{
    public Task<bool> MoveToTrashAsync(Guid sessionId, CancellationToken cancellationToken) => actions.RunAsync(async () =>
    {
        var wasOpen = IsOpen(sessionId);
        if (await sessions.DeleteAsync(tenant.TenantId, sessionId, cancellationToken) is null)
        {
            throw new KeyNotFoundException("That chat is no longer there.");
        }

        if (wasOpen)
        {
            navigation.NavigateTo("/");
        }

        snackbar.Add("Chat moved to trash", Severity.Normal, options =>
        {
            options.Action = "Undo";
            options.ActionColor = Color.Primary;
            options.CloseAfterNavigation = false;
            options.OnClick = _ => RestoreAsync(sessionId, reopen: wasOpen, CancellationToken.None);
        }, key: $"trash-{sessionId}");
    });

    /// <summary>Takes a chat out of the trash; with <paramref name="reopen"/>, opens it.</summary>
    public Task<bool> RestoreAsync(Guid sessionId, bool reopen, CancellationToken cancellationToken) => actions.RunAsync(async () =>
    {
        if (await sessions.RestoreAsync(tenant.TenantId, sessionId, cancellationToken) is null)
        {
            throw new KeyNotFoundException("That chat is no longer in the trash.");
        }

        if (reopen)
        {
            navigation.NavigateTo($"/chat/{sessionId}");
        }
    });

    private bool IsOpen(Guid sessionId)
    {
        var path = navigation.ToBaseRelativePath(navigation.Uri).Split('?', '#')[0];
        return path.Equals($"chat/{sessionId}", StringComparison.OrdinalIgnoreCase);
    }
}
