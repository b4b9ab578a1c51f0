using System.Text.Json;
using Agent.Domain.Memory;
using Agent.Runtime.Memories;
using Agent.Runtime.Services;
using Agent.Runtime.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

/// <summary>The memory_* tools a team member is offered follow its memory scope (the real registry and stores on a temp SQLite file).</summary>
public sealed class MemberMemoryToolsTests : IDisposable
{
    private readonly AgentAppFactory app = new();

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task A_member_with_scope_none_is_offered_no_memory_tool()
    {
        var (chat, _) = await SessionsAsync();
        var none = await ToolNamesAsync(MemoryScope.ForMember("none", chat, "concise"), chat);
        var whole = await ToolNamesAsync(null, chat);

        Assert.Contains(MemoryTools.Search, whole);
        Assert.DoesNotContain(none, n => n.StartsWith("memory_", StringComparison.Ordinal));
        Assert.Contains("calculator", none);
    }

    [Fact]
    public async Task An_agent_scoped_member_saves_under_its_profile_and_searches_pins_and_forgets_only_what_it_saved()
    {
        var (chat, other) = await SessionsAsync();
        var marker = Guid.NewGuid().ToString("N");
        var memory = app.Services.GetRequiredService<MemoryService>();
        var persons = await memory.SaveAsync("local", MemoryTier.ArchivalFact, $"quokka habitat {marker} from the person", null, MemorySource.Person, chat, null, CancellationToken.None);
        var scope = MemoryScope.ForMember("agent", other, "coder");

        var saved = Json(await InvokeAsync(scope, other, MemoryTools.Save, new() { ["content"] = $"quokka habitat {marker} noted by coder" }));
        var item = await memory.FindAsync("local", saved.GetProperty("id").GetGuid(), CancellationToken.None);
        Assert.Equal("coder", item!.AgentId);
        Assert.Equal(MemorySource.Agent, item.Source);
        Assert.Equal(other, item.SessionId);
        using var client = app.CreateClient();
        var listed = await client.GetStringAsync(new Uri($"/api/memory?q={marker}", UriKind.Relative));
        Assert.Contains("\"agentId\":\"coder\"", listed, StringComparison.Ordinal);
        Assert.Equal("The agent (coder)", Agent.Web.Components.Pages.MemoryViewModel.SourceText(item));

        var found = Json(await InvokeAsync(scope, other, MemoryTools.Search, new() { ["query"] = $"quokka habitat {marker}" }));
        Assert.Equal([item.Id], found.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToArray());

        // The same search from a chat turn finds both.
        var everything = Json(await InvokeAsync(null, other, MemoryTools.Search, new() { ["query"] = $"quokka habitat {marker}" }));
        Assert.Equal(2, everything.GetProperty("items").GetArrayLength());

        var refused = await Assert.ThrowsAsync<ToolException>(() => InvokeAsync(scope, other, MemoryTools.Forget, new() { ["id"] = persons.Id.ToString() }));
        Assert.Equal($"There is no memory item {persons.Id} within this agent's memory scope (agent).", refused.Message);
        await Assert.ThrowsAsync<ToolException>(() => InvokeAsync(scope, other, MemoryTools.Pin, new() { ["id"] = persons.Id.ToString() }));
        Assert.Equal(MemoryTier.ArchivalFact, (await memory.FindAsync("local", persons.Id, CancellationToken.None))!.Tier);

        await InvokeAsync(scope, other, MemoryTools.Pin, new() { ["id"] = item.Id.ToString() });
        Assert.Equal(MemoryTier.PinnedBlock, (await memory.FindAsync("local", item.Id, CancellationToken.None))!.Tier);
    }

    [Fact]
    public async Task A_session_scoped_member_searches_only_its_chats_memory()
    {
        var (chat, other) = await SessionsAsync();
        var marker = Guid.NewGuid().ToString("N");
        var memory = app.Services.GetRequiredService<MemoryService>();
        var mine = await memory.SaveAsync("local", MemoryTier.ArchivalFact, $"wombat burrow {marker} in this chat", null, MemorySource.Person, chat, null, CancellationToken.None);
        await memory.SaveAsync("local", MemoryTier.ArchivalFact, $"wombat burrow {marker} in another chat", null, MemorySource.Person, other, null, CancellationToken.None);
        await memory.SaveAsync("local", MemoryTier.ArchivalFact, $"wombat burrow {marker} in no chat", null, MemorySource.Person, null, null, CancellationToken.None);

        var found = Json(await InvokeAsync(MemoryScope.ForMember("session", chat, "concise"), chat, MemoryTools.Search, new() { ["query"] = $"wombat burrow {marker}" }));

        Assert.Equal([mine.Id], found.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToArray());
    }

    private async Task<(Guid Chat, Guid Other)> SessionsAsync()
    {
        var sessions = app.Services.GetRequiredService<SessionService>();
        return ((await sessions.CreateAsync("local", "chat", CancellationToken.None)).Id, (await sessions.CreateAsync("local", "other", CancellationToken.None)).Id);
    }

    private async Task<IReadOnlyList<string>> ToolNamesAsync(MemoryScope? scope, Guid session) =>
        (await app.Services.GetRequiredService<ToolRegistry>().GetToolsAsync(new TurnToolContext("local", session, null, scope), CancellationToken.None)).Tools.Select(t => t.Spec.Name).ToList();

    private async Task<object?> InvokeAsync(MemoryScope? scope, Guid session, string tool, Dictionary<string, object?> args)
    {
        var tools = await app.Services.GetRequiredService<ToolRegistry>().GetToolsAsync(new TurnToolContext("local", session, null, scope), CancellationToken.None);
        return await tools.Find(tool)!.Function.InvokeAsync(new AIFunctionArguments(args));
    }

    private static JsonElement Json(object? result) => JsonSerializer.SerializeToElement(result);
}
