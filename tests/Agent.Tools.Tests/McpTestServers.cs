using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Agent.Domain.Tools;
using Agent.Runtime.Mcp;

namespace Agent.Tools.Tests;

/// <summary>The real MCP servers installed from npm into tests/mcp-servers by the test command (npm ci).</summary>
internal static class McpTestServers
{
    public static string Root { get; } = FindRoot();

    public static string Everything => Path.Combine(Root, "tests", "mcp-servers", "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");

    public static string Memory => Path.Combine(Root, "tests", "mcp-servers", "node_modules", "@modelcontextprotocol", "server-memory", "dist", "index.js");

    public static McpConnectionOptions FastOptions { get; } = new(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(2), 10);

    public static McpServerSpec Stdio(string name, string script, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? env = null) =>
        new(name, McpTransport.Stdio, "node", [script, .. args], env ?? new Dictionary<string, string>(), null, true);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Agent.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Agent.sln not found above the test binaries.");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts server-everything over Streamable HTTP on <paramref name="port"/> and waits until it listens.</summary>
    public static async Task<Process> StartHttpEverythingAsync(int port, string mode = "streamableHttp")
    {
        var start = new ProcessStartInfo("node") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Everything);
        start.ArgumentList.Add(mode);
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return process;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"server-everything did not listen on port {port}.");
    }

    /// <summary>Kills the child processes of this test process whose command line contains <paramref name="marker"/>.</summary>
    public static int KillChildrenWith(string marker)
    {
        var killed = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (cmdline.Contains(marker, StringComparison.Ordinal) && pid != Environment.ProcessId)
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill();
                    process.WaitForExit(5000);
                    killed++;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                // The process ended meanwhile.
            }
        }

        return killed;
    }

    public static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The condition was not met in time.");
            }

            await Task.Delay(100);
        }
    }
}
