using Agent.Domain.Sessions;
using Agent.Web.Components.Chat;
using Bunit;

namespace Agent.Web.Tests;

/// <summary>The chat settings editor: a draft kept with Save, undone before it, and not overwritten while edited.</summary>
public sealed class ChatSettingsEditorTests : AgentTestContext
{
    private readonly List<ChatSettings> saved = [];

    private IRenderedComponent<ChatSettingsEditor> RenderEditor(ChatSettings settings) =>
        Render<ChatSettingsEditor>(p => p
            .Add(x => x.Settings, settings)
            .Add(x => x.OnSave, s =>
            {
                saved.Add(s);
                return Task.FromResult(true);
            }));

    private static bool SaveDisabled(IRenderedComponent<ChatSettingsEditor> editor) =>
        editor.Find("button[data-save-chat-settings]").HasAttribute("disabled");

    [Fact]
    public void Save_keeps_the_trimmed_draft_and_is_off_until_something_changed()
    {
        var editor = RenderEditor(ChatSettings.Default);
        Assert.True(SaveDisabled(editor));
        Assert.Empty(editor.FindAll("[data-settings-saved]"));

        editor.Find("textarea").Input("  Be brief.  ");
        Assert.False(SaveDisabled(editor));
        editor.Find("button[data-save-chat-settings]").Click();

        Assert.Equal([new ChatSettings("Be brief.", null)], saved);
    }

    [Fact]
    public void Undo_returns_to_the_kept_settings()
    {
        var editor = RenderEditor(new ChatSettings("Be brief.", 0.2));
        Assert.Equal("0.2", editor.Find("[data-temperature-value]").TextContent);
        Assert.Equal("Saved for this chat", editor.Find("[data-settings-saved]").TextContent);

        editor.Find("textarea").Input("Be long-winded.");
        editor.Find("button[data-reset-chat-settings]").Click();

        Assert.Equal("Be brief.", editor.Find("textarea").GetAttribute("value") ?? editor.Find("textarea").TextContent);
        Assert.True(SaveDisabled(editor));
        Assert.Empty(saved);
    }

    [Fact]
    public void A_change_made_elsewhere_shows_unless_the_person_is_editing()
    {
        var editor = RenderEditor(ChatSettings.Default);
        editor.Render(p => p.Add(x => x.Settings, new ChatSettings("From another tab.", null)));
        Assert.Equal("From another tab.", editor.Find("textarea").GetAttribute("value") ?? editor.Find("textarea").TextContent);

        editor.Find("textarea").Input("Mine, not saved yet.");
        editor.Render(p => p.Add(x => x.Settings, new ChatSettings("Again from elsewhere.", 1.5)));

        Assert.Equal("Mine, not saved yet.", editor.Find("textarea").GetAttribute("value") ?? editor.Find("textarea").TextContent);
        Assert.False(SaveDisabled(editor));
    }

    [Fact]
    public void A_temperature_out_of_range_is_explained_and_cannot_be_saved()
    {
        Assert.Equal("The temperature is 2.5; it must be between 0 and 2.", new ChatSettings(null, 2.5).Problem());
        Assert.Null(new ChatSettings(null, 2).Problem());
        Assert.Null(ChatSettings.Default.Problem());
    }
}
