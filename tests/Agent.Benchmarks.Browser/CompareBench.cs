using System.Diagnostics;
using System.Globalization;
using System.Text;
using Agent.E2E.Tests;
using Agent.Tests.Shared;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;

namespace Agent.Benchmarks.Browser;

/// <summary>
/// <c>compare --baseline SHA [--runs N] [--turns T] [--trace] [--keep-baseline]</c>: the baseline commit (built in a
/// detached worktree under /tmp) and this checkout side by side in one process, each with its own data folder, its own
/// paced provider and the same settings. Every figure runs in blocks of N/2 runs: baseline, current, baseline, current,
/// so the machine's load falls on both alike. Writes tests/Agent.Benchmarks.Browser/RESULTS-compare.md.
/// </summary>
internal static class CompareBench
{
    private const int Chunks = 20;
    private const int PaceMs = 50;
    private const int Circuits = 20;
    private const string NoLive = "() => !document.querySelector('[data-live=true]')";
    private const string LastAssistant = "() => [...document.querySelectorAll('article.role-assistant')].at(-1)?.getAttribute('data-message-id') ?? ''";

    // A reply counts as done once another assistant message is the newest and nothing is live. Not a count of messages:
    // a transcript that shows a window of the newest messages keeps its count. And not first text alone: under load a
    // page may receive the whole reply before it ever renders live text.
    private const string ReplyDone = "last => ([...document.querySelectorAll('article.role-assistant')].at(-1)?.getAttribute('data-message-id') ?? '') !== last && !document.querySelector('[data-live=true]')";
    private const string FirstTextOrDone = "last => window.__bench.firstTextAt > 0 || (([...document.querySelectorAll('article.role-assistant')].at(-1)?.getAttribute('data-message-id') ?? '') !== last && !document.querySelector('[data-live=true]'))";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = CompareOptions.Parse(args);
        var started = Stopwatch.GetTimestamp();
        var loadAtStart = LoadAverage();
        var baselineCommit = await GitAsync(AppProcess.RepoRoot, "rev-parse", "--short=7", options.Baseline + "^{commit}");
        var currentCommit = await GitAsync(AppProcess.RepoRoot, "rev-parse", "--short=7", "HEAD");
        var checkout = await PrepareBaselineAsync(baselineCommit);
        var settingsCheck = SettingsCheck(checkout);

        // One template database in this checkout's schema; each app gets its rows copied into the schema it migrated itself.
        var chatsPerApp = 2 * Math.Max(1, options.Runs / 2);
        var template = Path.Combine(Directory.CreateTempSubdirectory("agent-compare-template").FullName, "agent.db");
        var lengths = Enumerable.Repeat(0, chatsPerApp + Circuits + 2).Append(10_000).ToList();
        var seeded = (await WorkbenchSeeder.SeedAsync(template, 0, lengths, "bench", "emulator-model")).LongSessions;
        var sessions = new CompareSessions(
            seeded.Take(chatsPerApp).Select(s => s.Session).ToList(),
            seeded.Skip(chatsPerApp).Take(Circuits).Select(s => s.Session).ToList(),
            seeded[chatsPerApp + Circuits].Session,
            seeded[chatsPerApp + Circuits + 1].Session,
            seeded[^1].Session,
            seeded[^1].Last);
        SqliteConnection.ClearAllPools();

