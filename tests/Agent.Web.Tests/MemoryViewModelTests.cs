using Agent.Data;
using Agent.Domain.Configuration;
using Agent.Domain.Memory;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Runtime.Memories;
using Agent.Web.Components.Pages;
using Agent.Web.Components.Shared;
using Agent.Web.Tests.Runtime;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;

namespace Agent.Web.Tests;

/// <summary>
/// The Memory page's view model on the real stores (a temp SQLite file) for the caller, tenant "local", beside a
/// tenant "other" whose items carry the same words: counts, filters, search, paging, pin, unpin, forget and the words
/// shown for an item.
/// </summary>
public sealed class MemoryViewModelTests : AgentTestContext
{
    private const string Other = "other";
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 15, 30, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly FakeTimeProvider clock = new(Now);

    public MemoryViewModelTests()
    {
        Services.AddSingleton<TimeProvider>(clock);
        Services.AddOptions<AgentOptions>();
        Services.AddAgentData(TestPaths.NewDatabasePath());
        Services.AddSingleton<MemoryService>();
        Services.AddTransient<MemoryViewModel>();
        Services.GetRequiredService<AgentDatabase>().InitializeAsync(None).GetAwaiter().GetResult();
    }

    private MemoryService Memory => Services.GetRequiredService<MemoryService>();

    /// <summary>The view model as the page gets it, for the signed-in caller (the loopback owner, tenant "local").</summary>
    private MemoryViewModel NewModel() => Services.GetRequiredService<MemoryViewModel>();

