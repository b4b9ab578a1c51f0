using System.Globalization;
using Agent.Domain.Configuration;
using Agent.Domain.Sessions;
using Agent.Runtime.Chat;
using Agent.Runtime.Services;
using Agent.Web.Components.Shared;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;

namespace Agent.Web.Components.Layout;

/// <summary>
/// The sessions in the drawer: a page at a time (the browser never holds all of them), grouped (pinned, then by day),
/// searchable with the match marked in titles, each with a menu (rename, pin, archive, export, delete to the trash
/// with undo); the archived chats and the trash open in place of the list. Refreshed when a session is created,
/// changed or deleted, or a turn ends.
/// </summary>
public sealed partial class SessionsList : IAsyncDisposable
{
    private const int PageSize = 50;
    private const int MaxTitleLength = InputLimits.MaxSessionTitleLength;
    private const int TrashDays = SessionShelves.TrashDays;
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;
    private readonly CancellationTokenSource disposed = new();
    private List<ChatSession>? sessions;
    private IDisposable? sessionsSubscription;
    private Guid? activeSessionId;
    private bool hasMore;
    private string search = "";
    private int shown = PageSize;
    private SidebarView view = SidebarView.Chats;
    private Guid? renamingId;
    private string renameText = "";
    private IJSObjectReference? module;

    private enum SidebarView
    {
        Chats,
        Archived,
        Trash,
    }

    [Inject]
    public required ICurrentTenant CurrentTenant { get; init; }

    [Inject]
    public required SessionService Sessions { get; init; }

    [Inject]
    public required ChatCoordinator Chat { get; init; }

    [Inject]
    public required LiveUpdates Live { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required ActionRunner Actions { get; init; }

    [Inject]
    public required SessionCommands Commands { get; init; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    private string ViewSlug => view.ToString().ToLowerInvariant();

    private string EmptyText => view switch
    {
        SidebarView.Archived => "No archived chats.",
        SidebarView.Trash => "The trash is empty.",
        _ => string.IsNullOrWhiteSpace(search) ? "No sessions yet. Start one with New chat." : $"No session matches \"{search}\".",
    };

    protected override async Task OnInitializedAsync()
    {
        activeSessionId = SessionIdOf(Navigation.Uri);
        Navigation.LocationChanged += OnLocationChanged;
        sessionsSubscription = Live.Subscribe(LiveTopics.Sessions, CurrentTenant.TenantId, TimeSpan.FromMilliseconds(200), _ => InvokeAsync(ReloadAndRenderAsync));
        Chat.SessionChanged += OnChatChanged;
        await ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        var tenant = CurrentTenant.TenantId;
        var found = view switch
        {
            SidebarView.Archived => await Sessions.ListArchivedAsync(tenant, 0, shown + 1, disposed.Token),
            SidebarView.Trash => await Sessions.ListTrashAsync(tenant, 0, shown + 1, disposed.Token),
            _ => await Sessions.SearchAsync(tenant, search, shown + 1, disposed.Token),
        };
        hasMore = found.Count > shown;
        sessions = [.. found.Take(shown)];
    }

    private async Task LoadMoreAsync()
    {
        shown += PageSize;
        await ReloadAsync();
    }

    private async Task ShowAsync(SidebarView next)
    {
        view = next;
        shown = PageSize;
        renamingId = null;
        sessions = null;
        await ReloadAsync();
    }

    private Task CreateAsync() => Actions.RunAsync(async () =>
    {
        var session = await Sessions.CreateAsync(CurrentTenant.TenantId, null, disposed.Token);
        Navigation.NavigateTo($"/chat/{session.Id}");
    });

    private void StartRename(ChatSession session)
    {
        renamingId = session.Id;
        renameText = session.Title;
    }

    private async Task SaveRenameAsync()
    {
        if (renamingId is not { } id)
        {
            return;
        }

        if (await Actions.RunAsync(() => Sessions.UpdateAsync(CurrentTenant.TenantId, id, renameText, null, null, disposed.Token)))
        {
            renamingId = null;
        }
    }

    private async Task RenameKeyAsync(KeyboardEventArgs e)
    {
        if (e.Key == "Enter")
        {
            await SaveRenameAsync();
        }
        else if (e.Key == "Escape")
        {
            renamingId = null;
        }
    }

    private Task TogglePinAsync(ChatSession session) =>
        Actions.RunAsync(() => Sessions.UpdateAsync(CurrentTenant.TenantId, session.Id, null, !session.Pinned, null, disposed.Token));

    private Task ToggleArchiveAsync(ChatSession session)
    {
        var archive = session.ArchivedAt is null;
        return Actions.RunAsync(
            () => Sessions.UpdateAsync(CurrentTenant.TenantId, session.Id, null, null, archive, disposed.Token),
            success: archive ? "Chat archived" : "Chat moved back to chats");
    }

    private Task DeleteAsync(ChatSession session) => Commands.MoveToTrashAsync(session.Id, disposed.Token);

    private Task RestoreAsync(ChatSession session) => Actions.RunAsync(
        () => Sessions.RestoreAsync(CurrentTenant.TenantId, session.Id, disposed.Token),
        success: "Chat restored");

    private Task DeleteForGoodAsync(ChatSession session) => Actions.RunAsync(
        () => Sessions.DeleteForGoodAsync(CurrentTenant.TenantId, session.Id, disposed.Token),
        success: "Chat deleted for good",
        confirm: new Confirmation("Delete for good", $"Delete \"{session.Title}\" and all its messages for good? This cannot be undone.", "Delete for good"));

    /// <summary>Downloads the export through a link with a download attribute, which the router leaves to the browser.</summary>
    private Task ExportAsync(ChatSession session, string format) => Actions.RunAsync(async () =>
    {
        module ??= await JS.InvokeAsync<IJSObjectReference>("import", disposed.Token, "./Components/Layout/SessionsList.razor.js");
        await module.InvokeVoidAsync("download", disposed.Token, $"/api/sessions/{session.Id}/export?format={format}");
    });

    private DateTimeOffset Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Time.LocalTimeZone);

    /// <summary>The time of day under Today and Yesterday (the heading says the day), the date elsewhere.</summary>
    private string When(ChatSession session, SessionGroup group)
    {
        var local = Local(session.UpdatedAt);
        return group.Slug is "today" or "yesterday" ? local.ToString("HH:mm", Culture) : local.ToString("MMM d", Culture);
    }

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e) => _ = InvokeAsync(() =>
    {
        activeSessionId = SessionIdOf(e.Location);
        StateHasChanged();
    });

    private async Task ReloadAndRenderAsync()
    {
        await ReloadAsync();
        StateHasChanged();
    }

    /// <summary>A finished turn changed a session's title and activity time (it may move up into the first page).</summary>
    private void OnChatChanged(SessionChange change)
    {
        if (change.TurnEnded)
        {
            _ = InvokeAsync(ReloadAndRenderAsync);
        }
    }

    private Guid? SessionIdOf(string uri)
    {
        var path = Navigation.ToBaseRelativePath(uri).Split('?', '#')[0];
        return path.StartsWith("chat/", StringComparison.OrdinalIgnoreCase) && Guid.TryParse(path["chat/".Length..], out var id) ? id : null;
    }

    public async ValueTask DisposeAsync()
    {
        Navigation.LocationChanged -= OnLocationChanged;
        sessionsSubscription?.Dispose();
        Chat.SessionChanged -= OnChatChanged;
        await disposed.CancelAsync();
        disposed.Dispose();
        if (module is not null)
        {
            try
            {
                await module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone, and the module with it.
            }
        }
    }
}
