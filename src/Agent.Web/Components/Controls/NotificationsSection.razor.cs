using Agent.Web.Components.Shared;
using Microsoft.AspNetCore.Components;

namespace Agent.Web.Components.Controls;

/// <summary>Settings: whether this browser shows notifications for chats in a background tab, and turning them on.</summary>
public sealed partial class NotificationsSection : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private NotificationPermission? permission;
    private bool asking;

    [Inject]
    public required BrowserNotifications Browser { get; init; }

    private string State => permission switch
    {
        null => "loading",
        NotificationPermission.Granted => "on",
        NotificationPermission.NotAsked => "off",
        NotificationPermission.Denied => "blocked",
        _ => "unsupported",
    };

    // The permission lives in the browser: it is read after the first interactive render (prerendering has no after-render).
    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            permission = await Browser.PermissionAsync(disposed.Token);
            StateHasChanged();
        }
    }

    private async Task TurnOnAsync()
    {
        asking = true;
        try
        {
            permission = await Browser.RequestAsync(disposed.Token);
        }
        finally
        {
            asking = false;
        }
    }

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }
}
