using System.Diagnostics;
using Agent.Data;
using Agent.Domain.Configuration;
using Agent.Domain.Context;
using Agent.Domain.Memory;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Agent.Runtime.Chat.Context;
using Agent.Runtime.Hosting;
using Agent.Runtime.Memories;
using Agent.Runtime.Services;
using Agent.Runtime.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Agent.Benchmarks;

/// <summary>
/// Building a turn's context for a 10,000-message session (real SQLite file, the real ChatContextService with the
/// tiktoken counter): the whole build as a turn does it now (the newest part of the branch read from the end), as it did
/// before (the whole branch read), and the
/// builder alone, for an OpenAI model (exact counts) and a model counted as an estimate, before and after compaction.
/// Run: dotnet run -c Release --project tests/Agent.Benchmarks -- context.
/// </summary>
public static class ContextBench
{
    private const int Messages = 10_000;
    private const int Runs = 21;

    public static async Task<int> RunAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "agent-bench");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"context-{Guid.NewGuid():N}.db");
        var options = new AgentOptions
        {
            Providers =
            [
                new ProviderOptions { Name = "openai", Kind = "OpenAICompatible", Mode = "Live", Models = [new ModelOptions { Id = "gpt-4o-mini", ContextWindow = 128_000 }] },
                new ProviderOptions { Name = "deterministic", Kind = "Deterministic", Mode = "Deterministic", Models = [new ModelOptions { Id = "scripted-echo", ContextWindow = 32_768 }] },
            ],
        };
        var services = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddAgentData(path)
            .AddSingleton(Options.Create(options))
            .AddSingleton(new AppInfo("bench", folder, path))
            .AddSingleton(new EnvironmentVariables(_ => null))
            .AddSingleton<ConfigOverrides>()
            .AddSingleton<SkillCatalog>()
            .AddSingleton<ProviderCatalog>()
            .AddSingleton<ITokenCounter, TiktokenTokenCounter>()
            .AddLogging()
            .AddSingleton<MemoryService>()
            .AddSingleton<TeamCatalog>()
            .AddSingleton<Agent.Runtime.Services.ChatSettingsStore>()
            .AddSingleton<ChatContextService>()
            .BuildServiceProvider();
        var lines = new List<string>
        {
            $"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}",
            $"session: {Messages:N0} messages on one branch (5-60 words each), 3 pinned memories, real SQLite file",
        };
        await using (services)
        {
            await services.GetRequiredService<AgentDatabase>().InitializeAsync(CancellationToken.None);
            var (openai, echo) = await SeedAsync(services);
            var contexts = services.GetRequiredService<ChatContextService>();
            var store = services.GetRequiredService<IMessageStore>();
            var path10k = (await store.ReadPathAsync("local", openai.Id, null, null, int.MaxValue, CancellationToken.None)).Messages;
            var builder = new ContextBuilder(services.GetRequiredService<ITokenCounter>());
            ContextPlan builderPlan() => builder.Build(new ContextRequest("m", 10, 1, 0.8, [], []));

            foreach (var session in new[] { openai, echo })
            {
                var window = contexts.ContextWindowOf(session);
                var built = await contexts.BuildAsync(session, path10k, null, CancellationToken.None);
                var whole = await MedianAsync(async () =>
                {
                    var branch = (await store.ReadPathAsync("local", session.Id, null, null, int.MaxValue, CancellationToken.None)).Messages;
                    return (await contexts.BuildAsync(session, branch, null, CancellationToken.None)).Plan;
                });
                var windowed = await MedianAsync(async () =>
                {
                    var read = await contexts.ReadTurnsAsync(session, null, CancellationToken.None);
                    return (await contexts.BuildAsync(session, read, null, CancellationToken.None)).Plan;
                });
                var source = await contexts.ReadTurnsAsync(session, null, CancellationToken.None);
                var builderOnly = await MedianAsync(() => Task.FromResult(builder.Build(new ContextRequest(session.ModelId, window, 1024, 0.8, [], path10k))));
                lines.Add($"{session.ModelId} (window {window:N0}, {(built.Plan.IsEstimate ? "estimate, " + built.Plan.Tokenizer : "exact, " + built.Plan.Tokenizer)}): " +
                    $"sends {built.Plan.IncludedTurns.Count} of {Messages:N0} messages, {built.Plan.TotalTokens:N0} tokens, compaction due: {built.Plan.NeedsCompaction}");
                lines.Add($"  build as a turn does it now (read the newest {source.Turns.Count:N0} messages from the end + {source.UnreadOlderTurns:N0} older ids, checkpoints, memory, builder, prompt): median {windowed.Median:0.0} ms, min {windowed.Min:0.0} ms over {Runs} runs");
                lines.Add($"  before: whole build (read the 10,000-message branch + checkpoints + memory + builder + prompt): median {whole.Median:0.0} ms, min {whole.Min:0.0} ms over {Runs} runs");
                lines.Add($"  builder alone (count and choose over the 10,000 turns in memory): median {builderOnly.Median:0.00} ms, min {builderOnly.Min:0.00} ms");
            }

            var gauge = await MedianAsync(async () => { await contexts.MeasureAsync("local", openai.Id, CancellationToken.None); return builderPlan(); });
            lines.Add($"gauge (MeasureAsync: the same read from the end, gpt-4o-mini): median {gauge.Median:0.0} ms, min {gauge.Min:0.0} ms");

            // After compaction: a summary checkpoint near the end; only the turns after it are counted.
            var checkpoints = services.GetRequiredService<ICheckpointStore>();
            await checkpoints.AddAsync(new Checkpoint(Guid.NewGuid(), openai.Id, "local", CheckpointKind.Compaction, "Compacted 9,980 messages",
                path10k[^21].Id, string.Join(' ', Enumerable.Repeat("summary words", 400)), DateTimeOffset.UtcNow), CancellationToken.None);
            var compacted = await MedianAsync(async () =>
            {
                var branch = (await store.ReadPathAsync("local", openai.Id, null, null, int.MaxValue, CancellationToken.None)).Messages;
                return (await contexts.BuildAsync(openai, branch, null, CancellationToken.None)).Plan;
            });
            var compactedNow = await MedianAsync(async () =>
            {
                var read = await contexts.ReadTurnsAsync(openai, null, CancellationToken.None);
                return (await contexts.BuildAsync(openai, read, null, CancellationToken.None)).Plan;
            });
            var after = await contexts.BuildAsync(openai, path10k, null, CancellationToken.None);
            lines.Add($"after compaction (summary + 20 turns, gpt-4o-mini): sends {after.Plan.IncludedTurns.Count} messages, {after.Plan.TotalTokens:N0} tokens; build now (reads the 20 turns after the summary) median {compactedNow.Median:0.0} ms, min {compactedNow.Min:0.0} ms; before (whole branch) median {compacted.Median:0.0} ms, min {compacted.Min:0.0} ms");
            var gaugeAfter = await MedianAsync(async () => { await contexts.MeasureAsync("local", openai.Id, CancellationToken.None); return after.Plan; });
            lines.Add($"gauge after compaction (reads the newest page, finds the summary): median {gaugeAfter.Median:0.0} ms, min {gaugeAfter.Min:0.0} ms");

            var read = await MedianAsync(async () => { await store.ReadPathAsync("local", openai.Id, null, null, int.MaxValue, CancellationToken.None); return after.Plan; });
            lines.Add($"of which reading the whole 10,000-message branch from SQLite: median {read.Median:0.0} ms");
        }

        foreach (var line in lines)
        {
            Console.WriteLine(line);
        }

        await File.WriteAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "RESULTS-context.txt"), lines);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(path);
        return 0;
    }

    private static async Task<(double Median, double Min)> MedianAsync(Func<Task<ContextPlan>> build)
    {
        for (var i = 0; i < 3; i++)
        {
            await build(); // warm-up: JIT, tokenizer caches, connection pool, page cache
        }

        var times = new List<double>();
        for (var i = 0; i < Runs; i++)
        {
            var clock = Stopwatch.StartNew();
            await build();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return (times[times.Count / 2], times[0]);
    }

    private static async Task<(ChatSession OpenAI, ChatSession Echo)> SeedAsync(IServiceProvider services)
    {
        var now = DateTimeOffset.UtcNow.AddDays(-1);
        var openai = new ChatSession(Guid.NewGuid(), "local", "long", "openai", "gpt-4o-mini", null, null, now, now);
        var echo = openai with { ProviderName = "deterministic", ModelId = "scripted-echo" }; // the same messages, another model
        await services.GetRequiredService<ISessionStore>().AddAsync(openai, CancellationToken.None);
        for (var i = 0; i < 3; i++)
        {
            await services.GetRequiredService<IMemoryStore>().AddAsync(
                new MemoryItem(Guid.NewGuid(), "local", null, MemoryTier.PinnedBlock, $"Fact {i}", $"A pinned fact number {i} the person wants kept.", now, now), CancellationToken.None);
        }

        var random = new Random(1);
        var all = new List<SessionMessage>(Messages);
        for (var i = 0; i < Messages; i++)
        {
            var role = i % 2 == 0 ? MessageRole.User : MessageRole.Assistant;
            var at = now.AddSeconds(i);
            all.Add(new SessionMessage
            {
                Id = Guid.NewGuid(),
                SessionId = openai.Id,
                TenantId = "local",
                ParentId = all.LastOrDefault()?.Id,
                Role = role,
                Parts = [new TextPart(string.Join(' ', Enumerable.Repeat(role == MessageRole.User ? "question" : "answer with some words", random.Next(5, 60))))],
                Status = MessageStatus.Complete,
                CreatedAt = at,
                UpdatedAt = at,
            });
        }

        var contexts = services.GetRequiredService<IDbContextFactory<AgentDbContext>>();
        foreach (var chunk in all.Chunk(1000))
        {
            await using var db = await contexts.CreateDbContextAsync();
            db.Messages.AddRange(chunk);
            await db.SaveChangesAsync();
        }

        return (openai, echo);
    }
}
