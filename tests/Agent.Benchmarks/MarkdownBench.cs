using System.Diagnostics;
using System.Globalization;
using System.Text;
using Agent.Runtime.Chat;

namespace Agent.Benchmarks;

/// <summary>
/// Render cost per chunk of a streamed 4,000-token reply, at its start and at its end: before = the whole reply parsed
/// and rendered again on every render (what the streaming reply did until issue 22), after = <see cref="MarkdownBlocks"/>
/// (settled blocks rendered once, only the open block again). Worst case: one render per chunk (the page renders at
/// most every 50 ms, so a fast stream folds several chunks into one render). Writes tests/Agent.Benchmarks/RESULTS-markdown.md.
/// </summary>
public static class MarkdownBench
{
    private const int Runs = 7;
    private const int ChunkChars = 4;

    public static async Task<int> RunAsync()
    {
        var reply = Reply();
        var chunks = Enumerable.Range(0, (reply.Length + ChunkChars - 1) / ChunkChars)
            .Select(i => reply.Substring(i * ChunkChars, Math.Min(ChunkChars, reply.Length - (i * ChunkChars)))).ToArray();
        var renderer = new MarkdownRenderer();
        var tenth = chunks.Length / 10;
        var before = new List<(double Start, double End)>();
        var after = new List<(double Start, double End)>();
        for (var run = 0; run <= Runs; run++)
        {
            var whole = Measure(chunks, tenth, () =>
            {
                var text = new StringBuilder();
                return chunk =>
                {
                    text.Append(chunk);
                    _ = renderer.RenderBlock(text.ToString());
                };
            });
            var blocks = Measure(chunks, tenth, () =>
            {
                var live = new MarkdownBlocks(renderer);
                return chunk =>
                {
                    live.Append(chunk);
                    live.Refresh();
                };
            });
            if (run > 0)
            {
                before.Add(whole);
                after.Add(blocks);
            }
        }

        double Median(IEnumerable<double> values) => values.Order().ElementAt(Runs / 2);
        double bs = Median(before.Select(b => b.Start)), be = Median(before.Select(b => b.End));
        double @as = Median(after.Select(a => a.Start)), ae = Median(after.Select(a => a.End));
        var report = new StringBuilder();
        report.AppendLine("# Markdown render cost per chunk of a streamed reply");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, .NET {Environment.Version}.");
        report.AppendLine("Command: `dotnet run -c Release --project tests/Agent.Benchmarks -- markdown`.");
        if (File.Exists("/proc/loadavg"))
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"Load average at the start (1, 5, 15 min): {string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3))}.");
        }

        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"A reply of {reply.Length:N0} characters (about 4,000 tokens: paragraphs, lists and fenced code), streamed in {chunks.Length:N0} chunks of {ChunkChars} characters with one render per chunk (the worst case).");
        report.AppendLine(CultureInfo.InvariantCulture, $"Mean cost of a chunk over the first and the last tenth of the chunks; median of {Runs} runs after one warm-up.");
        report.AppendLine();
        report.AppendLine("| renderer | µs per chunk, first tenth | µs per chunk, last tenth | end / start |");
        report.AppendLine("|---|---|---|---|");
        report.AppendLine(CultureInfo.InvariantCulture, $"| before: whole reply parsed per render (Markdig) | {bs:0.0} | {be:0.0} | {be / bs:0.0} x |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| after: settled blocks once, open block per render (MarkdownBlocks) | {@as:0.0} | {ae:0.0} | {ae / @as:0.0} x |");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"At the end of the reply a chunk costs {be / ae:0} x less than before. What stays: the open block is rendered");
        report.AppendLine("again on each render, so a single very long block (one huge paragraph or code fence) still costs in proportion to its length.");
        var text = report.ToString();
        Console.Write(text);
        var path = Path.Combine(ProvidersBench.FindRepoRoot(), "tests", "Agent.Benchmarks", "RESULTS-markdown.md");
        await File.WriteAllTextAsync(path, text);
        Console.WriteLine($"wrote {path}");
        return 0;
    }

    private static (double Start, double End) Measure(string[] chunks, int tenth, Func<Action<string>> create)
    {
        var render = create();
        double start = 0, end = 0;
        for (var i = 0; i < chunks.Length; i++)
        {
            var began = Stopwatch.GetTimestamp();
            render(chunks[i]);
            var micros = Stopwatch.GetElapsedTime(began).TotalMicroseconds;
            if (i < tenth)
            {
                start += micros;
            }
            else if (i >= chunks.Length - tenth)
            {
                end += micros;
            }
        }

        return (start / tenth, end / tenth);
    }

    private static string Reply()
    {
        var words = "the agent reads the file and then writes a short summary of what it found with a link to https://example.test/docs and some **bold** and `inline code` in it".Split(' ');
        var text = new StringBuilder();
        for (var block = 0; text.Length < 16_000; block++)
        {
            if (block % 7 == 3)
            {
                text.Append("```csharp\n");
                for (var line = 0; line < 8; line++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"var value{line} = Compute({line}, \"{words[line]}\");\n");
                }

                text.Append("```\n\n");
            }
            else if (block % 5 == 2)
            {
                for (var item = 0; item < 4; item++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"- {string.Join(' ', words.Skip(item * 3).Take(8))}\n");
                }

                text.Append('\n');
            }
            else
            {
                text.Append(string.Join(' ', Enumerable.Range(0, 60).Select(i => words[(i + block) % words.Length]))).Append(".\n\n");
            }
        }

        return text.ToString();
    }
}