        Console.WriteLine($"Starting baseline {baselineCommit} and current {currentCommit}...");
        await using var baseline = await BenchApp.StartAsync("baseline", AppProcess.AppHostPath(checkout), checkout, template);
        await using var current = await BenchApp.StartAsync("current", AppProcess.AppHostPath(), AppProcess.RepoRoot, template);
        BenchApp[] order = [baseline, current, baseline, current];

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });

        var figures = new Figures();
        var heap = GcHeap.Find();
        Console.WriteLine(heap is null ? "dotnet-gcdump not found: memory per circuit from VmRSS only." : $"GC heap readings through {heap.Tool}.");

        // Each app opens the seeded 10,000-message session once: the copy worked, and both are warm before any figure.
        foreach (var app in new[] { baseline, current })
        {
            var page = await NewPageAsync(browser, app);
            await page.GotoAsync($"/chat/{sessions.TenThousand}");
            await page.Locator($"[data-message-id='{sessions.TenThousandLast}']").WaitForAsync(new() { Timeout = 120_000 });
            await page.Context.CloseAsync();
        }

        var failures = new List<string>();
        async Task AlternateAsync(string phase, int runs, Func<BenchApp, int, Task> run)
        {
            var perBlock = Math.Max(1, runs / 2);
            var index = new Dictionary<BenchApp, int>();
            try
            {
                foreach (var app in order)
                {
                    for (var i = 0; i < perBlock; i++)
                    {
                        var at = index.GetValueOrDefault(app);
                        index[app] = at + 1;
                        await run(app, at);
                    }

                    Console.WriteLine($"  {DateTime.UtcNow:HH:mm:ss} {phase}: {app.Name} block done (load {LoadAverage()})");
                }
            }
            catch (Exception e) when (e is TimeoutException or PlaywrightException or InvalidOperationException)
            {
                // Keep the figures gathered so far: the report says which phase stopped and why.
                failures.Add($"{phase}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                Console.WriteLine($"  {phase} stopped: {e}");
            }
        }

        // 1. Page load to a usable composer, in a fresh browser context each time.
        Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} Page load...");
        await AlternateAsync("page load", options.Runs * 2, async (app, _) =>
        {
            var page = await NewPageAsync(browser, app);
            try
            {
                await page.GotoAsync($"/chat/{sessions.PageLoad}");
                await page.Locator("[data-composer-ready=true]").WaitForAsync();
                figures.Add("Page load → composer usable (fresh browser context)", app, await page.EvaluateAsync<double>("() => window.__bench.usableAt"));
            }
            finally
            {
                await page.Context.CloseAsync();
            }
        });

        // 2. The 10,000-message session clicked in the sessions list of an open page.
        Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} Open a 10,000-message session...");
        await AlternateAsync("open 10,000", options.Runs * 2, async (app, _) =>
        {
            var page = await NewPageAsync(browser, app);
            try
            {
                await page.GotoAsync($"/chat/{sessions.PageLoad}");
                await page.Locator("[data-composer-ready=true]").WaitForAsync();
                var link = page.Locator($"a[href='/chat/{sessions.TenThousand}']");
                await link.WaitForAsync();
                var clickedAt = await page.EvaluateAsync<double>("() => performance.now()");
                await link.ClickAsync();
                await page.Locator($"[data-message-id='{sessions.TenThousandLast}']").WaitForAsync(new() { Timeout = 60_000 });
                var took = await page.EvaluateAsync<double>("() => performance.now()") - clickedAt;
                figures.Add("Open the 10,000-message session from the sessions list → newest message visible (median)", app, took);
                figures.Add("Open the 10,000-message session from the sessions list → newest message visible (p95)", app, took, Aggregate.P95);
            }
            finally
            {
                await page.Context.CloseAsync();
            }
        });

        // 3. One chat of T turns per run: first text and request-at-provider per turn, DOM and RSS at turn 60 (and 200).
        Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} Chats of {options.Turns} turns...");
        var ranges = new List<(int From, int To)> { (2, 10), (41, 60) };
        if (options.Turns >= 200)
        {
            ranges.Add((181, 200));
        }

        ranges.RemoveAll(r => r.To > options.Turns);
        var missed = new Dictionary<string, int> { ["baseline"] = 0, ["current"] = 0 };
        await AlternateAsync("chats", chatsPerApp, async (app, run) =>
        {
            var page = await NewPageAsync(browser, app);
            try
            {
                await page.GotoAsync($"/chat/{sessions.Chats[run]}");
                await page.Locator("[data-composer-ready=true]").WaitForAsync();
                for (var turn = 1; turn <= options.Turns; turn++)
                {
                    var (firstText, toProvider) = await TurnAsync(page, app, $"benchmark question {turn}");
                    missed[app.Name] += firstText is null ? 1 : 0;
                    foreach (var (from, to) in ranges.Where(r => turn >= r.From && turn <= r.To))
                    {
                        if (firstText is { } shown)
                        {
                            figures.Add($"Enter → first streamed text visible, turns {from}-{to}", app, shown);
                        }

                        figures.Add($"Enter → request read by the provider, turns {from}-{to}", app, toProvider);
                    }

                    if (turn is 60 or 200)
                    {
                        figures.Add($"DOM nodes after {turn} turns", app, await page.EvaluateAsync<double>("() => document.getElementsByTagName('*').length"), unit: "");
                        figures.Add($"Server RSS after {turn} turns (all runs so far)", app, RssMegabytes(app.ProcessId), unit: " MB");
                        figures.Add($"Request body the provider read at turn {turn}", app, app.Provider.LastRequest().Bytes / 1024.0, unit: " KB");
                    }
                }
            }
            finally
            {
                await page.Context.CloseAsync();
            }

        });

        // 4. Twenty circuits: memory idle and streaming (the provider holds every stream after its first chunk while
        // the reading is taken), then twenty replies at once.
        Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {Circuits} circuits...");
        var heapUnit = heap is null ? "" : " (GC heap after a full collection, dotnet-gcdump)";
        await AlternateAsync("circuits", options.Runs, async (app, _) =>
        {
            var heapBefore = heap is null ? 0 : await heap.MegabytesAsync(app.ProcessId);
            var rssBefore = RssMegabytes(app.ProcessId);
            var pages = new List<IPage>();
            try
            {
                foreach (var session in sessions.Circuits)
                {
                    var page = await NewPageAsync(browser, app);
                    pages.Add(page);
                    await page.GotoAsync($"/chat/{session}");
                    await page.Locator("[data-composer-ready=true]").WaitForAsync();
                }

                var heapIdle = heap is null ? 0 : await heap.MegabytesAsync(app.ProcessId);
                var rssIdle = RssMegabytes(app.ProcessId);

                var allHeld = app.Provider.HoldAsync(Circuits);
                foreach (var page in pages)
                {
                    await page.EvaluateAsync("() => window.__bench.reset()");
                    await SendAsync(page, "hold this stream");
                }

                await allHeld.WaitAsync(TimeSpan.FromSeconds(120));
                foreach (var page in pages)
                {
                    await page.Locator("[data-live=true]").WaitForAsync(new() { Timeout = 60_000 });
                }

                var heapStreaming = heap is null ? 0 : await heap.MegabytesAsync(app.ProcessId);
                var rssStreaming = RssMegabytes(app.ProcessId);
                app.Provider.Release();
                foreach (var page in pages)
                {
                    await page.WaitForFunctionAsync(NoLive, null, new() { Timeout = 120_000 });
                }

                if (heap is not null)
                {
                    figures.Add($"Server memory per idle circuit{heapUnit}", app, (heapIdle - heapBefore) / Circuits, unit: " MB");
                    figures.Add($"Server memory extra per streaming circuit{heapUnit}", app, (heapStreaming - heapIdle) / Circuits, unit: " MB");
                }

                figures.Add("Server memory per idle circuit (VmRSS)", app, (rssIdle - rssBefore) / Circuits, unit: " MB");
                figures.Add("Server memory extra per streaming circuit (VmRSS)", app, (rssStreaming - rssIdle) / Circuits, unit: " MB");

                var before = new List<string>();
                foreach (var page in pages)
                {
                    before.Add(await page.EvaluateAsync<string>(LastAssistant));
                    await page.Locator("#composer-input[data-composer-ready=true]").FillAsync("all at once");
                }

                var pressedAt = Stopwatch.GetTimestamp();
                await Task.WhenAll(pages.Select(p => p.Locator("#composer-input[data-composer-ready=true]").PressAsync("Enter")));
                await Task.WhenAll(pages.Select((p, i) => p.WaitForFunctionAsync(ReplyDone, before[i], new() { Timeout = 120_000 })));
                figures.Add($"{Circuits} replies at once (20 pages press Enter together) → all complete, wall time", app, Stopwatch.GetElapsedTime(pressedAt).TotalMilliseconds);
            }
            finally
            {
                app.Provider.Release();
                foreach (var page in pages)
                {
                    await page.Context.CloseAsync();
                }
            }
        });

        foreach (var app in new[] { baseline, current })
        {
            figures.Add("Server RSS at boot (seeded database, before any page)", app, app.BootRssMegabytes, unit: " MB");
        }

        string? tracePath = null;
        if (options.Trace)
        {
            try
            {
                tracePath = await TraceAsync(browser, current, sessions.Trace);
            }
            catch (Exception e) when (e is TimeoutException or PlaywrightException or InvalidOperationException)
            {
                Console.WriteLine($"--trace failed: {e}");
            }
        }

        var loadAtEnd = LoadAverage();
        var took = Stopwatch.GetElapsedTime(started);
        var command = "dotnet run -c Release --project tests/Agent.Benchmarks.Browser -- compare " + string.Join(' ', args);
        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# Baseline against current, side by side ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"- Baseline: {baselineCommit} ({await GitAsync(AppProcess.RepoRoot, "log", "-1", "--format=%s", baselineCommit)})")
            .AppendLine(CultureInfo.InvariantCulture, $"- Current: {currentCommit} ({await GitAsync(AppProcess.RepoRoot, "log", "-1", "--format=%s", currentCommit)}); src/ last changed in {await GitAsync(AppProcess.RepoRoot, "log", "-1", "--format=%h", currentCommit, "--", "src")}")
            .AppendLine(CultureInfo.InvariantCulture, $"- Settings passed to both under the same names: {settingsCheck}")
            .AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Environment.ProcessorCount} cores, load average {loadAtStart} at start and {loadAtEnd} at the end; Debian Chromium {browser.Version}; both apps Release builds, running at the same time")
            .AppendLine(CultureInfo.InvariantCulture, $"- Command: `{command}` ({took.TotalMinutes:F1} min)")
            .AppendLine(CultureInfo.InvariantCulture, $"- Provider: one local OpenAI-compatible SSE emulator per app, {Chunks} chunks × {PaceMs} ms; caps 100000 calls a minute, 64 concurrent calls; model context window 1,000,000 (no compaction)")
            .AppendLine(CultureInfo.InvariantCulture, $"- Runs: blocks of {Math.Max(1, options.Runs / 2)} in the order baseline, current, baseline, current; chats of {options.Turns} turns ({chatsPerApp} per app), page loads and session opens {2 * Math.Max(1, options.Runs)} per app, {Circuits}-circuit rounds {2 * Math.Max(1, options.Runs / 2)} per app")
            .AppendLine("- Times in the page are on the page's clock (performance.now); Enter → provider and the 20-at-once wall time on the bench process's Stopwatch (Enter is taken just before Playwright presses it)")
            .AppendLine()
            .AppendLine("| figure | baseline | current | current / baseline | note |")
            .AppendLine("|---|---|---|---|---|");
        foreach (var row in figures.Rows())
        {
            var note = row.Name.StartsWith($"{Circuits} replies at once", StringComparison.Ordinal)
                ? $"floor {Chunks * PaceMs} ms ({Chunks} × {PaceMs} ms, the emulator's first byte right after it reads the request): baseline {row.Baseline / (Chunks * PaceMs * 1.1):F2} ×, current {row.Current / (Chunks * PaceMs * 1.1):F2} × floor + 10 %"
                : $"n = {row.BaselineCount} / {row.CurrentCount}";
            report.AppendLine(CultureInfo.InvariantCulture, $"| {row.Name} | {row.Format(row.Baseline)} | {row.Format(row.Current)} | {row.Current / row.Baseline:F2} | {note} |");
        }

        report.AppendLine();
        if (missed.Values.Any(m => m > 0))
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"- Turns whose reply arrived whole, never shown live (left out of first text): baseline {missed["baseline"]}, current {missed["current"]}");
        }

        foreach (var failure in failures)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"- Stopped early: {failure}");
        }

        var resultsPath = Path.Combine(AppProcess.RepoRoot, "tests", "Agent.Benchmarks.Browser", "RESULTS-compare.md");
        var text = report.ToString();
        Console.WriteLine(text);
        if (File.Exists(resultsPath))
        {
            var earlier = (await File.ReadAllTextAsync(resultsPath)).Replace("\n## Previous\n", "\n", StringComparison.Ordinal).Trim();
            text += "\n## Previous\n\n" + string.Join('\n', earlier.Split('\n').Select(l => l.StartsWith('#') ? "#" + l : l)) + "\n";
        }

        await File.WriteAllTextAsync(resultsPath, text);
        Console.WriteLine($"Written to {resultsPath}");
        if (tracePath is not null)
        {
            Console.WriteLine($"Trace of the current app: {tracePath}");
        }

        if (!options.KeepBaseline)
        {
            await GitAsync(AppProcess.RepoRoot, "worktree", "remove", "--force", checkout);
        }

        SqliteConnection.ClearAllPools();
        return 0;
    }

    /// <summary>One turn to its end; first text is null when the page never showed the reply live (it arrived whole).</summary>
    private static async Task<(double? FirstText, double ToProvider)> TurnAsync(IPage page, BenchApp app, string text)
    {
        await page.EvaluateAsync("() => window.__bench.reset()");
        var last = await page.EvaluateAsync<string>(LastAssistant);
        var composer = page.Locator("#composer-input[data-composer-ready=true]");
        await composer.FillAsync(text);
        var pressedAt = Stopwatch.GetTimestamp();
        await composer.PressAsync("Enter");
        await page.WaitForFunctionAsync(FirstTextOrDone, last, new() { Timeout = 120_000 });
        var firstText = await page.EvaluateAsync<double>("() => window.__bench.firstTextAt > 0 ? window.__bench.firstTextAt - window.__bench.enterAt : -1");
        await page.WaitForFunctionAsync(ReplyDone, last, new() { Timeout = 120_000 });
        var toProvider = Stopwatch.GetElapsedTime(pressedAt, app.Provider.LastRequest().ReadAt).TotalMilliseconds;
        return (firstText >= 0 ? firstText : null, toProvider);
    }

    private static async Task SendAsync(IPage page, string text)
    {
        var composer = page.Locator("#composer-input[data-composer-ready=true]");
        await composer.FillAsync(text);
        await composer.PressAsync("Enter");
    }

    /// <summary>An EventPipe trace of <paramref name="app"/> while a few turns run; returns the .nettrace path.</summary>
    private static async Task<string?> TraceAsync(IBrowser browser, BenchApp app, Guid session)
    {
        var tool = Tools.Find("dotnet-trace");
        if (tool is null)
        {
            Console.WriteLine("--trace: dotnet-trace not found (dotnet tool install --tool-path /tmp/dt dotnet-trace).");
            return null;
        }

        var path = Path.Combine(Path.GetTempPath(), $"agent-compare-{DateTime.UtcNow:yyyyMMdd-HHmmss}.nettrace");
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "collect", "-p", app.ProcessId.ToString(CultureInfo.InvariantCulture), "--providers", "Microsoft-Extensions-Logging,System.Runtime,Agent.*", "-o", path })
        {
            start.ArgumentList.Add(arg);
        }

        using var trace = Process.Start(start)!;
        var output = new StringBuilder();
        trace.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        trace.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        trace.BeginOutputReadLine();
        trace.BeginErrorReadLine();

        // The session is open once the file exists: dotnet-trace's progress line ends in '\r', never in a line break
        // a redirected reader would see.
        var deadline = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
        while (!File.Exists(path) && !trace.HasExited && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(100);
        }

        if (!File.Exists(path))
        {
            Console.WriteLine($"--trace: no trace file (dotnet-trace {(trace.HasExited ? $"exited with {trace.ExitCode}" : "still starting")}):\n{output}");
            if (!trace.HasExited)
            {
                trace.Kill();
            }

            return null;
        }

        var page = await NewPageAsync(browser, app);
        try
        {
            await page.GotoAsync($"/chat/{session}");
            await page.Locator("[data-composer-ready=true]").WaitForAsync();
            for (var turn = 1; turn <= 5; turn++)
            {
                await TurnAsync(page, app, $"traced question {turn}");
            }
        }
        finally
        {
            await page.Context.CloseAsync();
        }

        // dotnet-trace finishes the file on Ctrl+C (SIGINT); Enter on a redirected stdin is not read.
        using (var interrupt = Process.Start("kill", ["-INT", trace.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync();
        }

        await trace.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Console.WriteLine($"--trace: {new FileInfo(path).Length:N0} bytes");
        return path;
    }

    private static async Task<IPage> NewPageAsync(IBrowser browser, BenchApp app)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        await context.AddInitScriptAsync(BenchScript.Source);
        return await context.NewPageAsync();
    }

    /// <summary>The baseline's checkout: a detached worktree under /tmp with a Release build of src/Agent.Web.</summary>
    private static async Task<string> PrepareBaselineAsync(string commit)
    {
        var checkout = Path.Combine(Path.GetTempPath(), $"agent-baseline-{commit}");
        if (!Directory.Exists(checkout))
        {
            Console.WriteLine($"git worktree add --detach {checkout} {commit}");
            await GitAsync(AppProcess.RepoRoot, "worktree", "add", "--detach", checkout, commit);
        }

        var built = Directory.Exists(Path.Combine(checkout, "src", "Agent.Web", "bin", "Release"))
            && Directory.GetFiles(Path.Combine(checkout, "src", "Agent.Web", "bin", "Release"), "Agent.Web", SearchOption.AllDirectories).Length > 0;
        if (!built)
        {
            Console.WriteLine($"dotnet build -c Release src/Agent.Web (in {checkout})...");
            await RunAsync("dotnet", checkout, "build", "-c", "Release", "src/Agent.Web");
        }

        return checkout;
    }

    private static Task<string> GitAsync(string folder, params string[] args) => RunAsync("git", folder, args);

    private static async Task<string> RunAsync(string file, string folder, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }

        return (await stdout).Trim();
    }

    /// <summary>Whether the baseline's configuration knows the keys both apps are given (a renamed key would be ignored silently).</summary>
    private static string SettingsCheck(string checkout)
    {
        var file = new[] { Path.Combine(checkout, "appsettings.json"), Path.Combine(checkout, "src", "Agent.Web", "appsettings.json") }.FirstOrDefault(File.Exists);
        if (file is null)
        {
            return "baseline appsettings.json not found, keys unchecked";
        }

        var text = File.ReadAllText(file);
        var missing = new[] { "MaxCallsPerMinuteTenant", "MaxConcurrentCallsTenant", "MaxConcurrentCallsGlobal", "ContextWindow", "DefaultProvider" }
            .Where(k => !text.Contains($"\"{k}\"", StringComparison.Ordinal)).ToList();
        return missing.Count == 0
            ? $"Agent:Caps:MaxCallsPerMinuteTenant/MaxConcurrentCallsTenant/MaxConcurrentCallsGlobal, Agent:DefaultProvider and Models:N:ContextWindow all appear in the baseline's {Path.GetRelativePath(checkout, file)}"
            : $"NOT in the baseline's {Path.GetRelativePath(checkout, file)}: {string.Join(", ", missing)}";
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    internal static double RssMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    private sealed record CompareOptions(string Baseline, int Runs, int Turns, bool Trace, bool KeepBaseline)
    {
        public static CompareOptions Parse(string[] args)
        {
            string? Value(string name)
            {
                var at = Array.IndexOf(args, name);
                return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
            }

            var baseline = Value("--baseline") ?? throw new ArgumentException("compare needs --baseline SHA");
            var runs = int.Parse(Value("--runs") ?? "2", CultureInfo.InvariantCulture);
            var turns = int.Parse(Value("--turns") ?? "60", CultureInfo.InvariantCulture);
            return new CompareOptions(baseline, runs, turns, args.Contains("--trace"), args.Contains("--keep-baseline"));
        }
    }
}

