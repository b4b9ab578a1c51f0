using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// A team run on the real app and the provider emulator, driven by clicks: the chat is bound to the default team in its
/// toolbar, the emulator scripts the coordinator's ask_agent calls, and the Team panel shows the run as a live tree
/// where a branch is stopped, a member's messages and trace are opened, and a run a crash interrupted is resumed.
/// </summary>
public sealed class TeamTests(ChatFixture fixture) : IClassFixture<ChatFixture>
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Long = new() { Timeout = 60_000 };

    [Fact]
    public async Task The_live_tree_shows_both_members_and_stopping_a_branch_lets_the_coordinator_finish()
    {
        var page = await fixture.OpenNewChatAsync();
        await ChatFixture.ChooseAsync(page, "team", "Default team");
        await Workbench.SendAsync(page, "Plan the release [scenario:tool-call] [ask:coder:Count the lines {scenario:long}{delay:150}] [ask:concise:Sum up the plan]");
        await Assertions.Expect(page.Locator("[data-tool-call]")).ToHaveCountAsync(2);

        var team = await Workbench.GoToAsync(page, "team");
        await Assertions.Expect(team).ToHaveAttributeAsync("data-state", "ready");
        var coder = page.Locator("[data-run-node][data-agent=coder]");
        var concise = page.Locator("[data-run-node][data-agent=concise]");
        await Assertions.Expect(coder).ToHaveAttributeAsync("data-status", "running");
        await Assertions.Expect(concise).ToHaveAttributeAsync("data-status", "completed");
        await Assertions.Expect(page.Locator("[data-run-node][data-depth='0']")).ToHaveAttributeAsync("data-status", "running");
        await Assertions.Expect(coder).ToContainTextAsync("Count the lines");

        await Workbench.AtEachScreenAsync(page, async (size, theme) =>
        {
            await Workbench.SaveScreenshotAsync(page, $"team-live-{size}-{theme}", fullPage: true);
        });

        await Workbench.SetThemeAsync(page, "light");
        await Workbench.SetDesktopViewportAsync(page);
        await coder.Locator("[data-action=stop-branch]").ClickAsync();
        await Assertions.Expect(coder).ToHaveAttributeAsync("data-status", "cancelled");
        await Assertions.Expect(coder.Locator("[data-action=stop-branch]")).ToHaveCountAsync(0);

        // A member's messages open from the tree: the task it was given and its answer.
        await concise.Locator("[data-action=open-member]").ClickAsync();
        var messages = page.Locator("[data-member-messages]");
        await Assertions.Expect(messages.Locator("[data-member-task]")).ToContainTextAsync("Sum up the plan");
        await Assertions.Expect(messages.Locator("[data-member-reply]")).ToContainTextAsync("You said: Sum up the plan");
        await Workbench.SaveScreenshotAsync(page, "team-member-messages-desktop-light");
        await page.Locator("[data-action=close-member]").ClickAsync();
        await Assertions.Expect(messages).ToHaveCountAsync(0);

        // The coordinator finishes once the stopped branch has answered; its toast and the stop's would cover the dialog's title.
        await Assertions.Expect(page.Locator("[data-run-node][data-depth='0']")).ToHaveAttributeAsync("data-status", "completed", Long);
        var replyToast = page.Locator(".mud-snackbar").Filter(new() { HasText = "has a new reply." });
        await Assertions.Expect(replyToast).ToHaveCountAsync(1);
        await replyToast.Locator(".mud-snackbar-close-button").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0, new() { Timeout = 20_000 });

        // A member's trace opens from its node: that execution's own model call, pictured at both widths in both themes.
        var conciseRun = await concise.GetAttributeAsync("data-run-node");
        await Workbench.AtEachScreenAsync(page, async (size, theme) =>
        {
            var openTrace = concise.Locator($"[data-action=open-trace][data-run='{conciseRun}']");
            if (size == "phone")
            {
                Assert.True(await openTrace.BoundingBoxAsync() is { Height: >= 44 }, "The Trace action is under 44 px tall on a phone.");
                Assert.False(await Workbench.ScrollsSidewaysAsync(page), "The Team panel scrolls sideways on a phone.");
            }

            await openTrace.ClickAsync();
            var detail = page.Locator($"[data-detail='{conciseRun}']");
            await Assertions.Expect(page.Locator(".mud-dialog-title")).ToContainTextAsync("Concise · Team task");
            await Assertions.Expect(detail.Locator("[data-execution-id]")).ToHaveTextAsync(conciseRun!);
            await Assertions.Expect(detail.Locator("[data-timeline]")).ToHaveAttributeAsync("data-state", "ready");
            var call = detail.Locator("[data-timeline] [data-kind=provider_call]");
            await Assertions.Expect(call).ToHaveCountAsync(1);
            await Assertions.Expect(call).ToContainTextAsync("emulator/emulator-model");
            await Assertions.Expect(call).ToHaveAttributeAsync("data-outcome", "ok");
            if (size == "phone")
            {
                Assert.False(await Workbench.ScrollsSidewaysAsync(page), "The trace dialog scrolls sideways on a phone.");
            }

            await Workbench.SaveScreenshotAsync(page, $"team-trace-{size}-{theme}");
            await page.Locator("[data-action=close-detail]").ClickAsync();
            await Assertions.Expect(detail).ToHaveCountAsync(0);
        });

        await Workbench.SetThemeAsync(page, "light");
        await Workbench.SetDesktopViewportAsync(page);

        // Profiles and teams are edited in dialogs; a bad edit is refused with the problem, not stored.
        await page.Locator("[data-action=edit-profile][data-profile=coder]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-profile-form=coder]")).ToBeVisibleAsync();
        await page.Locator("#profile-name").FillAsync("");
        await page.Locator("#profile-name").PressAsync("Tab");
        await Assertions.Expect(page.Locator("[data-profile-form=coder]")).ToContainTextAsync("Required"); // the change reached the server
        await page.Locator("[data-action=save-profile]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-form-errors]")).ToContainTextAsync("Agent:Profiles:2:Name: is empty.");
        await Workbench.SaveScreenshotAsync(page, "team-profile-dialog-desktop-light");
        await page.Locator("[data-action=cancel-profile]").ClickAsync();
        await page.Locator("[data-action=edit-team][data-team=default]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-team-form=default]")).ToBeVisibleAsync();
        await Workbench.SaveScreenshotAsync(page, "team-team-dialog-desktop-light");
        await page.Locator("[data-action=cancel-team]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-profile-row=coder]")).ToContainTextAsync("Coder");

        // The coordinator got both results and finished; its ask_agent card opens the member's messages too.
        await page.GoBackAsync();
        await Assertions.Expect(page.Locator("section[data-panel=chat]")).ToHaveCountAsync(1);
        var reply = page.Locator("article.role-assistant").Last;
        await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "complete", Long);
        await Assertions.Expect(reply).ToContainTextAsync("Coder was stopped before finishing");
        await Assertions.Expect(reply).ToContainTextAsync("You said: Sum up the plan");
        await reply.Locator("[data-tool-call=call_ask_2] [data-action=open-member-from-card]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-member-messages] [data-member-task]")).ToContainTextAsync("Sum up the plan");
        await page.Locator("[data-action=close-member]").ClickAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_team_run_a_crash_interrupted_shows_its_interrupted_member_and_resumes()
    {
        var page = await fixture.OpenNewChatAsync();
        var sessionUrl = page.Url;
        await ChatFixture.ChooseAsync(page, "team", "Default team");
        await Workbench.SendAsync(page, "Crash the team [scenario:tool-call] [ask:coder:Count after the crash {scenario:long}{delay:30}]");
        await Workbench.GoToAsync(page, "team");
        await Assertions.Expect(page.Locator("[data-run-node][data-agent=coder]")).ToHaveAttributeAsync("data-status", "running");

        await fixture.RestartAppAsync(); // SIGKILL, then a new process on the same database
        await page.Context.CloseAsync();
        page = await fixture.NewPageAsync();
        await Workbench.OpenAsync(page);
        await Workbench.GoToAsync(page, "team");

        var coder = page.Locator("[data-run-node][data-agent=coder]");
        await Assertions.Expect(coder).ToHaveAttributeAsync("data-status", "interrupted");
        var alert = page.Locator("[data-interrupted-members]");
        await Assertions.Expect(alert).ToContainTextAsync("A restart interrupted one member: Coder.");
        await Workbench.SaveScreenshotAsync(page, "team-interrupted-desktop-light", fullPage: true);

        await page.Locator("[data-action=resume-run]").ClickAsync();
        await Assertions.Expect(coder).ToHaveAttributeAsync("data-status", "completed", Long);
        await Assertions.Expect(alert).ToHaveCountAsync(0);

        // The coordinator's interrupted reply goes on with the member's answer.
        await page.GotoAsync(new Uri(sessionUrl).PathAndQuery);
        var reply = page.Locator("article.role-assistant").Last;
        await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "complete", Long);
        await Assertions.Expect(reply).ToContainTextAsync("The tools answered:");
        await Assertions.Expect(reply).ToContainTextAsync("word400");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_profile_added_in_the_Team_panel_can_be_chosen_as_the_chats_agent()
    {
        var page = await fixture.OpenNewChatAsync();
        var marker = Guid.NewGuid().ToString("N")[..8];
        var team = await Workbench.GoToAsync(page, "team");
        await Assertions.Expect(team).ToHaveAttributeAsync("data-state", "ready");
        await page.Locator("[data-action=add-profile]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-profile-form=new]")).ToBeVisibleAsync();
        await page.Locator("#profile-id").FillAsync($"reviewer{marker}");
        await page.Locator("#profile-name").FillAsync($"Reviewer {marker}");
        await page.Locator("#profile-prompt").FillAsync($"You review pull requests {marker}.");
        await page.Locator("#profile-prompt").PressAsync("Tab");
        await page.Locator("[data-action=save-profile]").ClickAsync();
        await Assertions.Expect(page.Locator($"[data-profile-row=reviewer{marker}]")).ToContainTextAsync($"Reviewer {marker}");

        await page.GoBackAsync();
        var chat = page.Locator("section[data-panel=chat]");
        await Assertions.Expect(chat).ToHaveCountAsync(1);
        await ChatFixture.ChooseAsync(page, "profile", $"Reviewer {marker}");
        await Assertions.Expect(chat).ToHaveAttributeAsync("data-agent-profile", $"reviewer{marker}");
        await Workbench.SaveScreenshotAsync(page, "team-added-profile-in-chat-desktop-light");

        // The chosen profile is what the chat sends.
        await Workbench.SendAsync(page, $"Review this {marker}");
        await Assertions.Expect(page.Locator("article.role-assistant").Last).ToHaveAttributeAsync("data-status", "complete", Long);
        Assert.Contains(fixture.Emulator.Requests.All(), r => r.Body.Contains($"You review pull requests {marker}.", StringComparison.Ordinal) && r.Body.Contains($"Review this {marker}", StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }
}
