using Agent.Web.Components.Controls;
using Bunit;

namespace Agent.Web.Tests;

/// <summary>
/// Settings → Browser notifications: what the browser allows, read once the page is interactive, and "Turn on", which asks
/// the browser. The browser's answers come from bUnit's JS interop (the real prompt is covered by BrowserNotificationTests).
/// </summary>
public sealed class NotificationsSectionTests : AgentTestContext
{
    private const string Module = "./Components/Layout/OtherChatNotices.razor.js";

    [Fact]
    public void Not_asked_yet_offers_Turn_on_and_an_allowed_prompt_turns_them_on()
    {
        var module = JSInterop.SetupModule(Module);
        module.Setup<string>("permission").SetResult("default");
        module.Setup<string>("requestPermission").SetResult("granted");

        var section = Render<NotificationsSection>();
        section.WaitForAssertion(() => Assert.Equal("off", section.Find("[data-notifications]").GetAttribute("data-notifications")));

        section.Find("[data-action=enable-notifications]").Click();

        section.WaitForAssertion(() => Assert.Equal("on", section.Find("[data-notifications]").GetAttribute("data-notifications")));
        Assert.Contains("Notifications are on in this browser", section.Markup, StringComparison.Ordinal);
        Assert.Empty(section.FindAll("[data-action=enable-notifications]"));
    }

    [Theory]
    [InlineData("denied", "blocked", "Allow them in the browser's settings for this site")]
    [InlineData("granted", "on", "Notifications are on in this browser")]
    [InlineData("unsupported", "unsupported", "This browser cannot show notifications.")]
    public void What_the_browser_allows_is_said_in_words(string permission, string state, string words)
    {
        JSInterop.SetupModule(Module).Setup<string>("permission").SetResult(permission);

        var section = Render<NotificationsSection>();

        section.WaitForAssertion(() => Assert.Equal(state, section.Find("[data-notifications]").GetAttribute("data-notifications")));
        Assert.Contains(words, section.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void A_prompt_the_person_refuses_says_how_to_allow_them_later()
    {
        var module = JSInterop.SetupModule(Module);
        module.Setup<string>("permission").SetResult("default");
        module.Setup<string>("requestPermission").SetResult("denied");

        var section = Render<NotificationsSection>();
        section.WaitForAssertion(() => section.Find("[data-action=enable-notifications]"));
        section.Find("[data-action=enable-notifications]").Click();

        section.WaitForAssertion(() => Assert.Equal("blocked", section.Find("[data-notifications]").GetAttribute("data-notifications")));
    }
}
