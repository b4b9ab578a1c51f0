using Agent.Domain.Bootstrap;
using Agent.Domain.Sessions;
using Agent.Web.Chat;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Radzen;

namespace Agent.Web.Components.Pages;

/// <summary>The shell: sessions on the left, the selected panel in the middle.</summary>
public sealed partial class Workbench : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private BootstrapSnapshot? snapshot;
    private IReadOnlyList<ChatSession>? sessions;
    private ChatSession? currentSession;
    private string? loadError;
    private bool sidebarOpen;
    private string search = "";
    private PersistingComponentStateSubscription persisting;

    [Inject]
    public required BootstrapService Bootstrap { get; init; }

    [Inject]
    public required SessionService Sessions { get; init; }

    [Inject]
    public required ChatCoordinator Chat { get; init; }

    [Inject]
    public required PersistentComponentState PrerenderState { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required ILogger<Workbench> Logger { get; init; }

    [Inject]
    public required ThemeService Theme { get; init; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Parameter]
    public Guid? SessionId { get; set; }

    private WorkbenchPanel CurrentPanel => SessionId is not null
        ? WorkbenchPanel.Chat
        : WorkbenchPanel.FromSlug(Navigation.ToBaseRelativePath(Navigation.Uri).Split('?', '#')[0]);

    protected override async Task OnInitializedAsync()
    {
        Sessions.Changed += OnSessionsChanged;
        Chat.SessionChanged += OnChatChanged;

        // The prerendered page hands its state to the interactive one, so the server loads it once per visit.
        persisting = PrerenderState.RegisterOnPersisting(PersistAsync);
        if (PrerenderState.TryTakeFromJson<PrerenderedState>(nameof(Workbench), out var restored) && restored is not null)
        {
            snapshot = restored.Snapshot;
            sessions = restored.Sessions;
        }
        else
        {
            await LoadAsync();
        }
    }

    private Task PersistAsync()
    {
        if (snapshot is not null && sessions is not null)
        {
            PrerenderState.PersistAsJson(nameof(Workbench), new PrerenderedState(snapshot, sessions));
        }

        return Task.CompletedTask;
    }

    protected override async Task OnParametersSetAsync()
    {
        sidebarOpen = false;
        currentSession = SessionId is { } id ? await Sessions.FindAsync(BootstrapService.CurrentTenant, id, disposed.Token) : null;
    }

    private async Task LoadAsync()
    {
        try
        {
            snapshot = await Bootstrap.GetAsync(BootstrapService.CurrentTenant, disposed.Token);
            await LoadSessionsAsync();
            loadError = null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Logger.LogError(ex, "Loading the workbench state failed");
            loadError = $"The server could not load the workbench state: {ex.Message}";
        }
    }

    private async Task LoadSessionsAsync() =>
        sessions = await Sessions.SearchAsync(BootstrapService.CurrentTenant, search, disposed.Token);

    private async Task CreateSessionAsync()
    {
        try
        {
            var session = await Sessions.CreateAsync(BootstrapService.CurrentTenant, null, disposed.Token);
            Navigation.NavigateTo($"/chat/{session.Id}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Keep the circuit alive and say what failed; nothing was half-created.
            Logger.LogError(ex, "Creating a session failed");
            loadError = $"A new chat could not be created: {ex.Message}";
        }
    }

    private bool IsDark => Theme.Theme?.EndsWith("-dark", StringComparison.Ordinal) == true;

    private void ToggleSidebar() => sidebarOpen = !sidebarOpen;

    private async Task ToggleTheme()
    {
        var next = IsDark ? ThemePreference.Light : ThemePreference.Dark;
        Theme.SetTheme(new ThemeOptions { Theme = next, Wcag = true, TriggerChange = true });
        await JS.InvokeVoidAsync("agentTheme.save", disposed.Token, ThemePreference.CookieName, next);
    }

    private void OnSessionsChanged() => _ = InvokeAsync(async () =>
    {
        await LoadAsync();
        StateHasChanged();
    });

    /// <summary>A finished turn changed a session's title and activity time: refresh the sidebar only.</summary>
    private void OnChatChanged(SessionChange change)
    {
        if (change.TurnEnded)
        {
            _ = InvokeAsync(async () =>
            {
                await LoadSessionsAsync();
                StateHasChanged();
            });
        }
    }

    public void Dispose()
    {
        Sessions.Changed -= OnSessionsChanged;
        Chat.SessionChanged -= OnChatChanged;
        persisting.Dispose();
        disposed.Cancel();
        disposed.Dispose();
    }
}

/// <summary>What the prerendered workbench passes to its interactive render.</summary>
public sealed record PrerenderedState(BootstrapSnapshot Snapshot, IReadOnlyList<ChatSession> Sessions);