/// <summary>The seeded sessions both apps hold: one empty per chat run, one per circuit, one for page loads, one for the trace, and 10,000 messages.</summary>
internal sealed record CompareSessions(IReadOnlyList<Guid> Chats, IReadOnlyList<Guid> Circuits, Guid PageLoad, Guid Trace, Guid TenThousand, Guid TenThousandLast);

/// <summary>One app under comparison: its process, its own paced provider and data folder, and its RSS once booted.</summary>
internal sealed class BenchApp : IAsyncDisposable
{
    private BenchApp(string name, AppProcess process, PacedSseServer provider, double bootRss)
    {
        Name = name;
        Process = process;
        Provider = provider;
        BootRssMegabytes = bootRss;
    }

    public string Name { get; }

    public AppProcess Process { get; }

    public PacedSseServer Provider { get; }

    public double BootRssMegabytes { get; }

    public int ProcessId => Process.ProcessId;

    public Uri BaseAddress => Process.BaseAddress;

    /// <summary>Starts the app once on an empty folder so it migrates to its own schema, copies the template's rows in, and starts it again.</summary>
    public static async Task<BenchApp> StartAsync(string name, string appHost, string contentRoot, string template)
    {
        var provider = await PacedSseServer.StartAsync(20, 50);
        var dataFolder = Directory.CreateTempSubdirectory($"agent-compare-{name}").FullName;
        var settings = new Dictionary<string, string>
        {
            ["Agent:Providers:3:Name"] = "bench",
            ["Agent:Providers:3:Kind"] = "OpenAICompatible",
            ["Agent:Providers:3:Mode"] = "Sandbox",
            ["Agent:Providers:3:BaseUrl"] = provider.BaseUrl.ToString(),
            ["Agent:Providers:3:Models:0:Id"] = "emulator-model",
            ["Agent:Providers:3:Models:0:ContextWindow"] = "1000000",
            ["Agent:DefaultProvider"] = "bench",
            ["Agent:Caps:MaxCallsPerMinuteTenant"] = "100000",
            ["Agent:Caps:MaxConcurrentCallsTenant"] = "64",
            ["Agent:Caps:MaxConcurrentCallsGlobal"] = "64",
        };
        await (await AppProcess.StartAsync(settings, dataFolder, appHost: appHost, contentRoot: contentRoot)).DisposeAsync();
        await WorkbenchSeeder.CopyIntoAsync(template, Path.Combine(dataFolder, "agent.db"), "sessions", "messages");
        SqliteConnection.ClearAllPools();
        var process = await AppProcess.StartAsync(settings, dataFolder, appHost: appHost, contentRoot: contentRoot);
        return new BenchApp(name, process, provider, CompareBench.RssMegabytes(process.ProcessId));
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        await Provider.DisposeAsync();
    }
}

