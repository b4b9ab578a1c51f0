namespace Agent.Web.Components;

/// <summary>The person's light/dark choice, remembered in a cookie so the first paint already has it; none follows the system.</summary>
public static class ThemeChoice
{
    public const string CookieName = "agent-theme";
    public const string Light = "light";
    public const string Dark = "dark";

    public static string? Parse(string? value) => value is Light or Dark ? value : null;

    /// <summary>The value of the data-theme attribute on html before the circuit knows the system preference.</summary>
    public static string Attribute(string? saved) => saved ?? "system";
}

/// <summary>Cascaded from the root so the layout starts with the remembered choice.</summary>
public sealed record SavedThemeChoice(string? Value);
