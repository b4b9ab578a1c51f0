using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace Agent.Web.Components.Layout;

/// <summary>The frame of the sign-in page: app bar and theme only (the sessions drawer needs a tenant).</summary>
public sealed partial class SignInLayout
{
    private readonly MudTheme theme = AppTheme.Create();
    private bool isDark;
    private bool interactive;

    [Inject]
    public required IJSRuntime JS { get; init; }

    [CascadingParameter]
    public SavedThemeChoice? SavedTheme { get; set; }

    protected override void OnInitialized() => isDark = SavedTheme?.Value == ThemeChoice.Dark;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            await JS.InvokeVoidAsync("agentTheme.apply", isDark ? ThemeChoice.Dark : ThemeChoice.Light);
            interactive = true;
            StateHasChanged();
        }
    }

    private async Task ToggleThemeAsync()
    {
        isDark = !isDark;
        await JS.InvokeVoidAsync("agentTheme.save", ThemeChoice.CookieName, isDark ? ThemeChoice.Dark : ThemeChoice.Light);
    }
}