internal enum Aggregate
{
    Median,
    P95,
}

/// <summary>The samples of every figure for both apps, in the order the figures were first seen.</summary>
internal sealed class Figures
{
    private readonly List<string> names = [];
    private readonly Dictionary<string, (Aggregate Aggregate, string Unit, List<double> Baseline, List<double> Current)> samples = [];

    public void Add(string name, BenchApp app, double value, Aggregate aggregate = Aggregate.Median, string unit = " ms")
    {
        if (!samples.TryGetValue(name, out var figure))
        {
            figure = (aggregate, unit, [], []);
            samples[name] = figure;
            names.Add(name);
        }

        (app.Name == "baseline" ? figure.Baseline : figure.Current).Add(value);
    }

    public IEnumerable<FigureRow> Rows() => names.Select(n =>
    {
        var (aggregate, unit, baseline, current) = samples[n];
        return new FigureRow(n, unit, Of(baseline, aggregate), Of(current, aggregate), baseline.Count, current.Count);
    });

    private static double Of(List<double> values, Aggregate aggregate)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return aggregate == Aggregate.P95 ? sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * 0.95) - 1)] : sorted[sorted.Count / 2];
    }
}

internal sealed record FigureRow(string Name, string Unit, double Baseline, double Current, int BaselineCount, int CurrentCount)
{
    public string Format(double value) => double.IsNaN(value) ? "n/a" : Unit == " ms" || Unit == " MB" || Unit == " KB" ? $"{value:F1}{Unit}" : $"{value:F0}{Unit}";
}

