using System.Text.Json;
using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>Streaming chat in real Chromium against the real app and the provider emulator over real HTTP.</summary>
[Collection("chat")]
public sealed class ChatTests(ChatFixture fixture) : IClassFixture<ChatFixture>
{
    private static readonly string LongReply = string.Concat(Enumerable.Range(1, 400).Select(i => $"word{i} "));

    [Fact]
    public async Task An_answer_streams_in_and_ends_exactly_as_the_emulator_sent_it()
    {
        var page = await OpenNewChatAsync();

        await Workbench.SendAsync(page, "Tell me a long story [scenario:long] [delay:5]");

        var reply = page.Locator("article.role-assistant").Last;
        await Assertions.Expect(reply.Locator("[data-live=true]")).ToBeVisibleAsync();
        await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "complete", new() { Timeout = 30_000 });
        Assert.Equal(LongReply.Trim(), (await reply.Locator(".message-body").InnerTextAsync()).Trim());
        await Assertions.Expect(reply.Locator("[data-meta]")).ToContainTextAsync("emulator · emulator-model · sandbox");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Stop_aborts_the_provider_request_keeps_the_partial_text_and_the_next_turn_sees_it()
    {
        var page = await OpenNewChatAsync();
        var before = fixture.Emulator.Requests.All().Count;

        await Workbench.SendAsync(page, "Count slowly [scenario:long] [delay:40]");
        var reply = page.Locator("article.role-assistant").Last;
        await Assertions.Expect(reply.Locator("[data-live=true]")).ToContainTextAsync("word5");
        await page.Locator("#composer-input").PressAsync("Escape");

        await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "cancelled");
        var partial = (await reply.Locator(".message-body").InnerTextAsync()).Trim();
        Assert.StartsWith("word1 word2 word3 word4 word5", partial, StringComparison.Ordinal);
        Assert.DoesNotContain("word400", partial, StringComparison.Ordinal);
        var streamed = fixture.Emulator.Requests.All().Skip(before).Single(r => r.Stream);
        await WaitUntilAsync(() => streamed.ClientAborted, "the emulator saw the client abort the stream");

