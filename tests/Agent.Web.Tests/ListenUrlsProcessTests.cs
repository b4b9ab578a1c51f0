using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Agent.Web.Hosting;
using Microsoft.Extensions.Configuration;

namespace Agent.Web.Tests;

/// <summary>ASPNETCORE_URLS and --urls reach Kestrel (the real built app), and only loopback is accepted.</summary>
public sealed class ListenUrlsProcessTests
{
    [Fact]
    public async Task ASPNETCORE_URLS_is_where_the_app_answers()
    {
        var port = FreePort();
        await using var app = await RunningApp.StartAsync(env: new() { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" }, args: []);
        await app.WaitForHealthAsync(port);
        Assert.Contains($"is running at http://127.0.0.1:{port}", app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Urls_on_the_command_line_is_where_the_app_answers_keys_stay_in_the_data_folder_and_requests_are_logged_without_secrets()
    {
        var port = FreePort();
        await using var app = await RunningApp.StartAsync(env: [], args: [$"--urls=http://127.0.0.1:{port}"]);
        using var client = await app.WaitForHealthAsync(port);

        // The first page carries an antiforgery token, which needs a data protection key.
        using var page = await client.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(app.DataFolder, "keys"), "key-*.xml"));
        Assert.False(Directory.Exists(Path.Combine(app.Home, ".aspnet")), "no key ring under $HOME");

        // Serilog request logging writes one line per request: path and status, never the query string or headers.
        var secret = "request-log-secret-" + Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/tools?api_key={secret}", UriKind.Relative));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secret);
        using var tools = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, tools.StatusCode);
        await app.WaitForOutputAsync("HTTP GET /api/tools responded 200");
        Assert.DoesNotContain(secret, app.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ASPNETCORE_URLS", "http://0.0.0.0:5998")]
    [InlineData("ASPNETCORE_HTTP_PORTS", "5997")]
    public async Task A_non_loopback_address_from_the_environment_stops_start_up_naming_the_key(string variable, string value)
    {
        await using var app = await RunningApp.StartAsync(env: new() { [variable] = value }, args: []);
        var exitCode = await app.WaitForExitAsync();

        Assert.Equal(2, exitCode);
        Assert.Contains(variable, app.Output, StringComparison.Ordinal);
        Assert.Contains("this version has no sign-in", app.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("is running at", app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_applies_only_when_no_source_sets_urls()
    {
        Assert.Equal((HostSetup.DefaultUrl, ListenUrls.DefaultSource), ListenUrls.Effective(new ConfigurationBuilder().Build()));

        var fromFile = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Urls"] = "http://127.0.0.1:7001" }).Build();
        Assert.Equal("http://127.0.0.1:7001", ListenUrls.Effective(fromFile).Urls);

        var fromCommandLine = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Urls"] = "http://127.0.0.1:7001" })
            .AddCommandLine(["--urls=http://127.0.0.1:7002"])
            .Build();
        Assert.Equal(("http://127.0.0.1:7002", "--urls"), ListenUrls.Effective(fromCommandLine));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The app's build output (src/Agent.Web/bin/&lt;Configuration&gt;/net10.0) as a child process with its own data folder and $HOME.</summary>
    private sealed class RunningApp : IAsyncDisposable
    {
        private readonly Process process;
        private readonly StringBuilder output = new();
        private readonly DirectoryInfo folder;

        private RunningApp(Process process, DirectoryInfo folder)
        {
            this.process = process;
            this.folder = folder;
        }

        public string DataFolder => Path.Combine(folder.FullName, "data");

        public string Home => Path.Combine(folder.FullName, "home");

        public string Output
        {
            get
            {
                lock (output)
                {
                    return output.ToString();
                }
            }
        }

        public static Task<RunningApp> StartAsync(Dictionary<string, string> env, string[] args)
        {
            var folder = Directory.CreateTempSubdirectory("agent-urls-test");
            var start = new ProcessStartInfo(AppHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add($"--contentRoot={RepoPaths.Root}");
            start.ArgumentList.Add($"--Agent:Storage:DatabasePath={Path.Combine(folder.FullName, "data", "agent.db")}");
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS", "URLS" })
            {
                start.Environment.Remove(inherited);
            }

            Directory.CreateDirectory(Path.Combine(folder.FullName, "home"));
            start.Environment["HOME"] = Path.Combine(folder.FullName, "home");
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            foreach (var (name, value) in env)
            {
                start.Environment[name] = value;
            }

            var app = new RunningApp(Process.Start(start)!, folder);
            app.process.OutputDataReceived += (_, e) => app.Append(e.Data);
            app.process.ErrorDataReceived += (_, e) => app.Append(e.Data);
            app.process.BeginOutputReadLine();
            app.process.BeginErrorReadLine();
            return Task.FromResult(app);
        }

        public async Task<HttpClient> WaitForHealthAsync(int port)
        {
            var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                if (process.HasExited)
                {
                    client.Dispose();
                    throw new Xunit.Sdk.XunitException($"The app exited with {process.ExitCode} at start:\n{Output}");
                }

                try
                {
                    using var health = await client.GetAsync(new Uri("/health", UriKind.Relative));
                    if (health.IsSuccessStatusCode)
                    {
                        return client;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(100);
            }

            client.Dispose();
            throw new Xunit.Sdk.XunitException($"The app did not answer /health on port {port} within 60 s:\n{Output}");
        }

        public async Task WaitForOutputAsync(string text)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!Output.Contains(text, StringComparison.Ordinal))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new Xunit.Sdk.XunitException($"The app did not print '{text}' within 30 s:\n{Output}");
                }

                await Task.Delay(100);
            }
        }

        public async Task<int> WaitForExitAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            process.WaitForExit(); // drains the redirected output
            return process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
            try
            {
                folder.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }

        private void Append(string? line)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }

        private static string AppHost()
        {
            // Same configuration as this test build: .../tests/Agent.Web.Tests/bin/<Configuration>/net10.0/
            var parts = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            var configuration = parts[Array.LastIndexOf(parts, "bin") + 1];
            var root = Path.Combine(RepoPaths.Root, "src", "Agent.Web", "bin", configuration, "net10.0");
            return Directory.EnumerateFiles(root, "Agent.Web", SearchOption.AllDirectories).FirstOrDefault()
                ?? throw new InvalidOperationException($"No Agent.Web apphost under {root}; build src/Agent.Web first.");
        }
    }
}
