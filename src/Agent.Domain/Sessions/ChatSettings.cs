using System.Globalization;
using Agent.Domain.Configuration;
using Agent.Domain.Runtime;

namespace Agent.Domain.Sessions;

/// <summary>
/// A chat's own settings over its agent's: instructions added to the agent's system prompt, and the sampling
/// temperature (null: the provider's default).
/// </summary>
public sealed record ChatSettings(string? SystemPrompt, double? Temperature)
{
    public const double MaxTemperature = 2;

    public static ChatSettings Default { get; } = new(null, null);

    public bool IsDefault => string.IsNullOrWhiteSpace(SystemPrompt) && Temperature is null;

    /// <summary>The settings as a session's state holds them (<see cref="SessionStateKeys"/>).</summary>
    public static ChatSettings From(IReadOnlyDictionary<string, string> sessionState)
    {
        ArgumentNullException.ThrowIfNull(sessionState);
        return new(
            sessionState.TryGetValue(SessionStateKeys.SystemPrompt, out var prompt) ? prompt : null,
            ParseTemperature(sessionState.GetValueOrDefault(SessionStateKeys.Temperature)));
    }

    /// <summary>A temperature as the session's state keeps it (invariant culture), or null.</summary>
    public static double? ParseTemperature(string? stored) =>
        double.TryParse(stored, NumberStyles.Float, CultureInfo.InvariantCulture, out var t) ? t : null;

    public static string FormatTemperature(double temperature) => temperature.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Why these settings cannot be kept, or null.</summary>
    public string? Problem() =>
        InputLimits.LengthProblem("The chat's system prompt", SystemPrompt, InputLimits.MaxSystemPromptLength)
        ?? (Temperature is { } t && (double.IsNaN(t) || t < 0 || t > MaxTemperature)
            ? string.Create(CultureInfo.InvariantCulture, $"The temperature is {t}; it must be between 0 and {MaxTemperature}.")
            : null);
}