/// <summary>The diagnostic tools installed with <c>dotnet tool install --tool-path /tmp/dt</c>, or on the PATH.</summary>
internal static class Tools
{
    public static string? Find(string name) =>
        new[] { Environment.GetEnvironmentVariable("DOTNET_TOOLS_PATH"), "/tmp/dt", Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools") }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
            .Where(d => !string.IsNullOrEmpty(d))
            .Select(d => Path.Combine(d!, name))
            .FirstOrDefault(File.Exists);
}

/// <summary>The live managed heap after a full collection, read with dotnet-gcdump (collect, then report's total).</summary>
internal sealed class GcHeap(string tool)
{
    public string Tool => tool;

    public static GcHeap? Find() => Tools.Find("dotnet-gcdump") is { } tool ? new GcHeap(tool) : null;

    public async Task<double> MegabytesAsync(int pid)
    {
        var path = Path.Combine(Path.GetTempPath(), $"agent-compare-{pid}-{Guid.NewGuid():N}.gcdump");
        try
        {
            await RunAsync("collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", path);
            var report = await RunAsync("report", path);

            // The report starts with the total: "   123,456,789  GC Heap bytes".
            var total = report.Split('\n').First(l => l.Contains("GC Heap bytes", StringComparison.OrdinalIgnoreCase));
            return double.Parse(total.Trim().Split(' ')[0], NumberStyles.AllowThousands, CultureInfo.InvariantCulture) / (1024 * 1024);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private async Task<string> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await stdout : throw new InvalidOperationException($"dotnet-gcdump {string.Join(' ', args)} exited with {process.ExitCode}: {await stdout} {await stderr}");
    }
}
