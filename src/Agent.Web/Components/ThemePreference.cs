namespace Agent.Web.Components;

/// <summary>Light or dark Radzen theme, remembered in a cookie so the first paint already has the right one.</summary>
public static class ThemePreference
{
    public const string CookieName = "agent-theme";
    public const string Light = "material";
    public const string Dark = "material-dark";

    public static string FromCookie(string? value) => value == Dark ? Dark : Light;
}
