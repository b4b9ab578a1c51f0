using System.Diagnostics;
using System.Globalization;
using System.Text;
using Agent.Domain.Configuration;
using Agent.ProviderEmulator;
using Agent.Runtime.Clients;
using Agent.Runtime.Hosting;
using Agent.Runtime.Services;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Agent.Benchmarks;

/// <summary>
/// Adapter overhead per streamed chunk and added time to first token, versus reading the emulator's SSE stream
/// directly with HttpClient (same request body, same server, same process), for both wire formats, in one run.
/// Writes tests/Agent.Benchmarks/RESULTS-providers.md.
/// </summary>
public static class ProvidersBench
{
    private const int Warmup = 5;
    private const int Runs = 60;

    public static async Task<int> RunAsync()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 0 });
        var options = new AgentOptions
        {
            Providers =
            [
                Provider("openai", "OpenAICompatible", emulator.OpenAIBaseUrl),
                Provider("anthropic", "Anthropic", emulator.AnthropicBaseUrl),
            ],
        };
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton(Options.Create(options))
            .AddSingleton(new EnvironmentVariables(_ => null))
            .AddSingleton(TimeProvider.System)
            .AddSingleton<ProviderCatalog>();
        services.AddProviderClients();
        await using var provider = services.BuildServiceProvider();
        var clients = provider.GetRequiredService<ProviderClients>();
        using var raw = new HttpClient { BaseAddress = emulator.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };

        var report = new StringBuilder();
        report.AppendLine("# Provider adapter benchmark");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}.");
        report.AppendLine("Command: `dotnet run -c Release --project tests/Agent.Benchmarks -- providers`.");
        report.AppendLine();
        report.AppendLine("Emulator in-process on 127.0.0.1 (real HTTP, no chunk delay), scenario `long` (400 text events + final events).");
        report.AppendLine("Baseline: HttpClient with ResponseHeadersRead reading SSE lines until the terminator (no JSON parsing).");
        report.AppendLine("Adapter: `ProviderClients.GetClient(...).GetStreamingResponseAsync` (Polly pipeline, rate limiter, SSE reader, JSON parse, ChatResponseUpdate per chunk).");
        report.AppendLine(CultureInfo.InvariantCulture, $"{Warmup} warm-up + {Runs} measured runs each, interleaved with alternating order; medians. The machine (2 cores) was shared with other builds, so expect noise of a few ms.");
        report.AppendLine();
        report.AppendLine("| wire format | chunks | baseline total ms | adapter total ms | ratio total | overhead per chunk µs | baseline TTFT ms | adapter TTFT ms | added TTFT ms | ratio TTFT |");
        report.AppendLine("|---|---|---|---|---|---|---|---|---|---|");

        foreach (var (name, path, body) in new[]
        {
            ("openai", "v1/chat/completions", """{"model":"bench","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"[scenario:long] bench"}]}"""),
            ("anthropic", "v1/messages", """{"model":"bench","max_tokens":4096,"stream":true,"messages":[{"role":"user","content":[{"type":"text","text":"[scenario:long] bench"}]}]}"""),
        })
        {
            var client = clients.GetClient(name);
            List<ChatMessage> messages = [new(ChatRole.User, "[scenario:long] bench")];
            var rawTotals = new List<double>();
            var rawFirst = new List<double>();
            var adapterTotals = new List<double>();
            var adapterFirst = new List<double>();
            var chunks = 0;
            for (var i = 0; i < Warmup + Runs; i++)
            {
                // Alternate which side goes first so neither profits from the other warming the server.
                double rt, rf, at, af;
                int ac;
                if (i % 2 == 0)
                {
                    (rt, rf, _) = await RawAsync(raw, path, body);
                    (at, af, ac) = await AdapterAsync(client, messages);
                }
                else
                {
                    (at, af, ac) = await AdapterAsync(client, messages);
                    (rt, rf, _) = await RawAsync(raw, path, body);
                }

                if (i >= Warmup)
                {
                    rawTotals.Add(rt);
                    rawFirst.Add(rf);
                    adapterTotals.Add(at);
                    adapterFirst.Add(af);
                    chunks = ac;
                }
            }

            double bt = Median(rawTotals), at2 = Median(adapterTotals), bf = Median(rawFirst), af2 = Median(adapterFirst);
            var line = string.Create(CultureInfo.InvariantCulture, $"| {name} | {chunks} | {bt:0.00} | {at2:0.00} | {at2 / bt:0.00} | {(at2 - bt) * 1000 / chunks:0.0} | {bf:0.000} | {af2:0.000} | {af2 - bf:0.000} | {af2 / bf:0.00} |");
            report.AppendLine(line);
            Console.WriteLine(line);
        }

        report.AppendLine();
        report.AppendLine("Reading: \"overhead per chunk\" is (adapter total - baseline total) / chunks. TTFT is the time from sending the");
        report.AppendLine("request to the first text chunk (baseline: first SSE line with text). Both run against the same local");
        report.AppendLine("server in one process, so absolute times are small and the ratios show what the adapter adds; against a");
        report.AppendLine("real provider (hundreds of ms to first token, tens of ms between chunks) that overhead is negligible.");
        var path2 = Path.Combine(FindRepoRoot(), "tests", "Agent.Benchmarks", "RESULTS-providers.md");
        await File.WriteAllTextAsync(path2, report.ToString());
        Console.WriteLine($"wrote {path2}");
        return 0;
    }

    private static ProviderOptions Provider(string name, string kind, Uri baseUrl) => new()
    {
        Name = name,
        Kind = kind,
        Mode = "Sandbox",
        BaseUrl = baseUrl.ToString(),
        Resilience = new ProviderResilienceOptions { RequestsPerMinute = 1_000_000, RateLimitQueue = 0 },
        Models = [new ModelOptions { Id = "bench", ContextWindow = 8192 }],
    };

    private static async Task<(double Total, double First, int Chunks)> RawAsync(HttpClient http, string path, string body)
    {
        var started = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        double first = -1;
        var chunks = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal))
            {
                continue;
            }

            if (line.Contains("[DONE]", StringComparison.Ordinal) || line.Contains("\"message_stop\"", StringComparison.Ordinal))
            {
                break;
            }

            if (line.Contains("word", StringComparison.Ordinal))
            {
                chunks++;
                if (first < 0)
                {
                    first = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                }
            }
        }

        return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, first, chunks);
    }

    private static async Task<(double Total, double First, int Chunks)> AdapterAsync(IChatClient client, List<ChatMessage> messages)
    {
        var started = Stopwatch.GetTimestamp();
        double first = -1;
        var chunks = 0;
        await foreach (var update in client.GetStreamingResponseAsync(messages))
        {
            if (update.Text.Length > 0)
            {
                chunks++;
                if (first < 0)
                {
                    first = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                }
            }
        }

        return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, first, chunks);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    internal static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Agent.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
