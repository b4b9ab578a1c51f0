using MudBlazor;

namespace Agent.Web.Components;

/// <summary>The one theme of the app: light and dark palettes with contrast that passes axe, and sentence-case buttons.</summary>
public static class AppTheme
{
    public static MudTheme Create() => new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3949ab",
            Secondary = "#00796b",
            AppbarBackground = "#ffffff",
            AppbarText = "#1f2330",
            Background = "#f6f7fb",
            Surface = "#ffffff",
            DrawerBackground = "#fbfbfd",
            DrawerText = "#1f2330",
            TextPrimary = "#1f2330",
            TextSecondary = "#4a5063",
            Success = "#2e7d32",
            Warning = "#8a5a00",
            Error = "#c62828",
            Info = "#1565c0",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#9fa8ff",
            PrimaryContrastText = "#14151c",
            Secondary = "#4dd0c0",
            SecondaryContrastText = "#14151c",
            AppbarBackground = "#1b1d26",
            AppbarText = "#e7e9f2",
            Background = "#14151c",
            Surface = "#1f212b",
            DrawerBackground = "#181a22",
            DrawerText = "#e7e9f2",
            TextPrimary = "#e7e9f2",
            TextSecondary = "#b3b8c9",
            Success = "#81c784",
            SuccessContrastText = "#14151c",
            Warning = "#ffb74d",
            WarningContrastText = "#14151c",
            Error = "#ef9a9a",
            ErrorContrastText = "#14151c",
            Info = "#90caf9",
            InfoContrastText = "#14151c",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Noto Sans", "Helvetica Neue", "Arial", "sans-serif"],
            },

            // Sentence case, as in the chat apps people come from: buttons and tabs keep the case they are written in.
            Button = new ButtonTypography { TextTransform = "none", FontWeight = "500" },
        },
        LayoutProperties = new LayoutProperties { DrawerWidthLeft = "300px", AppbarHeight = "56px" },
    };
}
