using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Agent.Web.Hosting;
using Microsoft.Extensions.Configuration;

namespace Agent.Web.Tests;

/// <summary>
/// ASPNETCORE_URLS and --urls reach Kestrel (the real built app); beyond loopback the app starts only once someone can
/// sign in, and then every request that does not come from this machine must sign in.
/// </summary>
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
        Assert.Contains("no user exists yet", app.Output, StringComparison.Ordinal);
        Assert.Contains("users add NAME --tenant TENANT --admin", app.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("is running at", app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Off_loopback_every_request_from_another_machine_must_sign_in_and_this_machine_needs_not()
    {
        // The machine's own non-loopback address: a request to it arrives with that address as its remote end, as from another machine.
        var address = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        Assert.True(address is not null, "this test needs a non-loopback IPv4 address on the machine");

        var folder = Directory.CreateTempSubdirectory("agent-offloopback-test");
        await using (var add = await RunningApp.StartAsync(env: [], args: ["users", "add", "alice", "--tenant", "acme", "--admin"], stdin: "alice's long password", folder: folder))
        {
            Assert.Equal(0, await add.WaitForExitAsync());
            Assert.Contains("Created administrator 'alice' in tenant 'acme'.", add.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("alice's long password", add.Output, StringComparison.Ordinal);
        }

        var port = FreePort();
        await using var app = await RunningApp.StartAsync(env: new() { ["ASPNETCORE_URLS"] = $"http://0.0.0.0:{port}" }, args: [], folder: folder);
        using var local = await app.WaitForHealthAsync(port);
        using var remote = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://{address}:{port}") };

        var refusedApis = 0;
        foreach (var path in new[] { "/api/sessions", "/api/bootstrap", "/api/execution", "/api/tools", "/api/mcp", "/api/tokens", "/api/access-tokens", "/api/not-a-route" })
        {
            using var response = await remote.GetAsync(new Uri(path, UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{path}: {(int)response.StatusCode}");
            Assert.Contains("Sign in first", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            refusedApis++;
        }

        using var posted = await remote.PostAsync(new Uri("/api/sessions", UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, posted.StatusCode);
        foreach (var page in new[] { "/", "/settings", "/runs" })
        {
            using var response = await remote.GetAsync(new Uri(page, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith($"http://{address}:{port}/signin?ReturnUrl=", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        using var signIn = await remote.GetAsync(new Uri("/signin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await remote.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);

        // This machine is the owner, as before sign-in existed; through a proxy (a forwarding header) it is a stranger again.
        Assert.Equal(HttpStatusCode.OK, (await local.GetAsync(new Uri("/api/sessions", UriKind.Relative))).StatusCode);
        using var forwarded = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/sessions", UriKind.Relative));
        forwarded.Headers.Add("X-Forwarded-For", "203.0.113.9");
        Assert.Equal(HttpStatusCode.Unauthorized, (await local.SendAsync(forwarded)).StatusCode);

        // A hostile page in the owner's browser: a cross-site form post, and a DNS-rebinding name for this address.
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/sessions", UriKind.Relative)) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        crossSite.Headers.Add("Origin", "https://evil.example");
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var crossSiteAnswer = await local.SendAsync(crossSite);
        Assert.Equal(HttpStatusCode.Forbidden, crossSiteAnswer.StatusCode);
        Assert.Contains("cross-origin request refused", await crossSiteAnswer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var rebound = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/sessions", UriKind.Relative));
        rebound.Headers.Host = $"rebound.evil.example:{port}";
        Assert.Equal(HttpStatusCode.Unauthorized, (await local.SendAsync(rebound)).StatusCode);
        await app.DisposeAsync();
        folder.Delete(recursive: true);
        Console.WriteLine($"off-loopback: {refusedApis} API routes answered 401 from {address}, 3 pages redirected to /signin");
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
        private readonly bool ownsFolder;
        private bool disposed;

        private RunningApp(Process process, DirectoryInfo folder, bool ownsFolder)
        {
            this.process = process;
            this.folder = folder;
            this.ownsFolder = ownsFolder;
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

        public static async Task<RunningApp> StartAsync(Dictionary<string, string> env, string[] args, string? stdin = null, DirectoryInfo? folder = null)
        {
            var ownsFolder = folder is null;
            folder ??= Directory.CreateTempSubdirectory("agent-urls-test");
            var start = new ProcessStartInfo(AppHost()) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            start.ArgumentList.Add($"--contentRoot={RepoPaths.Root}");
            start.ArgumentList.Add($"--Agent:Storage:DatabasePath={Path.Combine(folder.FullName, "data", "agent.db")}");

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

            var app = new RunningApp(Process.Start(start)!, folder, ownsFolder);
            app.process.OutputDataReceived += (_, e) => app.Append(e.Data);
            app.process.ErrorDataReceived += (_, e) => app.Append(e.Data);
            app.process.BeginOutputReadLine();
            app.process.BeginErrorReadLine();
            if (stdin is not null)
            {
                await app.process.StandardInput.WriteLineAsync(stdin);
                app.process.StandardInput.Close();
            }

            return app;
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
            if (disposed)
            {
                return;
            }

            disposed = true;
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
            try
            {
                if (ownsFolder)
                {
                    folder.Delete(recursive: true);
                }
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
