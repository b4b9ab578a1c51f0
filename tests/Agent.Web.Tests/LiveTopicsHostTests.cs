using System.Threading.Channels;
using Agent.Runtime.Mcp;
using Agent.Runtime.Services;
using Agent.Web.Components.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

/// <summary>
/// The session and MCP topics of the live-update channel on the real host and SQLite file: a tenant's session changes
/// reach only that tenant's subscribers, and a change every tenant shares (the MCP server list) reaches all of them.
/// </summary>
public sealed class LiveTopicsHostTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_tenants_session_changes_reach_only_its_own_subscribers()
    {
        await using var app = new AgentAppFactory();
        var live = app.Services.GetRequiredService<LiveUpdates>();
        var sessions = app.Services.GetRequiredService<SessionService>();
        var local = Channel.CreateUnbounded<SessionRecordChange>();
        var other = Channel.CreateUnbounded<SessionRecordChange>();
        using var localSubscription = live.Subscribe(LiveTopics.Sessions, "local", TimeSpan.Zero, batch => WriteAllAsync(local, batch));
        using var otherSubscription = live.Subscribe(LiveTopics.Sessions, "other", TimeSpan.Zero, batch => WriteAllAsync(other, batch));

        var theirs = await sessions.CreateAsync("other", "Theirs", None);
        var ours = await sessions.CreateAsync("local", "Ours", None);
        await sessions.RenameAsync("local", ours.Id, "Renamed", None);
        await sessions.UpdateAsync("other", theirs.Id, null, pinned: true, null, None);

        Assert.Equal(new SessionRecordChange("local", ours.Id), await NextAsync(local));
        Assert.Equal(new SessionRecordChange("local", ours.Id), await NextAsync(local));
        Assert.Equal(new SessionRecordChange("other", theirs.Id), await NextAsync(other));
        Assert.Equal(new SessionRecordChange("other", theirs.Id), await NextAsync(other));

        // The other tenant's last change has been handed out by now, so nothing of theirs waits for "local".
        Assert.False(local.Reader.TryRead(out var leaked), $"tenant local saw {leaked}");
    }

    [Fact]
    public async Task A_reload_of_the_MCP_server_list_reaches_every_tenant()
    {
        await using var app = new AgentAppFactory();
        var live = app.Services.GetRequiredService<LiveUpdates>();
        var local = Channel.CreateUnbounded<McpServersChange>();
        var other = Channel.CreateUnbounded<McpServersChange>();
        using var localSubscription = live.Subscribe(LiveTopics.McpServers, "local", TimeSpan.Zero, batch => WriteAllAsync(local, batch));
        using var otherSubscription = live.Subscribe(LiveTopics.McpServers, "other", TimeSpan.Zero, batch => WriteAllAsync(other, batch));

        await app.Services.GetRequiredService<McpServerManager>().ReloadAsync(None);

        Assert.Equal(new McpServersChange(null), await NextAsync(local));
        Assert.Equal(new McpServersChange(null), await NextAsync(other));
    }

    private static async Task WriteAllAsync<T>(Channel<T> channel, IReadOnlyList<T> batch)
    {
        foreach (var change in batch)
        {
            await channel.Writer.WriteAsync(change);
        }
    }

    private static async Task<T> NextAsync<T>(Channel<T> channel)
    {
        using var timeout = new CancellationTokenSource(Wait);
        return await channel.Reader.ReadAsync(timeout.Token);
    }
}
