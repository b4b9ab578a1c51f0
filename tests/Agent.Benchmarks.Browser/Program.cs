using System.Globalization;
using System.Text;
using Agent.Benchmarks.Browser;
using Agent.E2E.Tests;
using Agent.Tests.Shared;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;

// Browser benchmarks of the chat, in Debian Chromium against the real app process (Release build) and a
// local paced SSE provider. Prints figures and writes tests/Agent.Benchmarks.Browser/RESULTS-chat.md.
// "compare --baseline SHA [--runs N] [--turns T] [--trace]" runs another commit beside this one instead (CompareBench).
if (args.Length > 0 && args[0] == "compare")
{
    return await CompareBench.RunAsync(args[1..]);
}

var runs = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 10;
const int PaceMs = 25;
const int Chunks = 40;
const int LongChunks = 4_000;
const int LongPaceMs = 2;
await using var provider = await PacedSseServer.StartAsync(Chunks, PaceMs);
await using var longProvider = await PacedSseServer.StartAsync(LongChunks, LongPaceMs);
var dataFolder = Directory.CreateTempSubdirectory("agent-bench").FullName;
var databasePath = Path.Combine(dataFolder, "agent.db");
var chats = (await WorkbenchSeeder.SeedAsync(databasePath, 0, [0, 200, 10_000], "bench", "emulator-model")).LongSessions;
var longReply = (await WorkbenchSeeder.SeedAsync(databasePath, 0, [0], "bench-long", "emulator-model")).LongSessions[0];
var sessions = new BenchSessions(chats[0].Session, chats[1].Session, chats[2].Session, chats[2].Last, longReply.Session);
await using var app = await AppProcess.StartAsync(
    new Dictionary<string, string>
    {
        ["Agent:Providers:3:Name"] = "bench",
        ["Agent:Providers:3:Kind"] = "OpenAICompatible",
        ["Agent:Providers:3:Mode"] = "Sandbox",
        ["Agent:Providers:3:BaseUrl"] = provider.BaseUrl.ToString(),
        ["Agent:Providers:3:Models:0:Id"] = "emulator-model",
        ["Agent:Providers:3:Models:0:ContextWindow"] = "100000",
        ["Agent:Providers:4:Name"] = "bench-long",
        ["Agent:Providers:4:Kind"] = "OpenAICompatible",
        ["Agent:Providers:4:Mode"] = "Sandbox",
        ["Agent:Providers:4:BaseUrl"] = longProvider.BaseUrl.ToString(),
        ["Agent:Providers:4:Models:0:Id"] = "emulator-model",
        ["Agent:Providers:4:Models:0:ContextWindow"] = "100000",
        ["Agent:DefaultProvider"] = "bench",
        ["Agent:Caps:MaxCallsPerMinuteTenant"] = "100000",
        ["Agent:Caps:MaxConcurrentCallsTenant"] = "64",
        ["Agent:Caps:MaxConcurrentCallsGlobal"] = "64",
    },
    dataFolder);
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});

var resultsPath = Path.Combine(AppProcess.RepoRoot, "tests", "Agent.Benchmarks.Browser", "RESULTS-chat.md");
var previous = File.Exists(resultsPath) ? (await File.ReadAllLinesAsync(resultsPath)).TakeWhile(l => !l.StartsWith("## Previous", StringComparison.Ordinal)).ToList() : [];
var report = new StringBuilder();
void Line(string text)
{
    Console.WriteLine(text);
    report.AppendLine(text);
}

Line($"# Chat benchmarks ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {runs} runs each)");
Line("");
Line($"Real app process (Release) + Debian Chromium {browser.Version}; provider: local OpenAI-compatible SSE, {Chunks} chunks paced {PaceMs} ms.");
Line("");

// 1. Page load to a usable input (the composer attached to a live circuit).
var load = new List<double>();
for (var i = 0; i < runs; i++)
{
    var page = await NewPageAsync();
    await page.GotoAsync($"/chat/{sessions.Empty}");
    await page.Locator("[data-composer-ready=true]").WaitForAsync();
    load.Add(await page.EvaluateAsync<double>("() => window.__bench.usableAt"));
    await page.Context.CloseAsync();
}

Line(Figure("Page load to usable input", load, 1000, "peer: 6000-8000 ms"));

