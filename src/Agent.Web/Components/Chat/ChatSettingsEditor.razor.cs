using System.Globalization;
using Agent.Domain.Sessions;
using Microsoft.AspNetCore.Components;

namespace Agent.Web.Components.Chat;

public sealed partial class ChatSettingsEditor
{
    private const double TypicalDefault = 1.0;
    private ChatSettings? shown;
    private string? prompt;
    private bool customTemperature;
    private double temperature = TypicalDefault;
    private bool saving;

    /// <summary>The settings as kept.</summary>
    [Parameter]
    [EditorRequired]
    public required ChatSettings Settings { get; set; }

    /// <summary>Keeps the draft; answers whether it was kept.</summary>
    [Parameter]
    [EditorRequired]
    public required Func<ChatSettings, Task<bool>> OnSave { get; set; }

    private ChatSettings Draft => new(string.IsNullOrWhiteSpace(prompt) ? null : prompt.Trim(), customTemperature ? Math.Round(temperature, 1) : null);

    private bool IsDirty => Draft != Normalized(Settings);

    private string? Problem => Draft.Problem();

    private string TemperatureText => temperature.ToString("0.0", CultureInfo.InvariantCulture);

    private string TemperatureHint => temperature switch
    {
        <= 0.5 => "focused, repeatable",
        <= 1.2 => "balanced",
        _ => "varied, more surprising",
    };

    protected override void OnParametersSet()
    {
        // A change made elsewhere (another tab, the API) replaces the draft only while the person has not edited it.
        if (!ReferenceEquals(shown, Settings) && (shown is null || Draft == Normalized(shown)))
        {
            Reset();
        }

        shown = Settings;
    }

    private static ChatSettings Normalized(ChatSettings settings) =>
        new(string.IsNullOrWhiteSpace(settings.SystemPrompt) ? null : settings.SystemPrompt.Trim(), settings.Temperature is { } t ? Math.Round(t, 1) : null);

    private void Reset()
    {
        prompt = Settings.SystemPrompt;
        customTemperature = Settings.Temperature is not null;
        temperature = Settings.Temperature ?? TypicalDefault;
    }

    private void ToggleTemperature(bool on) => customTemperature = on;

    private async Task SaveAsync()
    {
        saving = true;
        try
        {
            await OnSave(Draft);
        }
        finally
        {
            saving = false;
        }
    }
}
