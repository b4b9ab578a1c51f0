using Agent.Data.Stores;
using Agent.Domain.Memory;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Agent.Data.Tests;

/// <summary>Recall over the FTS5 index on a real SQLite file: quality on a seeded corpus, threshold, tenancy, index upkeep.</summary>
public sealed class MemoryRecallTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Fts5_is_compiled_into_the_bundled_sqlite()
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_compileoption_used('ENABLE_FTS5');";
        Assert.Equal(1L, (long)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Recall_on_the_seeded_corpus_ranks_each_topic_first_and_gives_unrelated_questions_nothing()
    {
        await using var db = new TempDatabase();
        await using var services = await db.OpenInitializedAsync();
        var relevant = await SeedCorpusAsync(services);
        var recall = services.GetRequiredService<IMemoryRecall>();

        var precisions = new List<double>();
        for (var t = 0; t < RecallCorpus.Topics.Length; t++)
        {
            var topic = RecallCorpus.Topics[t];
            var found = await recall.RecallAsync("local", topic.Question, 5, None);
            var hits = found.Count(r => relevant[t].Contains(r.Item.Id));
            var precision = hits / 5.0;
            precisions.Add(precision);
            output.WriteLine($"P@5={precision:0.00} ({hits}/5, {found.Count} returned)  {topic.Question}");
            Assert.NotEmpty(found);
            Assert.Contains(found[0].Item.Id, relevant[t]);
        }

        var mean = precisions.Average();
        output.WriteLine($"precision@5 over {precisions.Count} questions: mean {mean:0.000}, min {precisions.Min():0.00}");
        Assert.True(mean >= 0.7, $"mean precision@5 is {mean:0.000}");

        foreach (var question in RecallCorpus.Unrelated)
        {
            var found = await recall.RecallAsync("local", question, 5, None);
            output.WriteLine($"unrelated: {found.Count} recalled  {question}");
            Assert.Empty(found);
        }
    }

    /// <summary>
    /// Every judged (question, memory) pair of <see cref="RecallCorpus.Pairs"/> through the real recall over one store that
    /// holds all the memories: a pair counts as recalled when its memory is among what the question recalls. Take is 10,
    /// more than any question has related memories, so the threshold decides what comes back, not the cut-off.
    /// </summary>
    [Fact]
    public async Task Recall_holds_its_threshold_on_the_labelled_corpus()
    {
        const int take = 10;
        await using var db = new TempDatabase();
        await using var services = await db.OpenInitializedAsync();
        var ids = await SeedLabelledAsync(services);
        var recall = services.GetRequiredService<IMemoryRecall>();

        int truePositives = 0, falsePositives = 0, falseNegatives = 0, outside = 0;
        var pairs = RecallCorpus.Pairs().ToList();
        foreach (var question in pairs.GroupBy(p => p.Question))
        {
            var found = (await recall.RecallAsync("local", question.Key, take, None)).Select(r => r.Item.Id).ToHashSet();
            foreach (var (_, text, related) in question)
            {
                var recalled = found.Contains(ids[text]);
                (truePositives, falsePositives, falseNegatives) = (recalled, related) switch
                {
                    (true, true) => (truePositives + 1, falsePositives, falseNegatives),
                    (true, false) => (truePositives, falsePositives + 1, falseNegatives),
                    (false, true) => (truePositives, falsePositives, falseNegatives + 1),
                    _ => (truePositives, falsePositives, falseNegatives),
                };
                if (recalled != related)
                {
                    output.WriteLine($"{(related ? "missed" : "wrongly recalled")}: {text}  <- {question.Key}");
                }
            }

            var judged = question.Select(p => ids[p.Text]).ToHashSet();
            foreach (var id in found.Where(id => !judged.Contains(id)))
            {
                outside++;
                output.WriteLine($"recalled outside the judged pairs: {ids.First(p => p.Value == id).Key}  <- {question.Key}");
            }
        }

        var relatedPairs = pairs.Count(p => p.Related);
        var precision = truePositives + falsePositives == 0 ? 0 : (double)truePositives / (truePositives + falsePositives);
        var recallShare = (double)truePositives / relatedPairs;
        output.WriteLine(FormattableString.Invariant(
            $"recall precision {precision:0.000} at recall {recallShare:0.000} over {pairs.Count} pairs ({relatedPairs} related, {pairs.Count - relatedPairs} unrelated)"));
        output.WriteLine($"memories recalled outside the judged pairs of their question (not counted): {outside}");
        Assert.True(pairs.Count >= 200, $"{pairs.Count} pairs");
        Assert.True(precision >= 0.9 && recallShare >= 0.8, FormattableString.Invariant($"precision {precision:0.000}, recall {recallShare:0.000}"));
    }

    [Fact]
    public async Task Recall_skips_pinned_blocks_other_tenants_and_follows_edits_and_deletes()
    {
        await using var db = new TempDatabase();
        await using var services = await db.OpenInitializedAsync();
        var store = services.GetRequiredService<IMemoryStore>();
        var recall = services.GetRequiredService<IMemoryRecall>();
        var fact = Item(MemoryTier.ArchivalFact, "The spare key is under the blue flowerpot.");
        var pinned = Item(MemoryTier.PinnedBlock, "Always answer about the flowerpot key in French.");
        var foreign = Item(MemoryTier.ArchivalFact, "The flowerpot key of another tenant.") with { TenantId = "other" };
        await store.AddAsync(fact, None);
        await store.AddAsync(pinned, None);
        await store.AddAsync(foreign, None);
        await store.AddAsync(Item(MemoryTier.ArchivalFact, "Tomatoes grow in the greenhouse."), None);
        await store.AddAsync(Item(MemoryTier.ArchivalFact, "The bus leaves at nine."), None);

        var found = await recall.RecallAsync("local", "Where is the spare key?", 5, None);
        Assert.Equal([fact.Id], found.Select(f => f.Item.Id));

        // A recalled item carries who saved it, so a team member's scope is decided without reading it again.
        var saved = Item(MemoryTier.ArchivalFact, "The courier code for the loading dock is 4471.") with { Source = MemorySource.Agent, AgentId = "coder" };
        await store.AddAsync(saved, None);
        Assert.Equal("coder", Assert.Single(await recall.RecallAsync("local", "loading dock courier code", 5, None)).Item.AgentId);

        await store.UpdateAsync(fact with { Content = "The spare key now hangs in the garage." }, None);
        Assert.Equal("The spare key now hangs in the garage.", Assert.Single(await recall.RecallAsync("local", "spare key", 5, None)).Item.Content);
        Assert.Empty(await recall.RecallAsync("local", "flowerpot", 5, None)); // the pinned one only, never recalled

        Assert.True(await store.DeleteAsync("local", fact.Id, None));
        Assert.Empty(await recall.RecallAsync("local", "spare key", 5, None));
    }

    [Fact]
    public async Task Messages_are_recalled_as_raw_history_and_follow_streaming_updates()
    {
        await using var db = new TempDatabase();
        await using var services = await db.OpenInitializedAsync();
        var session = new ChatSession(Guid.NewGuid(), "local", "Trip", "deterministic", "scripted-echo", null, null, T0, T0);
        await services.GetRequiredService<ISessionStore>().AddAsync(session, None);
        var messages = services.GetRequiredService<IMessageStore>();
        var reply = Message(session.Id, MessageRole.Assistant, "The ferry to", MessageStatus.Streaming);
        await messages.AddAsync(Message(session.Id, MessageRole.User, "Book the ferry", MessageStatus.Complete), None);
        await messages.AddAsync(reply, None);
        await messages.UpdateAsync(reply with { Parts = [new TextPart("The ferry to Hydra departs from Piraeus at 7.")], Status = MessageStatus.Complete }, None);
        await services.GetRequiredService<IMemoryStore>().AddAsync(Item(MemoryTier.ArchivalFact, "Cows eat grass."), None);

        var found = await services.GetRequiredService<IMemoryRecall>().RecallAsync("local", "When does the Hydra ferry leave Piraeus?", 5, None);
        var top = found[0].Item;
        Assert.Equal(MemoryTier.RawHistory, top.Tier);
        Assert.Equal(reply.Id, top.Id);
        Assert.Equal(session.Id, top.SessionId);
        Assert.Equal("The ferry to Hydra departs from Piraeus at 7.", top.Content);
        Assert.Equal(2, (await services.GetRequiredService<IMemoryStore>().CountByTierAsync("local", None))[MemoryTier.RawHistory]);
    }

    [Fact]
    public async Task A_chat_in_the_trash_is_not_recalled_and_comes_back_when_restored()
    {
        await using var db = new TempDatabase();
        await using var services = await db.OpenInitializedAsync();
        var sessions = services.GetRequiredService<ISessionStore>();
        var recall = services.GetRequiredService<IMemoryRecall>();
        var trashed = new ChatSession(Guid.NewGuid(), "local", "Ferry", "deterministic", "scripted-echo", null, null, T0, T0);
        await sessions.AddAsync(trashed, None);
        var message = Message(trashed.Id, MessageRole.User, "The ferry to Hydra departs from Piraeus at seven.", MessageStatus.Complete);
        await services.GetRequiredService<IMessageStore>().AddAsync(message, None);
        var chatItem = Item(MemoryTier.AttachmentSummary, "Hydra ferry timetable: Piraeus departures at seven and at noon.") with { SessionId = trashed.Id };
        var tenantFact = Item(MemoryTier.ArchivalFact, "I get seasick on the Hydra ferry from Piraeus.");
        await services.GetRequiredService<IMemoryStore>().AddAsync(chatItem, None);
        await services.GetRequiredService<IMemoryStore>().AddAsync(tenantFact, None);
        foreach (var unrelated in new[] { "Cows eat grass.", "The dentist moved my appointment to Friday.", "Our cat is called Miso.", "The boiler is serviced every October." })
        {
            await services.GetRequiredService<IMemoryStore>().AddAsync(Item(MemoryTier.ArchivalFact, unrelated), None);
        }

        const string question = "When does the Hydra ferry leave Piraeus?";
        Assert.Equal(3, (await recall.RecallAsync("local", question, 5, None)).Count);

        await sessions.SetShelfAsync("local", trashed.Id, new ShelfChange(SetDeleted: true, DeletedAt: T0), None);

        Assert.Equal([tenantFact.Id], (await recall.RecallAsync("local", question, 5, None)).Select(r => r.Item.Id));
        Assert.Empty(await recall.RecallInScopeAsync("local", MemoryScope.ForMember("session", trashed.Id, "concise"), question, 5, None));

        await sessions.SetShelfAsync("local", trashed.Id, new ShelfChange(SetDeleted: true, DeletedAt: null), None);

        Assert.Equal(new[] { message.Id, chatItem.Id, tenantFact.Id }.Order(), (await recall.RecallAsync("local", question, 5, None)).Select(r => r.Item.Id).Order());
    }

    [Fact]
    public async Task A_scope_is_applied_inside_the_query_so_its_items_come_back_however_many_others_rank_above_them()
    {
        await using var db = new TempDatabase();
        await using var services = await db.OpenInitializedAsync();
        var store = services.GetRequiredService<IMemoryStore>();
        var recall = services.GetRequiredService<IMemoryRecall>();
        var chat = new ChatSession(Guid.NewGuid(), "local", "Harbour", "deterministic", "scripted-echo", null, null, T0, T0);
        await services.GetRequiredService<ISessionStore>().AddAsync(chat, None);
        var elsewhere = Guid.NewGuid();

        // 80 items of another chat say "harbour crane inspection" three times; the chat's own say it once among other words.
        for (var i = 0; i < 80; i++)
        {
            await store.AddAsync(Item(MemoryTier.ArchivalFact, $"Harbour crane inspection, harbour crane inspection, harbour crane inspection {i}.") with { SessionId = elsewhere }, None);
        }

        var chats = Item(MemoryTier.ArchivalFact, "The harbour crane inspection is booked for Thursday with the port authority and two divers.") with { SessionId = chat.Id };
        var coders = Item(MemoryTier.ArchivalFact, "Harbour crane inspection notes: the coder wrote the checklist script and the report template.") with { Source = MemorySource.Agent, AgentId = "coder" };
        await store.AddAsync(chats, None);
        await store.AddAsync(coders, None);
        var message = Message(chat.Id, MessageRole.User, "Who books the harbour crane inspection this time, and which divers come along?", MessageStatus.Complete);
        await services.GetRequiredService<IMessageStore>().AddAsync(message, None);

        const string question = "harbour crane inspection";
        var whole = await recall.RecallAsync("local", question, 5, None);
        Assert.DoesNotContain(whole, r => r.Item.Id == chats.Id || r.Item.Id == coders.Id || r.Item.Id == message.Id);

        var session = await recall.RecallInScopeAsync("local", MemoryScope.ForMember("session", chat.Id, "concise"), question, 5, None);
        Assert.Equal(new[] { chats.Id, message.Id }.Order(), session.Select(r => r.Item.Id).Order());

        var agent = await recall.RecallInScopeAsync("local", MemoryScope.ForMember("agent", chat.Id, "coder"), question, 5, None);
        Assert.Equal([coders.Id], agent.Select(r => r.Item.Id));

        Assert.Empty(await recall.RecallInScopeAsync("local", MemoryScope.ForMember("none", chat.Id, "coder"), question, 5, None));
        Assert.Empty(await recall.RecallInScopeAsync("other", MemoryScope.ForMember("session", chat.Id, "concise"), question, 5, None));
    }

    [Fact]
    public async Task Every_tier_reads_back_after_a_restart_with_its_source_and_stays_searchable()
    {
        await using var db = new TempDatabase();
        var sessionId = Guid.NewGuid();
        var messageId = Guid.NewGuid();
        var attachmentId = Guid.NewGuid();
        var items = new[]
        {
            Item(MemoryTier.PinnedBlock, "Call me Sam.") with { Source = MemorySource.Person },
            Item(MemoryTier.ArchivalFact, "Sam's favourite tea is genmaicha.") with { Source = MemorySource.Agent, SessionId = sessionId, SourceMessageId = messageId },
            Item(MemoryTier.DailyEpisode, "Talked about green tea.") with { Source = MemorySource.Session, SessionId = sessionId, Day = new DateOnly(2026, 11, 22) },
            Item(MemoryTier.AttachmentSummary, "tea-menu.pdf lists twelve teas.") with { Source = MemorySource.Attachment, SessionId = sessionId, AttachmentId = attachmentId },
        };
        await using (var services = await db.OpenInitializedAsync())
        {
            var session = new ChatSession(sessionId, "local", "Tea", "deterministic", "scripted-echo", null, null, T0, T0);
            await services.GetRequiredService<ISessionStore>().AddAsync(session, None);
            await services.GetRequiredService<IMessageStore>().AddAsync(Message(sessionId, MessageRole.User, "I love genmaicha tea", MessageStatus.Complete) with { Id = messageId }, None);
            foreach (var item in items)
            {
                await services.GetRequiredService<IMemoryStore>().AddAsync(item, None);
            }
        }

        SqliteConnection.ClearAllPools();
        await using var reopened = await db.OpenInitializedAsync();
        var store = reopened.GetRequiredService<IMemoryStore>();
        foreach (var item in items)
        {
            Assert.Equal(item, await store.FindAsync("local", item.Id, None));
            Assert.Equal(item, Assert.Single((await store.ListAsync("local", item.Tier, 0, 10, None))));
        }

        Assert.Equal(items[2], await store.FindEpisodeAsync("local", sessionId, new DateOnly(2026, 11, 22), None));
        var counts = await store.CountByTierAsync("local", None);
        Assert.All(Enum.GetValues<MemoryTier>(), t => Assert.Equal(1, counts[t]));
        var search = await store.SearchAsync("local", null, "genmai", 0, 10, None);
        Assert.Equal([items[1].Id], search.Items.Select(i => i.Id));
        var recalled = await reopened.GetRequiredService<IMemoryRecall>().RecallAsync("local", "genmaicha", 5, None);
        Assert.Equal(new HashSet<Guid> { items[1].Id, messageId }, recalled.Select(r => r.Item.Id).ToHashSet());
    }

    /// <summary>Stores the corpus (plus the other topics as distractors) and returns the ids relevant to each topic.</summary>
    internal static async Task<List<HashSet<Guid>>> SeedCorpusAsync(IServiceProvider services)
    {
        var session = new ChatSession(Guid.NewGuid(), "local", "Corpus", "deterministic", "scripted-echo", null, null, T0, T0);
        await services.GetRequiredService<ISessionStore>().AddAsync(session, None);
        var store = services.GetRequiredService<IMemoryStore>();
        var messages = services.GetRequiredService<IMessageStore>();
        var relevant = new List<HashSet<Guid>>();
        foreach (var topic in RecallCorpus.Topics)
        {
            var ids = new HashSet<Guid>();
            for (var i = 0; i < topic.Items.Length; i++)
            {
                var text = topic.Items[i];
                var tier = RecallCorpus.TierOf(i, text);
                if (tier == MemoryTier.RawHistory)
                {
                    var message = Message(session.Id, MessageRole.User, text, MessageStatus.Complete);
                    await messages.AddAsync(message, None);
                    ids.Add(message.Id);
                }
                else
                {
                    var item = Item(tier, text) with { SessionId = session.Id };
                    await store.AddAsync(item, None);
                    ids.Add(item.Id);
                }
            }

            relevant.Add(ids);
        }

        return relevant;
    }

    /// <summary>Stores each distinct memory of the labelled corpus once and returns its id by text.</summary>
    private static async Task<Dictionary<string, Guid>> SeedLabelledAsync(IServiceProvider services)
    {
        var session = new ChatSession(Guid.NewGuid(), "local", "Labelled", "deterministic", "scripted-echo", null, null, T0, T0);
        await services.GetRequiredService<ISessionStore>().AddAsync(session, None);
        var store = services.GetRequiredService<IMemoryStore>();
        var messages = services.GetRequiredService<IMessageStore>();
        var memories = RecallCorpus.Topics.SelectMany(t => t.Items.Select((text, i) => (text, RecallCorpus.TierOf(i, text))))
            .Concat(RecallCorpus.Judgements.SelectMany(j => j.Related.Concat(j.Unrelated)).Select(text => (text, RecallCorpus.TierOf(text))));
        var ids = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var (text, tier) in memories)
        {
            if (ids.ContainsKey(text))
            {
                continue;
            }

            if (tier == MemoryTier.RawHistory)
            {
                var message = Message(session.Id, MessageRole.User, text.StartsWith("Me: ", StringComparison.Ordinal) ? text[4..] : text, MessageStatus.Complete);
                await messages.AddAsync(message, None);
                ids[text] = message.Id;
            }
            else
            {
                var item = Item(tier, text) with { SessionId = session.Id };
                await store.AddAsync(item, None);
                ids[text] = item.Id;
            }
        }

        return ids;
    }

    [Fact]
    public async Task A_common_words_count_kept_between_questions_recalls_the_same_as_counting_it_again()
    {
        await using var db = new TempDatabase();
        await using (var seeding = await db.OpenInitializedAsync())
        {
            // A word in more items than MemoryRecall.CommonWordItems: its count is kept after the first question.
            await using var connection = new SqliteConnection(AgentDatabase.ConnectionStringFor(db.FilePath));
            await connection.OpenAsync();
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO memory_items (Id, TenantId, SessionId, Tier, Title, Content, CreatedAt, UpdatedAt, Source) VALUES ($id, 'local', NULL, 'ArchivalFact', '', $content, $at, $at, 'Agent')";
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var content = insert.Parameters.Add("$content", SqliteType.Text);
            insert.Parameters.AddWithValue("$at", T0.UtcTicks);
            for (var i = 0; i < MemoryRecall.CommonWordItems + 100; i++)
            {
                id.Value = Guid.NewGuid().ToString().ToUpperInvariant();
                content.Value = $"compost note {i} about the garden beds";
                await insert.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
            var store = seeding.GetRequiredService<IMemoryStore>();
            await store.AddAsync(Item(MemoryTier.ArchivalFact, "The rhubarb bed gets compost every March."), None);
            await store.AddAsync(Item(MemoryTier.ArchivalFact, "Rhubarb leaves are poisonous; only the stalks are eaten."), None);
        }

        const string question = "When does the rhubarb get compost?";
        await using var services = db.OpenServices();
        var recall = services.GetRequiredService<IMemoryRecall>();
        var counted = await recall.RecallAsync("local", question, 5, None);
        var kept = await recall.RecallAsync("local", question, 5, None);
        await using var restarted = db.OpenServices();
        var countedAgain = await restarted.GetRequiredService<IMemoryRecall>().RecallAsync("local", question, 5, None);

        Assert.Equal("The rhubarb bed gets compost every March.", counted[0].Item.Content);
        Assert.Equal(counted.Select(r => (r.Item.Id, r.Score)), kept.Select(r => (r.Item.Id, r.Score)));
        Assert.Equal(counted.Select(r => (r.Item.Id, r.Score)), countedAgain.Select(r => (r.Item.Id, r.Score)));
    }

    [Fact]
    public async Task Another_tenants_better_matches_do_not_crowd_out_this_tenants_item()
    {
        await using var db = new TempDatabase();
        await using var services = await db.OpenInitializedAsync();
        var store = services.GetRequiredService<IMemoryStore>();
        // More rows that score higher than the window recall first ranks (4 x (2 x take + 1)): tenant is checked after ranking.
        for (var i = 0; i < 60; i++)
        {
            await store.AddAsync(Item(MemoryTier.ArchivalFact, $"Rhubarb compost {i}: rhubarb loves compost.") with { TenantId = "other" }, None);
        }

        var mine = Item(MemoryTier.ArchivalFact, "A long note on the garden shed, the fence, the hose and the path, which also says the rhubarb gets compost in March.");
        await store.AddAsync(mine, None);

        var found = await services.GetRequiredService<IMemoryRecall>().RecallAsync("local", "When does the rhubarb get compost?", 5, None);

        Assert.Equal([mine.Id], found.Select(f => f.Item.Id));
    }

    [Fact]
    public async Task A_question_of_many_words_keeps_the_item_that_holds_most_of_them_and_not_one_that_shares_a_word()
    {
        await using var db = new TempDatabase();
        await using var services = await db.OpenInitializedAsync();
        var store = services.GetRequiredService<IMemoryStore>();
        var shelf = Item(MemoryTier.ArchivalFact, "The blue ceramic teapot, the silver sugar bowl, the striped milk jug and the brass kettle are on the top shelf.");
        await store.AddAsync(shelf, None);
        await store.AddAsync(Item(MemoryTier.ArchivalFact, "The milk is in the fridge."), None);
        await store.AddAsync(Item(MemoryTier.ArchivalFact, "The kettle needs descaling."), None);

        // More subject words than the gate spells out as sets of words: the share is counted per row in SQL.
        const string question = "Which shelf holds the blue ceramic teapot, the silver sugar bowl, the striped milk jug and the old brass kettle?";
        Assert.True(FtsQuery.SubjectTerms(question).Count > 8);
        var found = await services.GetRequiredService<IMemoryRecall>().RecallAsync("local", question, 5, None);

        Assert.Equal([shelf.Id], found.Select(f => f.Item.Id));
    }

    private static MemoryItem Item(MemoryTier tier, string content) =>
        new(Guid.NewGuid(), "local", null, tier, "", content, T0, T0);

    private static SessionMessage Message(Guid sessionId, MessageRole role, string text, MessageStatus status) => new()
    {
        Id = Guid.NewGuid(),
        SessionId = sessionId,
        TenantId = "local",
        Role = role,
        Parts = [new TextPart(text)],
        Status = status,
        CreatedAt = T0,
        UpdatedAt = T0,
    };
}
