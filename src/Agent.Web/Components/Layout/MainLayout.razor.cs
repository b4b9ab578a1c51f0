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
        currentPanel = WorkbenchPanel.FromUri(Navigation.ToBaseRelativePath(Navigation.Uri));
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

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e) => _ = InvokeAsync(() =>
    {
        currentPanel = WorkbenchPanel.FromUri(Navigation.ToBaseRelativePath(e.Location));
        StateHasChanged();
    });

    public void Dispose() => Navigation.LocationChanged -= OnLocationChanged;
}