    [Fact]
    public async Task Only_the_callers_memory_is_counted_listed_searched_pinned_and_forgotten()
    {
        var mine = await SaveAsync("local", MemoryTier.ArchivalFact, "The quokka lives on Rottnest Island.");
        var minePinned = await SaveAsync("local", MemoryTier.PinnedBlock, "Call me Sam.");
        var theirs = await SaveAsync(Other, MemoryTier.ArchivalFact, "The quokka of the other tenant.");
        var theirsPinned = await SaveAsync(Other, MemoryTier.PinnedBlock, "Call me Alex.");
        await AddAsync(Other, MemoryTier.DailyEpisode, "The other tenant's day with a quokka.");
        await AddCheckpointAsync(Other);
        var model = NewModel();
        Assert.Equal("local", model.TenantId);

        await model.LoadCountsAsync(None);

        Assert.Equal(1, model.CountOf(MemoryTier.ArchivalFact));
        Assert.Equal(1, model.CountOf(MemoryTier.PinnedBlock));
        Assert.Equal(0, model.CountOf(MemoryTier.DailyEpisode));
        Assert.Equal(0, model.Checkpoints);
        Assert.Equal("2 items · 1 pinned", model.Badge);

        var theirIds = new[] { theirs.Id, theirsPinned.Id };
        var everything = await model.LoadPageAsync(0, 25, None);
        Assert.Equal(new[] { mine.Id, minePinned.Id }.Order(), everything.Items.Select(i => i.Id).Order());
        Assert.Equal(2, everything.Total);
        foreach (var tier in MemoryViewModel.BrowsableTiers)
        {
            model.SelectTier(MemoryTiers.ToApi(tier));
            var page = await model.LoadPageAsync(0, 25, None);
            Assert.All(page.Items, i => Assert.Equal("local", i.TenantId));
            Assert.DoesNotContain(page.Items, i => theirIds.Contains(i.Id));
        }

        model.SelectTier(null);
        model.SetSearch("quokka");
        var found = await model.LoadPageAsync(0, 25, None);
        Assert.Equal([mine.Id], found.Items.Select(i => i.Id));
        Assert.Equal(1, found.Total);

        // Another tenant's item is not found for the caller, so it is neither pinned nor forgotten.
        await Assert.ThrowsAsync<KeyNotFoundException>(() => model.PinAsync(theirs, None));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => model.UnpinAsync(theirsPinned, None));
        var refused = await Assert.ThrowsAsync<KeyNotFoundException>(() => model.ForgetAsync(theirs, None));
        Assert.Equal("This item was already deleted.", refused.Message);
        Assert.Equal(MemoryTier.ArchivalFact, (await Memory.FindAsync(Other, theirs.Id, None))!.Tier);
        Assert.Equal(MemoryTier.PinnedBlock, (await Memory.FindAsync(Other, theirsPinned.Id, None))!.Tier);
    }

    [Fact]
    public async Task The_page_shows_only_the_callers_items()
    {
        var mine = await SaveAsync("local", MemoryTier.ArchivalFact, "Sam's cat is Miso.");
        var theirs = await SaveAsync(Other, MemoryTier.ArchivalFact, "Alex's cat is Pixel.");
        await AddCheckpointAsync(Other);
        RenderProviders();

        var page = Render<Memory>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-memory-item]")), Wait);
        Assert.Equal(mine.Id.ToString(), page.Find("[data-memory-item]").GetAttribute("data-memory-item"));
        Assert.DoesNotContain(theirs.Id.ToString(), page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Pixel", page.Markup, StringComparison.Ordinal);
        Assert.Equal("1", page.Find("[data-tier-chip=archival]").GetAttribute("data-count"));
        Assert.Contains("checkpoints: 0", page.Find($"[data-tier={MemoryTier.RawHistory}]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_state_goes_from_loading_to_empty_and_to_ready_once_anything_is_stored()
    {
        var model = NewModel();
        Assert.Equal(PanelStateKind.Loading, model.State);
        Assert.Equal("Loading memory…", model.StateMessage);
        Assert.Null(model.Badge);

        await model.LoadCountsAsync(None);
        Assert.Equal(PanelStateKind.Empty, model.State);
        Assert.StartsWith("No memory yet.", model.StateMessage, StringComparison.Ordinal);

        // A checkpoint alone is something remembered.
        await AddCheckpointAsync("local");
        await model.LoadCountsAsync(None);
        Assert.Equal(PanelStateKind.Ready, model.State);
        Assert.Null(model.StateMessage);
        Assert.Equal(1, model.Checkpoints);
        Assert.Equal("0 items · 0 pinned", model.Badge);

        await AddAsync("local", MemoryTier.AttachmentSummary, "A rental contract.");
        await SaveAsync("local", MemoryTier.PinnedBlock, "Call me Sam.");
        await model.LoadCountsAsync(None);
        Assert.Equal(2, model.StoredTotal);
        Assert.Equal("2 items · 1 pinned", model.Badge);
    }

    [Fact]
    public async Task A_tier_chip_and_the_search_narrow_the_page_and_say_what_matched_nothing()
    {
        var fact = await SaveAsync("local", MemoryTier.ArchivalFact, "The ferry leaves Harlingen at 08:45.");
        var pinned = await SaveAsync("local", MemoryTier.PinnedBlock, "Answer briefly.");
        var model = NewModel();
        Assert.Equal(MemoryViewModel.AllTiers, model.TierFilter);
        Assert.Equal("Nothing remembered yet.", model.NoRecordsText);

        model.SelectTier("pinned");
        Assert.Equal([pinned.Id], (await model.LoadPageAsync(0, 25, None)).Items.Select(i => i.Id));
        Assert.Equal("No pinned yet.", model.NoRecordsText);

        model.SelectTier("episode");
        Assert.Empty((await model.LoadPageAsync(0, 25, None)).Items);
        Assert.Equal("No daily episodes yet.", model.NoRecordsText);

        model.SelectTier(null);
        Assert.Equal(MemoryViewModel.AllTiers, model.TierFilter);
        model.SetSearch("ferry");
        Assert.Equal([fact.Id], (await model.LoadPageAsync(0, 25, None)).Items.Select(i => i.Id));
        Assert.Equal("Nothing in memory matches \"ferry\".", model.NoRecordsText);

        model.SelectTier("pinned");
        Assert.Empty((await model.LoadPageAsync(0, 25, None)).Items);
        Assert.Equal("Nothing in pinned matches \"ferry\".", model.NoRecordsText);

        model.SetSearch("  ");
        Assert.Equal("No pinned yet.", model.NoRecordsText);
    }

    [Fact]
    public async Task A_page_is_read_by_index_and_size_newest_first()
    {
        var saved = new List<MemoryItem>();
        for (var i = 0; i < 5; i++)
        {
            saved.Add(await SaveAsync("local", MemoryTier.ArchivalFact, $"Fact number {i}."));
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        var model = NewModel();
        var second = await model.LoadPageAsync(1, 2, None);

        Assert.Equal(5, second.Total);
        Assert.Equal([saved[2].Id, saved[1].Id], second.Items.Select(i => i.Id));
    }

    [Fact]
    public async Task Pin_unpin_and_forget_change_the_item_and_the_counts_read_after_them()
    {
        var fact = await SaveAsync("local", MemoryTier.ArchivalFact, "Sam's cat is Miso.");
        var model = NewModel();
        await model.LoadCountsAsync(None);
        Assert.Equal(0, model.CountOf(MemoryTier.PinnedBlock));

        await model.PinAsync(fact, None);
        await model.LoadCountsAsync(None);
        Assert.Equal(MemoryTier.PinnedBlock, (await Memory.FindAsync("local", fact.Id, None))!.Tier);
        Assert.Equal((1, 0), (model.CountOf(MemoryTier.PinnedBlock), model.CountOf(MemoryTier.ArchivalFact)));

        await model.UnpinAsync(fact, None);
        await model.LoadCountsAsync(None);
        Assert.Equal(MemoryTier.ArchivalFact, (await Memory.FindAsync("local", fact.Id, None))!.Tier);
        Assert.Equal((0, 1), (model.CountOf(MemoryTier.PinnedBlock), model.CountOf(MemoryTier.ArchivalFact)));

        await model.ForgetAsync(fact, None);
        await model.LoadCountsAsync(None);
        Assert.Null(await Memory.FindAsync("local", fact.Id, None));
        Assert.Equal(PanelStateKind.Empty, model.State);

        var again = await Assert.ThrowsAsync<KeyNotFoundException>(() => model.ForgetAsync(fact, None));
        Assert.Equal("This item was already deleted.", again.Message);
    }

    [Fact]
    public async Task A_failed_read_is_the_error_state_and_an_empty_page_until_cleared()
    {
        var store = new FakeMemoryStore(new Dictionary<MemoryTier, int>(), new IOException("database is locked"));
        var model = new MemoryViewModel(FailingService(store), new FakeCheckpointStore(0), new FixedTenant(), clock);

        await model.LoadCountsAsync(None);
        Assert.Equal(PanelStateKind.Error, model.State);
        Assert.Equal("Memory could not be loaded: database is locked", model.StateMessage);

        model.ClearError();
        Assert.Equal(PanelStateKind.Loading, model.State);
        var page = await model.LoadPageAsync(0, 25, None);
        Assert.Empty(page.Items);
        Assert.Equal(0, page.Total);
        Assert.Equal("Memory could not be loaded: database is locked", model.LoadError);
    }

    [Fact]
    public async Task A_cancelled_read_is_passed_on_and_is_not_an_error()
    {
        var model = NewModel();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => model.LoadCountsAsync(cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => model.LoadPageAsync(0, 25, cancelled.Token));

        Assert.Null(model.LoadError);
        Assert.Equal(PanelStateKind.Loading, model.State);
    }

    [Fact]
    public void An_item_says_who_it_came_from_and_links_to_its_file_or_chat()
    {
        var session = Guid.NewGuid();
        var attachment = Guid.NewGuid();
        var item = Item(MemoryTier.ArchivalFact, "Sam's cat is Miso.");

        Assert.Equal("You", MemoryViewModel.SourceText(item));
        Assert.Equal("The agent", MemoryViewModel.SourceText(item with { Source = MemorySource.Agent }));
        Assert.Equal("The agent (coder)", MemoryViewModel.SourceText(item with { Source = MemorySource.Agent, AgentId = "coder" }));
        Assert.Equal("Session summary", MemoryViewModel.SourceText(item with { Source = MemorySource.Session }));
        Assert.Equal("A message", MemoryViewModel.SourceText(item with { Source = MemorySource.Message }));
        Assert.Equal("Attachment", MemoryViewModel.SourceText(item with { Source = MemorySource.Attachment }));

        Assert.Null(MemoryViewModel.SourceLink(item));
        Assert.Equal(($"/chat/{session}", "in chat"), MemoryViewModel.SourceLink(item with { SessionId = session }));
        Assert.Equal(($"/chat/{session}", "message in chat"), MemoryViewModel.SourceLink(item with { SessionId = session, SourceMessageId = Guid.NewGuid() }));
        Assert.Equal(($"/api/attachments/{attachment}/content", "lease.pdf"), MemoryViewModel.SourceLink(item with { SessionId = session, AttachmentId = attachment, Title = "lease.pdf" }));
        Assert.Equal(($"/api/attachments/{attachment}/content", "file"), MemoryViewModel.SourceLink(item with { AttachmentId = attachment }));
    }

    [Fact]
    public void Each_tier_has_its_colour()
    {
        Assert.Equal(Color.Primary, MemoryViewModel.TierColor(MemoryTier.PinnedBlock));
        Assert.Equal(Color.Info, MemoryViewModel.TierColor(MemoryTier.ArchivalFact));
        Assert.Equal(Color.Secondary, MemoryViewModel.TierColor(MemoryTier.DailyEpisode));
        Assert.Equal(Color.Success, MemoryViewModel.TierColor(MemoryTier.AttachmentSummary));
        Assert.Equal(Color.Default, MemoryViewModel.TierColor(MemoryTier.RawHistory));
    }

    [Theory]
    [InlineData(30, "just now")]
    [InlineData(5 * 60, "5 min ago")]
    [InlineData(59 * 60, "59 min ago")]
    [InlineData(3 * 3600, "3 h ago")]
    [InlineData(26 * 3600, "2026-12-06")]
    public void Updated_times_count_back_from_the_clock_and_turn_into_a_date_after_a_day(int secondsAgo, string expected) =>
        Assert.Equal(expected, NewModel().Ago(Now.AddSeconds(-secondsAgo)));

    [Fact]
    public void Forgetting_asks_first_and_shows_at_most_300_characters_of_the_item()
    {
        var confirmation = MemoryViewModel.ForgetConfirmation(Item(MemoryTier.ArchivalFact, new string('a', 301)));

        Assert.Equal("Delete this memory?", confirmation.Title);
        Assert.Equal("The agent will no longer see or recall it. This cannot be undone.", confirmation.Message);
        Assert.Equal("Delete", confirmation.Yes);
        Assert.Equal(new string('a', 300) + "…", confirmation.Detail);
        Assert.Equal(new string('b', 300), MemoryViewModel.Shorten(new string('b', 300)));
    }

    private Task<MemoryItem> SaveAsync(string tenantId, MemoryTier tier, string content) =>
        Memory.SaveAsync(tenantId, tier, content, null, MemorySource.Person, null, null, None);

    /// <summary>Stores an item of a tier only its job writes (episodes, attachment summaries).</summary>
    private async Task AddAsync(string tenantId, MemoryTier tier, string content)
    {
        var item = Item(tier, content) with { TenantId = tenantId };
        await Services.GetRequiredService<IMemoryStore>().AddAsync(item, None);
    }

    private async Task AddCheckpointAsync(string tenantId)
    {
        var session = new ChatSession(Guid.NewGuid(), tenantId, "Trip", "p", "m", null, null, Now, Now);
        await Services.GetRequiredService<ISessionStore>().AddAsync(session, None);
        await Services.GetRequiredService<ICheckpointStore>().AddAsync(new Checkpoint(Guid.NewGuid(), session.Id, tenantId, CheckpointKind.Manual, "Before", null, null, Now), None);
    }

    private static MemoryItem Item(MemoryTier tier, string content) => new(Guid.NewGuid(), "local", null, tier, "", content, Now, Now);

    private MemoryService FailingService(IMemoryStore store) =>
        new(store, new NoRecall(), new NoAttachments(), Options.Create(new AgentOptions()), clock, NullLogger<MemoryService>.Instance);

    private sealed class FixedTenant : Agent.Web.Services.ICurrentTenant
    {
        public string TenantId => "local";
    }
}
