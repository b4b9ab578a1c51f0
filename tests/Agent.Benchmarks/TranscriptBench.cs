using System.Diagnostics;
using System.Globalization;
using Agent.Data;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Benchmarks;

/// <summary>
/// Opening a 10,000-message session (real SQLite file): time until the newest window of 50 messages is in hand,
/// before (every message + MessageTree) and after (IMessageStore.ReadPathAsync). Run: dotnet run -c Release -- transcript.
/// </summary>
public static class TranscriptBench
{
    private const int Messages = 10_000;
    private const int Window = 50;
    private const int Runs = 21;

    public static async Task<int> RunAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "agent-bench");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"transcript-{Guid.NewGuid():N}.db");
        var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddAgentData(path).BuildServiceProvider();
        await using (services)
        {
            await services.GetRequiredService<AgentDatabase>().InitializeAsync(CancellationToken.None);
            var sessionId = await SeedAsync(services);
            var store = services.GetRequiredService<IMessageStore>();

            async Task<IReadOnlyList<SessionMessage>> Before()
            {
                var tree = new MessageTree(await store.ListBySessionAsync("local", sessionId, CancellationToken.None));
                var shown = tree.PathTo(null);
                return shown.Skip(shown.Count - Window).ToList();
            }

            async Task<IReadOnlyList<SessionMessage>> After() =>
                (await store.ReadPathAsync("local", sessionId, null, null, Window, CancellationToken.None)).Messages;

            var expected = (await Before()).Select(m => m.Id).ToList();
            if (!expected.SequenceEqual((await After()).Select(m => m.Id)))
            {
                await Console.Error.WriteLineAsync("before and after disagree on the first window");
                return 1;
            }

            var before = await MedianAsync(Before);
            var after = await MedianAsync(After);
            var lines = new[]
            {
                $"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}",
                $"session: {Messages:N0} messages (a main branch with regenerations and edits every ~25 messages), real SQLite file",
                $"before (ListBySessionAsync + MessageTree.PathTo, last {Window}): median {before.Median:0.0} ms, min {before.Min:0.0} ms over {Runs} runs",
                $"after (ReadPathAsync take {Window}): median {after.Median:0.00} ms, min {after.Min:0.00} ms over {Runs} runs",
                $"ratio: {before.Median / after.Median:0} x faster to the first window",
            };
            foreach (var line in lines)
            {
                Console.WriteLine(line);
            }

            var results = Path.Combine(AppContext.BaseDirectory, "RESULTS-transcript.txt");
            await File.WriteAllLinesAsync(results, lines);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(path);
        return 0;
    }

    private static async Task<(double Median, double Min)> MedianAsync(Func<Task<IReadOnlyList<SessionMessage>>> read)
    {
        for (var i = 0; i < 3; i++)
        {
            await read(); // warm-up: JIT, connection pool, page cache
        }

        var times = new List<double>();
        for (var i = 0; i < Runs; i++)
        {
            var clock = Stopwatch.StartNew();
            var window = await read();
            times.Add(clock.Elapsed.TotalMilliseconds);
            if (window.Count != Window)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"expected {Window} messages, got {window.Count}"));
            }
        }

        times.Sort();
        return (times[times.Count / 2], times[0]);
    }

    private static async Task<Guid> SeedAsync(IServiceProvider services)
    {
        var now = DateTimeOffset.UtcNow.AddDays(-1);
        var session = new ChatSession(Guid.NewGuid(), "local", "long", "deterministic", "echo", null, null, now, now);
        await services.GetRequiredService<ISessionStore>().AddAsync(session, CancellationToken.None);
        var random = new Random(1);
        var all = new List<SessionMessage>(Messages);
        Guid? parent = null;
        for (var i = 0; i < Messages; i++)
        {
            var role = i % 2 == 0 ? MessageRole.User : MessageRole.Assistant;
            // Every ~25 messages an alternative: a regenerated reply or an edited question beside the main branch.
            var isAlternative = i > 2 && random.Next(25) == 0;
            var at = now.AddSeconds(i);
            var text = string.Join(' ', Enumerable.Repeat(role == MessageRole.User ? "question" : "answer with some words", random.Next(5, 60)));
            var message = new SessionMessage
            {
                Id = Guid.NewGuid(),
                SessionId = session.Id,
                TenantId = "local",
                ParentId = isAlternative ? all[^2].ParentId : parent,
                Role = role,
                Parts = [new TextPart(text)],
                Status = MessageStatus.Complete,
                CreatedAt = at,
                UpdatedAt = at,
            };
            all.Add(message);
            if (!isAlternative)
            {
                parent = message.Id;
            }
        }

        var contexts = services.GetRequiredService<IDbContextFactory<AgentDbContext>>();
        foreach (var chunk in all.Chunk(1000))
        {
            await using var db = await contexts.CreateDbContextAsync();
            db.Messages.AddRange(chunk);
            await db.SaveChangesAsync();
        }

        return session.Id;
    }
}
