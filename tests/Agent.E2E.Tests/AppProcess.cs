using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace Agent.E2E.Tests;

/// <summary>The real app as a separate process on 127.0.0.1 with its own temp database; killed on dispose.</summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private AppProcess(Process process, Uri baseAddress, string dataFolder)
    {
        this.process = process;
        BaseAddress = baseAddress;
        DataFolder = dataFolder;
    }

    public Uri BaseAddress { get; }

    public int ProcessId => process.Id;

    public string DataFolder { get; }

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

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// Starts the app; <paramref name="environment"/> adds (or, with a null value, removes) environment variables of its
    /// process. With <paramref name="remoteHost"/> (this machine's own non-loopback address) it listens on every address
    /// and <see cref="BaseAddress"/> uses that one, so the browser arrives as from another machine and must sign in.
    /// <paramref name="appHost"/> and <paramref name="contentRoot"/> start another build of the app (another commit's
    /// checkout) instead of this repository's.
    /// </summary>
    public static async Task<AppProcess> StartAsync(IReadOnlyDictionary<string, string>? settings = null, string? dataFolder = null, CancellationToken cancellationToken = default,
        IReadOnlyDictionary<string, string?>? environment = null, string? remoteHost = null, string? appHost = null, string? contentRoot = null)
    {
        var port = FreePort();
        dataFolder ??= Directory.CreateTempSubdirectory("agent-e2e").FullName;
        var start = new ProcessStartInfo(appHost ?? AppHostPath())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                $"--contentRoot={contentRoot ?? RepoRoot}",
                remoteHost is null ? $"--urls=http://127.0.0.1:{port}" : $"--urls=http://0.0.0.0:{port}",
                $"--Agent:Storage:DatabasePath={Path.Combine(dataFolder, "agent.db")}",
            },
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        // The fixture decides which keys exist: none unless a test sets them.
        start.Environment.Remove("OPENAI_API_KEY");
        start.Environment.Remove("ANTHROPIC_API_KEY");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var app = new AppProcess(Process.Start(start)!, new Uri($"http://{remoteHost ?? "127.0.0.1"}:{port}/"), dataFolder);
        app.process.OutputDataReceived += (_, e) => app.Append(e.Data);
        app.process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        app.process.BeginOutputReadLine();
        app.process.BeginErrorReadLine();
        await app.WaitUntilHealthyAsync(cancellationToken);
        return app;
    }

    /// <summary>The same server on loopback, where the machine's owner needs no sign-in.</summary>
    public Uri LoopbackAddress => new($"http://127.0.0.1:{BaseAddress.Port}/");

    /// <summary>Runs <c>users add NAME --tenant TENANT [--admin]</c> on <paramref name="dataFolder"/>'s database, the password on standard input.</summary>
    public static async Task AddUserAsync(string dataFolder, string name, string tenant, string password, bool admin = false)
    {
        var start = new ProcessStartInfo(AppHostPath()) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "users", "add", name, "--tenant", tenant, $"--contentRoot={RepoRoot}", $"--Agent:Storage:DatabasePath={Path.Combine(dataFolder, "agent.db")}" })
        {
            start.ArgumentList.Add(arg);
        }

        if (admin)
        {
            start.ArgumentList.Add("--admin");
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteLineAsync(password);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"users add {name} exited with {process.ExitCode}:\n{output}");
        }
    }

    /// <summary>This machine's first non-loopback IPv4 address.</summary>
    public static string MachineAddress() =>
        System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))?.ToString()
        ?? throw new InvalidOperationException("This machine has no non-loopback IPv4 address to test sign-in from.");

    /// <summary>Ends the process at once, as a crash would (SIGKILL).</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process.Dispose();
    }

    private async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with {process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("health", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Slow first answer; try again.
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"The app did not become healthy within 60 s:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    /// <summary>The apphost of src/Agent.Web built under <paramref name="checkout"/> (this repository by default) in this assembly's configuration.</summary>
    public static string AppHostPath(string? checkout = null)
    {
        var configuration = typeof(AppProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var output = Path.Combine(checkout ?? RepoRoot, "src", "Agent.Web", "bin", configuration, "net10.0");
        var host = Directory.GetFiles(output, "Agent.Web", SearchOption.AllDirectories).FirstOrDefault()
            ?? throw new FileNotFoundException($"Build src/Agent.Web first: no apphost under {output}");
        return host;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Agent.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Agent.sln not found");
    }
}
