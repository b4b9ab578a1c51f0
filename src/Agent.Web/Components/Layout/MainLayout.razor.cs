using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.JSInterop;
using MudBlazor;

namespace Agent.Web.Components.Layout;

/// <summary>
/// The shell: app bar with panel links and the theme toggle, the sessions drawer (persistent on desktop,
/// temporary on a phone) and the routed page. Marks itself interactive once the circuit runs, so tests and
/// people click only when clicks count.
/// </summary>
public sealed partial class MainLayout : IDisposable
{
    private readonly MudTheme theme = AppTheme.Create();
    private MudThemeProvider? themeProvider;
    private WorkbenchPanel currentPanel = WorkbenchPanel.Chat;
    private bool drawerOpen = true;
    private bool isDark;
    private bool interactive;
    private string? choice;
    private string chatHref = WorkbenchPanel.Chat.Href;

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required Services.PrincipalTenant Caller { get; init; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Inject]
    public required IBrowserViewportService Viewport { get; init; }

    [CascadingParameter]
    public SavedThemeChoice? SavedTheme { get; set; }

    protected override void OnInitialized()
    {
        choice = SavedTheme?.Value;
        isDark = choice == ThemeChoice.Dark;
        Follow(Navigation.Uri);
        Navigation.LocationChanged += OnLocationChanged;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender || !RendererInfo.IsInteractive)
        {
            return;
        }

        if (choice is null && themeProvider is not null)
        {
            isDark = await themeProvider.GetSystemDarkModeAsync();
            await themeProvider.WatchSystemDarkModeAsync(OnSystemDarkModeChangedAsync);
        }

        await JS.InvokeVoidAsync("agentTheme.apply", isDark ? ThemeChoice.Dark : ThemeChoice.Light);

        // The prerender cannot know the width: on a phone the drawer starts closed, decided before the page reports
        // itself interactive so it never opens and then closes under the person's first tap.
        if (await Viewport.IsBreakpointWithinWindowSizeAsync(Breakpoint.SmAndDown))
        {
            drawerOpen = false;
        }

        interactive = true;
        StateHasChanged();
    }

    private async Task OnSystemDarkModeChangedAsync(bool dark)
    {
        if (choice is null)
        {
            isDark = dark;
            await JS.InvokeVoidAsync("agentTheme.apply", isDark ? ThemeChoice.Dark : ThemeChoice.Light);
            StateHasChanged();
        }
    }

    private async Task ToggleThemeAsync()
    {
        isDark = !isDark;
        choice = isDark ? ThemeChoice.Dark : ThemeChoice.Light;
        await JS.InvokeVoidAsync("agentTheme.save", ThemeChoice.CookieName, choice);
    }

    private void ToggleDrawer() => drawerOpen = !drawerOpen;

    /// <summary>The Chat link returns to the chat last shown, not to an empty "no session selected" page.</summary>
    private string HrefOf(WorkbenchPanel panel) => panel == WorkbenchPanel.Chat ? chatHref : panel.Href;

    private void Follow(string uri)
    {
        var path = Navigation.ToBaseRelativePath(uri).Split('?', '#')[0];
        currentPanel = WorkbenchPanel.FromUri(path);
        if (path.StartsWith("chat/", StringComparison.OrdinalIgnoreCase))
        {
            chatHref = "/" + path;
        }
    }

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e) => _ = InvokeAsync(async () =>
    {
        Follow(e.Location);

        // On a phone the drawer covers the page: once a session or panel is chosen, show it.
        if (drawerOpen && interactive && await Viewport.IsBreakpointWithinWindowSizeAsync(Breakpoint.SmAndDown))
        {
            drawerOpen = false;
        }

        StateHasChanged();
    });

    public void Dispose() => Navigation.LocationChanged -= OnLocationChanged;
}
