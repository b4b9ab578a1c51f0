using System.Globalization;
using System.Text.RegularExpressions;

namespace Agent.Domain.Configuration;

/// <summary>
/// The lengths and shapes the app accepts at its boundary (HTTP bodies and paths, tool arguments). A value outside them
/// is refused with a plain sentence that states the limit, before any store or file system call sees it.
/// </summary>
public static partial class InputLimits
{
    /// <summary>Profile and team ids: a letter or digit, then letters, digits, '_' or '-'; 64 characters at most.</summary>
    public const int MaxIdLength = 64;

    /// <summary>Profile and team names shown to people.</summary>
    public const int MaxNameLength = 100;

    public const int MaxDescriptionLength = 2_000;

    public const int MaxSystemPromptLength = 20_000;

    public const int MaxSessionTitleLength = 200;

    /// <summary>A workspace path as the tools receive it, relative to the workspace.</summary>
    public const int MaxWorkspacePathLength = 1_024;

    /// <summary>One folder or file name of a workspace path (the common file system limit).</summary>
    public const int MaxPathSegmentLength = 255;

    public const string IdRule = "1-64 characters: a letter or digit, then letters, digits, '_' or '-'";

    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <summary>Why <paramref name="id"/> is not a valid id of <paramref name="what"/> (without echoing a long value), or null.</summary>
    public static string? IdProblem(string what, string? id) =>
        IsValidId(id) ? null : $"{what} id {Shown(id)} is not valid: use {IdRule}.";

    /// <summary>Why <paramref name="value"/> is longer than <paramref name="max"/>, or null.</summary>
    public static string? LengthProblem(string what, string? value, int max) =>
        value is not null && value.Length > max ? string.Create(CultureInfo.InvariantCulture, $"{what} has {value.Length:N0} characters; the limit is {max:N0}.") : null;

    /// <summary>Why a workspace path is too long (as a whole or in one of its names), or null.</summary>
    public static string? PathProblem(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length > MaxWorkspacePathLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The path has {path.Length:N0} characters; the limit is {MaxWorkspacePathLength:N0}.");
        }

        var longest = path.Split('/', '\\').Max(s => s.Length);
        return longest > MaxPathSegmentLength
            ? string.Create(CultureInfo.InvariantCulture, $"A folder or file name in the path has {longest:N0} characters; the limit is {MaxPathSegmentLength}.")
            : null;
    }

    /// <summary>A value quoted for a refusal: short ones as they are, long ones cut, so a refusal never echoes kilobytes.</summary>
    public static string Shown(string? value) => value is null ? "(none)" : value.Length <= 80 ? $"'{value}'" : string.Create(CultureInfo.InvariantCulture, $"'{value[..40]}…' ({value.Length:N0} characters)");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex IdPattern();
}
