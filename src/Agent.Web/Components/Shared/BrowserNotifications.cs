using Microsoft.JSInterop;

namespace Agent.Web.Components.Shared;

/// <summary>What the browser allows for notifications: <see cref="Unsupported"/> when it has no Notification API.</summary>
public enum NotificationPermission
{
    NotAsked,
    Granted,
    Denied,
    Unsupported,
}

/// <summary>
/// The browser's notifications for one tab (circuit): whether the person allowed them, asking for them, and showing one
/// while the tab is in the background. Every call fails soft: a browser without the API or a closing tab only means no
/// notification, never an error on the page.
/// </summary>
public sealed class BrowserNotifications(IJSRuntime js) : IAsyncDisposable
{
    private IJSObjectReference? module;

    public async Task<NotificationPermission> PermissionAsync(CancellationToken cancellationToken) =>
        Parse(await CallAsync<string>("permission", cancellationToken, []));

    /// <summary>Asks the browser (it shows its own prompt once; after a refusal only the site settings can change it).</summary>
    public async Task<NotificationPermission> RequestAsync(CancellationToken cancellationToken) =>
        Parse(await CallAsync<string>("requestPermission", cancellationToken, []));

    /// <summary>Shows <paramref name="body"/> when the tab is hidden and notifications are allowed; a click opens <paramref name="url"/>.</summary>
    public async Task<bool> NotifyIfHiddenAsync(string body, string url, string tag, CancellationToken cancellationToken) =>
        await CallAsync<bool>("notifyIfHidden", cancellationToken, ["Personal Agent Chat", body, url, tag]);

    public async ValueTask DisposeAsync()
    {
        if (module is null)
        {
            return;
        }

        try
        {
            await module.DisposeAsync();
        }
        catch (JSDisconnectedException)
        {
            // The tab is gone, and the module with it.
        }
    }

    private async Task<T?> CallAsync<T>(string function, CancellationToken cancellationToken, object?[] arguments)
    {
        try
        {
            module ??= await js.InvokeAsync<IJSObjectReference>("import", cancellationToken, "./Components/Layout/OtherChatNotices.razor.js");
            return await module.InvokeAsync<T>(function, cancellationToken, arguments);
        }
        catch (Exception ex) when (ex is JSException or JSDisconnectedException or OperationCanceledException or InvalidOperationException)
        {
            // InvalidOperationException: JS interop during prerendering.
            return default;
        }
    }

    private static NotificationPermission Parse(string? permission) => permission switch
    {
        "granted" => NotificationPermission.Granted,
        "denied" => NotificationPermission.Denied,
        "default" => NotificationPermission.NotAsked,
        _ => NotificationPermission.Unsupported,
    };
}