        await Workbench.SendAsync(page, "And now? [delay:1]");
        await Assertions.Expect(page.Locator("article.role-assistant").Last).ToHaveAttributeAsync("data-status", "complete");
        var next = fixture.Emulator.Requests.All().Skip(before).Last(r => r.Stream);
        var sentMessages = JsonDocument.Parse(next.Body).RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("content").GetString()).ToList();
        Assert.Contains(partial, sentMessages.Select(c => c?.Trim()));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_reload_mid_stream_replays_the_saved_text_and_attaches_to_the_live_tail_without_loss()
    {
        var page = await OpenNewChatAsync();
        await Workbench.SendAsync(page, "Long one [scenario:long] [delay:15]");
        await Assertions.Expect(page.Locator("article.role-assistant [data-live=true]")).ToContainTextAsync("word20");

        await page.ReloadAsync();

        var reply = page.Locator("article.role-assistant").Last;
        await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "complete", new() { Timeout = 30_000 });
        Assert.Equal(LongReply.Trim(), (await reply.Locator(".message-body").InnerTextAsync()).Trim());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_crash_mid_stream_keeps_the_saved_text_marked_interrupted_and_retry_completes()
    {
        var page = await OpenNewChatAsync();
        var sessionUrl = page.Url;
        await Workbench.SendAsync(page, "Crash test [scenario:long] [delay:25]");
        await Assertions.Expect(page.Locator("article.role-assistant [data-live=true]")).ToContainTextAsync("word30");
        await WaitForSavedTextAsync(sessionUrl);

        await fixture.RestartAppAsync(); // SIGKILL, then a new process on the same database
        await page.Context.CloseAsync();
        page = await fixture.NewPageAsync();
        await page.GotoAsync(new Uri(sessionUrl).PathAndQuery);

        var reply = page.Locator("article.role-assistant").Last;
        await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "interrupted");
        var saved = (await reply.Locator(".message-body").InnerTextAsync()).Trim();
        Assert.StartsWith("word1 word2 word3", saved, StringComparison.Ordinal);
        Assert.DoesNotContain("word400", saved, StringComparison.Ordinal);
        await Assertions.Expect(reply.Locator(".message-error")).ToContainTextAsync("The server stopped while this reply was streaming");
        await Assertions.Expect(reply.GetByRole(AriaRole.Button, new() { Name = "Continue" })).ToBeVisibleAsync();

        await page.Locator("[data-interactive=true]").WaitForAsync();
        await reply.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();

        var retried = page.Locator("article.role-assistant").Last;
        await Assertions.Expect(retried.Locator("[data-branch-position]")).ToHaveTextAsync("2 / 2");
        await Assertions.Expect(retried).ToHaveAttributeAsync("data-status", "complete", new() { Timeout = 30_000 });
        Assert.Equal(LongReply.Trim(), (await retried.Locator(".message-body").InnerTextAsync()).Trim());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Regenerate_creates_a_branch_the_person_can_switch_between()
    {
        var page = await OpenNewChatAsync();
        await Workbench.SendAsync(page, "First answer please [delay:1]");
        var reply = page.Locator("article.role-assistant").Last;
        await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "complete");
        var first = await reply.Locator(".message-body").InnerTextAsync();

        await reply.GetByRole(AriaRole.Button, new() { Name = "Regenerate" }).ClickAsync();

        await Assertions.Expect(page.Locator("article.role-assistant [data-branch-position]")).ToHaveTextAsync("2 / 2");
        await Assertions.Expect(page.Locator("article.role-assistant").Last).ToHaveAttributeAsync("data-status", "complete");
        await page.GetByRole(AriaRole.Button, new() { Name = "Previous branch" }).ClickAsync();
        await Assertions.Expect(page.Locator("article.role-assistant [data-branch-position]")).ToHaveTextAsync("1 / 2");
        Assert.Equal(first, await page.Locator("article.role-assistant").Last.Locator(".message-body").InnerTextAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_draft_survives_a_reload_and_up_edits_the_last_message_into_a_new_branch()
    {
        var page = await OpenNewChatAsync();
        await Workbench.SendAsync(page, "Original question [delay:1]");
        await Assertions.Expect(page.Locator("article.role-assistant").Last).ToHaveAttributeAsync("data-status", "complete");

        var composer = page.Locator("#composer-input");
        await composer.FillAsync("half-typed thought");
        await page.ReloadAsync();
        await page.Locator("[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.Locator("#composer-input")).ToHaveValueAsync("half-typed thought");

        await page.Locator("#composer-input").FillAsync("");
        await page.Locator("#composer-input").PressAsync("ArrowUp");
        await Assertions.Expect(page.Locator("#composer-input")).ToHaveValueAsync("Original question [delay:1]");
        await page.Locator("#composer-input").FillAsync("Edited question [delay:1]");
        await page.Locator("#composer-input").PressAsync("Enter");

        await Assertions.Expect(page.Locator("article.role-user [data-branch-position]")).ToHaveTextAsync("2 / 2");
        await Assertions.Expect(page.Locator("article.role-user .user-text")).ToHaveTextAsync("Edited question [delay:1]");
        await Assertions.Expect(page.Locator("article.role-assistant").Last).ToHaveAttributeAsync("data-status", "complete");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_chosen_agent_profile_is_sent_as_the_system_message()
    {
        var page = await OpenNewChatAsync();
        var before = fixture.Emulator.Requests.All().Count;
        await ChatFixture.ChooseAsync(page, "profile", "Coder");
        await Assertions.Expect(page.Locator("section[data-panel=chat]")).ToHaveAttributeAsync("data-agent-profile", "coder");

        await Workbench.SendAsync(page, "Review my code [delay:1]");

        await Assertions.Expect(page.Locator("article.role-assistant").Last).ToHaveAttributeAsync("data-status", "complete");
        var sent = JsonDocument.Parse(fixture.Emulator.Requests.All().Skip(before).Last(r => r.Stream).Body).RootElement.GetProperty("messages")[0];
        Assert.Equal("system", sent.GetProperty("role").GetString());
        Assert.StartsWith("You are a careful software engineer.", sent.GetProperty("content").GetString(), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Hostile_markdown_from_the_model_renders_inert()
    {
        var page = await OpenNewChatAsync();
        var dialogs = 0;
        page.Dialog += (_, dialog) =>
        {
            dialogs++;
            _ = dialog.DismissAsync();
        };

        await Workbench.SendAsync(page, "Be hostile [scenario:hostile-markdown] [delay:1]");

        var reply = page.Locator("article.role-assistant").Last;
        await Assertions.Expect(reply).ToHaveAttributeAsync("data-status", "complete");
        Assert.Equal(0, await reply.Locator("script, iframe, object, embed, [onerror], [onclick], [onload]").CountAsync());
        foreach (var href in await reply.Locator("a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href') || '')"))
        {
            Assert.DoesNotContain("javascript:", href, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Contains("<script", await reply.Locator(".message-body").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, dialogs);
        await page.Context.CloseAsync();
    }

    private Task<IPage> OpenNewChatAsync() => fixture.OpenNewChatAsync();


    /// <summary>Waits until a flush has written part of the streaming reply to the database (read through the API).</summary>
    private async Task WaitForSavedTextAsync(string sessionUrl)
    {
        var sessionId = new Uri(sessionUrl).Segments[^1];
        using var client = new HttpClient { BaseAddress = fixture.App.BaseAddress };
        for (var i = 0; i < 200; i++)
        {
            var json = await client.GetStringAsync($"api/sessions/{sessionId}/messages?skip=0&take=50");
            if (json.Contains("word3 ", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("No streamed text was saved within 10 s.");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(condition(), what);
    }
}