// 2. Enter to first streamed text visible, in a fresh session and at message 200.
foreach (var (label, sessionId) in new[] { ("Enter to first text, message 1", sessions.Empty), ("Enter to first text, message 200", sessions.TwoHundred) })
{
    var page = await NewPageAsync();
    await page.GotoAsync($"/chat/{sessionId}");
    await page.Locator("[data-composer-ready=true]").WaitForAsync();
    var firstText = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        firstText.Add(await SendAndMeasureFirstTextAsync(page, $"benchmark question {i}"));
    }

    Line(Figure(label, firstText, 100, label.EndsWith("200", StringComparison.Ordinal) ? "peer: about 4000 ms" : "peer: about 1000 ms"));
    if (label.EndsWith("1", StringComparison.Ordinal))
    {
        // 3. Chunk leaving the provider to its text visible in the page (same machine clock).
        var lags = new List<double>();
        for (var i = 0; i < Math.Max(3, runs / 3); i++)
        {
            await SendAndMeasureFirstTextAsync(page, $"pacing run {i}");
            await page.WaitForFunctionAsync("() => !document.querySelector('[data-live=true]')", null, new() { Timeout = 60_000 });
            var seen = await page.EvaluateAsync<Dictionary<string, double>>("() => window.__bench.chunkSeenAt");
            foreach (var (index, sent) in provider.SentAt())
            {
                if (seen.TryGetValue(index.ToString(CultureInfo.InvariantCulture), out var shown))
                {
                    lags.Add(shown - sent);
                }
            }
        }

        Line(Figure("Chunk sent by provider to text visible", lags, PaceMs, $"provider pacing {PaceMs} ms"));
    }

    await page.Context.CloseAsync();
}

// 4. Open a 10,000-message session: navigation to the newest message visible.
var open = new List<double>();
for (var i = 0; i < Math.Max(3, runs / 2); i++)
{
    var page = await NewPageAsync();
    await page.GotoAsync($"/chat/{sessions.TenThousand}");
    await page.Locator($"[data-message-id='{sessions.TenThousandLast}']").WaitForAsync(new() { Timeout = 60_000 });
    open.Add(await page.EvaluateAsync<double>("() => performance.now()"));
    await page.Context.CloseAsync();
}

Line(Figure("Open a 10,000-message session by URL (page load + newest message visible)", open, 300, "target: 300 ms"));

// 4b. The same session reached from the sessions drawer of an open page: click to the newest message visible.
var navigate = new List<double>();
for (var i = 0; i < Math.Max(3, runs / 2); i++)
{
    var page = await NewPageAsync();
    await page.GotoAsync($"/chat/{sessions.Empty}");
    await page.Locator("[data-composer-ready=true]").WaitForAsync();
    var link = page.Locator($"a[href='/chat/{sessions.TenThousand}']");
    await link.WaitForAsync();
    var clickedAt = await page.EvaluateAsync<double>("() => performance.now()");
    await link.ClickAsync();
    await page.Locator($"[data-message-id='{sessions.TenThousandLast}']").WaitForAsync(new() { Timeout = 60_000 });
    navigate.Add(await page.EvaluateAsync<double>("() => performance.now()") - clickedAt);
    await page.Context.CloseAsync();
}

Line(Figure("Open a 10,000-message session from the drawer (click to newest message visible)", navigate, 300, "target: 300 ms"));

// 5. A 4,000-token reply: the app's CPU time per chunk stays flat when the live text is re-rendered at most every 50 ms.
{
    var page = await NewPageAsync();
    await page.GotoAsync($"/chat/{sessions.LongReply}");
    await page.Locator("[data-composer-ready=true]").WaitForAsync();
    var cpuBefore = CpuMilliseconds(app.ProcessId);
    var started = System.Diagnostics.Stopwatch.GetTimestamp();
    await page.Locator("#composer-input").FillAsync("a very long answer please");
    await page.Locator("#composer-input").PressAsync("Enter");
    await page.Locator("[data-live=true]").WaitForAsync();
    await page.WaitForFunctionAsync($"() => document.querySelector('[data-live=true]')?.textContent.includes('t{LongChunks / 2} ')", null, new() { Timeout = 180_000, PollingInterval = 20 });
    var cpuHalf = CpuMilliseconds(app.ProcessId);
    await page.WaitForFunctionAsync("() => !document.querySelector('[data-live=true]')", null, new() { Timeout = 180_000 });
    var wall = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    var cpuEnd = CpuMilliseconds(app.ProcessId);
    var firstHalf = (cpuHalf - cpuBefore) / (LongChunks / 2.0) * 1000;
    var secondHalf = (cpuEnd - cpuHalf) / (LongChunks / 2.0) * 1000;
    Line($"| A {LongChunks:N0}-token reply ({LongPaceMs} ms pacing), app CPU | {cpuEnd - cpuBefore:F0} ms CPU over {wall:F0} ms wall | {firstHalf:F0} us per chunk in the first half, {secondHalf:F0} us in the second ({secondHalf / firstHalf:F2} x) | constant per-chunk cost: ratio near 1 |");
    await page.Context.CloseAsync();
}

