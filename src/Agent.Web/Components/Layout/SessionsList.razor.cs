using Agent.Domain.Sessions;
using Agent.Runtime.Chat;
using Agent.Runtime.Services;
using Agent.Web.Components.Shared;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;

namespace Agent.Web.Components.Layout;

/// <summary>
/// The sessions in the drawer: a page at a time (the browser never holds all of them), searchable, refreshed
/// when a session is created, renamed or deleted, or a turn ends.
/// </summary>
public sealed partial class SessionsList : IDisposable
{
    private const int PageSize = 50;
    private readonly CancellationTokenSource disposed = new();
    private List<ChatSession>? sessions;
    private Guid? activeSessionId;
    private bool hasMore;
    private string search = "";
    private int shown = PageSize;

    [Inject]
    public required ICurrentTenant CurrentTenant { get; init; }

    [Inject]
    public required SessionService Sessions { get; init; }

    [Inject]
    public required ChatCoordinator Chat { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required ActionRunner Actions { get; init; }

    protected override async Task OnInitializedAsync()
    {
        activeSessionId = SessionIdOf(Navigation.Uri);
        Navigation.LocationChanged += OnLocationChanged;
        Sessions.Changed += OnSessionsChanged;
        Chat.SessionChanged += OnChatChanged;
        await ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        var found = await Sessions.SearchAsync(CurrentTenant.TenantId, search, shown + 1, disposed.Token);
        hasMore = found.Count > shown;
        sessions = [.. found.Take(shown)];
    }

    private async Task LoadMoreAsync()
    {
        shown += PageSize;
        await ReloadAsync();
    }

    private Task CreateAsync() => Actions.RunAsync(async () =>
    {
        var session = await Sessions.CreateAsync(CurrentTenant.TenantId, null, disposed.Token);
        Navigation.NavigateTo($"/chat/{session.Id}");
    });

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e) => _ = InvokeAsync(() =>
    {
        activeSessionId = SessionIdOf(e.Location);
        StateHasChanged();
    });

    private void OnSessionsChanged() => _ = InvokeAsync(async () =>
    {
        await ReloadAsync();
        StateHasChanged();
    });

    /// <summary>A finished turn changed a session's title and activity time.</summary>
    private void OnChatChanged(SessionChange change)
    {
        if (change.TurnEnded)
        {
            OnSessionsChanged();
        }
    }

    private Guid? SessionIdOf(string uri)
    {
        var path = Navigation.ToBaseRelativePath(uri).Split('?', '#')[0];
        return path.StartsWith("chat/", StringComparison.OrdinalIgnoreCase) && Guid.TryParse(path["chat/".Length..], out var id) ? id : null;
    }

    public void Dispose()
    {
        Navigation.LocationChanged -= OnLocationChanged;
        Sessions.Changed -= OnSessionsChanged;
        Chat.SessionChanged -= OnChatChanged;
        disposed.Cancel();
        disposed.Dispose();
    }
}