// 5. Server memory per connected circuit with 20 sessions streaming at once.
var before = RssMegabytes(app.ProcessId);
var pages = new List<IPage>();
for (var i = 0; i < 20; i++)
{
    var page = await NewPageAsync();
    await page.GotoAsync("/");
    await page.Locator("[data-interactive=true]").WaitForAsync();
    await page.Locator("[data-new-chat]").ClickAsync();
    await page.Locator("[data-composer-ready=true]").WaitForAsync();
    pages.Add(page);
}

var idle = RssMegabytes(app.ProcessId);

foreach (var page in pages)
{
    await page.Locator("#composer-input").FillAsync("concurrent stream");
    await page.Locator("#composer-input").PressAsync("Enter");
}

await Task.Delay(PaceMs * Chunks / 2);
var during = RssMegabytes(app.ProcessId);
foreach (var page in pages)
{
    await page.WaitForFunctionAsync("() => !document.querySelector('[data-live=true]') && document.querySelectorAll('article.role-assistant').length > 0", null, new() { Timeout = 120_000 });
}

Line($"| Server memory, 20 idle circuits (a chat open each) | {before:F0} MB -> {idle:F0} MB | {(idle - before) / 20:F2} MB per idle circuit | |");
Line($"| Server memory, the same 20 circuits streaming at once | {idle:F0} MB -> {during:F0} MB | {(during - idle) / 20:F2} MB more per streaming circuit | |");
foreach (var page in pages)
{
    await page.Context.CloseAsync();
}

if (previous.Count > 0)
{
    report.AppendLine().AppendLine("## Previous run (the figures this run replaces)").AppendLine();
    foreach (var line in previous.Where(l => l.StartsWith('#') || l.StartsWith('|') || l.StartsWith("Real app", StringComparison.Ordinal)))
    {
        report.AppendLine(line.StartsWith('#') ? "### " + line.TrimStart('#').Trim() : line);
    }
}

await File.WriteAllTextAsync(resultsPath, report.ToString());
Console.WriteLine($"Written to {resultsPath}");
SqliteConnection.ClearAllPools();
return 0;

async Task<IPage> NewPageAsync()
{
    var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
    await context.AddInitScriptAsync(BenchScript.Source);
    return await context.NewPageAsync();
}

async Task<double> SendAndMeasureFirstTextAsync(IPage page, string text)
{
    await page.WaitForFunctionAsync("() => !document.querySelector('[data-live=true]')", null, new() { Timeout = 60_000 });
    await page.EvaluateAsync("() => window.__bench.reset()");
    var composer = page.Locator("#composer-input");
    await composer.FillAsync(text);
    await composer.PressAsync("Enter");
    await page.WaitForFunctionAsync("() => window.__bench.firstTextAt > 0", null, new() { Timeout = 30_000 });
    return await page.EvaluateAsync<double>("() => window.__bench.firstTextAt - window.__bench.enterAt");
}

static string Figure(string name, List<double> values, double target, string note)
{
    values.Sort();
    var median = values[values.Count / 2];
    var p95 = values[Math.Min(values.Count - 1, (int)Math.Ceiling(values.Count * 0.95) - 1)];
    return $"| {name} | median {median:F1} ms, p95 {p95:F1} ms, n={values.Count} | {median / target:F2} x target ({target:F0} ms) | {note} |";
}

// utime + stime of the process, from /proc (clock ticks of 10 ms on Linux).
static double CpuMilliseconds(int pid)
{
    var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) * 10;
}

static double RssMegabytes(int pid)
{
    var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
}

/// <summary>The seeded sessions: an empty one, one of 200 messages, one of 10,000 (and its newest message), one on the long-reply provider.</summary>
internal sealed record BenchSessions(Guid Empty, Guid TwoHundred, Guid TenThousand, Guid TenThousandLast, Guid LongReply);

/// <summary>Timing hooks injected into every page before the app's scripts run.</summary>
internal static class BenchScript
{
    public const string Source = """
        window.__bench = { usableAt: 0, enterAt: 0, firstTextAt: 0, chunkSeenAt: {},
          reset() { this.enterAt = 0; this.firstTextAt = 0; this.chunkSeenAt = {}; } };
        document.addEventListener('keydown', e => {
          if (e.key === 'Enter' && !e.shiftKey && e.target.id === 'composer-input') window.__bench.enterAt = performance.now();
        }, true);
        new MutationObserver(() => {
          const b = window.__bench;
          if (!b.usableAt && document.querySelector('[data-composer-ready=true]')) b.usableAt = performance.now();
          const live = document.querySelector('[data-live=true]');
          if (live && b.enterAt) {
            const text = live.textContent.trim();
            if (text.length > 0 && !b.firstTextAt) b.firstTextAt = performance.now();
            const now = performance.timeOrigin + performance.now();
            for (const m of text.matchAll(/t(\d+)/g)) { if (!(m[1] in b.chunkSeenAt)) b.chunkSeenAt[m[1]] = now; }
          }
        }).observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
        """;
}
