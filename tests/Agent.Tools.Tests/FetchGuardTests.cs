using System.Net;
using System.Net.Sockets;
using System.Text;
using Agent.Domain.Configuration;
using Agent.Runtime.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Agent.Tools.Tests;

/// <summary>
/// SSRF corpus: fetch_url against a real "internal" server on this machine, through every spelling of loopback, the
/// machine's own address, private and link-local ranges and redirects from an allowed server. The internal server counts
/// the connections it accepts: 0 reached.
/// </summary>
public sealed class FetchGuardTests(ITestOutputHelper output)
{
    [Fact]
    public async Task No_target_of_the_corpus_reaches_the_internal_server()
    {
        await using var secret = await TinyServer.StartAsync(_ => "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecret");
        var p = secret.Port;
        var machine = MachineAddress();
        await using var redirector = await TinyServer.StartAsync(path => $"HTTP/1.1 302 Found\r\nLocation: {Uri.UnescapeDataString(path.TrimStart('/'))}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        var r = redirector.Port;

        var direct = new[]
        {
            $"http://127.0.0.1:{p}/", $"http://localhost:{p}/", $"http://[::1]:{p}/", $"http://0.0.0.0:{p}/", $"http://2130706433:{p}/",
            $"http://0x7f000001:{p}/", $"http://127.1:{p}/", $"http://0177.0.0.1:{p}/", $"http://[::ffff:127.0.0.1]:{p}/", $"http://[::]:{p}/",
            $"http://{machine}:{p}/", $"https://127.0.0.1:{p}/", "http://169.254.169.254/latest/meta-data/", $"http://10.0.0.1:{p}/",
            $"http://172.16.0.1:{p}/", $"http://192.168.0.1:{p}/", $"http://100.64.0.1:{p}/", $"http://[fd00::1]:{p}/", $"http://[fe80::1]:{p}/",
            $"http://224.0.0.1:{p}/",
        };
        var viaRedirect = new[] { $"http://127.0.0.1:{p}/", $"http://localhost:{p}/", $"http://[::1]:{p}/", $"http://2130706433:{p}/", $"http://[::ffff:127.0.0.1]:{p}/" }
            .Select(target => $"http://{machine}:{r}/{Uri.EscapeDataString(target)}")
            .ToArray();

        // Only the redirector's own address is allowed, and only for the redirect cases (the machine address itself is refused above).
        var strict = FetchTool([]);
        var redirectorAllowed = FetchTool([$"{machine}/32"]);
        var refused = 0;
        foreach (var url in direct)
        {
            refused += await RefusedAsync(strict, url);
        }

        foreach (var url in viaRedirect)
        {
            refused += await RefusedAsync(redirectorAllowed, url);
        }

        Assert.True(redirector.Connections >= viaRedirect.Length, "the redirects were served, so each one was refused at the redirect");
        Assert.Equal(0, secret.Connections);

        // The control: with loopback allowed in config the same server is reached, so 0 above is the guard's doing.
        var permissive = FetchTool(["127.0.0.0/8"]);
        var reached = AgentLoop.ToJson(await permissive.InvokeAsync(new AIFunctionArguments { ["url"] = $"http://127.0.0.1:{p}/" }));
        Assert.Contains("secret", reached, StringComparison.Ordinal);
        Assert.Equal(1, secret.Connections);
        output.WriteLine($"SSRF corpus: {direct.Length + viaRedirect.Length} targets ({viaRedirect.Length} via redirects), {refused} refused, 0 reached; control with 127.0.0.0/8 allowed reached it");
    }

    [Fact]
    public void Addresses_are_judged_after_mapping_and_allow_lists_win()
    {
        var guard = FetchGuard.FromConfig(["10.1.2.0/24"]);
        Assert.False(guard.IsAllowed(IPAddress.Parse("::ffff:169.254.169.254")));
        Assert.False(guard.IsAllowed(IPAddress.Parse("10.1.3.1")));
        Assert.True(guard.IsAllowed(IPAddress.Parse("10.1.2.7")));
        Assert.True(guard.IsAllowed(IPAddress.Parse("93.184.216.34")));
        Assert.True(guard.IsAllowed(IPAddress.Parse("2606:4700::1111")));
    }

    [Fact]
    public void A_bad_network_in_config_stops_start_up_naming_the_key()
    {
        var options = new AgentOptions();
        options.Tools.FetchAllowedNetworks.Add("10.0.0.0/33");
        var errors = AgentOptionsValidator.Validate(options);
        Assert.Contains(errors, e => e.Key == "Agent:Tools:FetchAllowedNetworks:0");
    }

    private static async Task<int> RefusedAsync(AgentTool fetch, string url)
    {
        var error = await Assert.ThrowsAsync<ToolException>(() => fetch.InvokeAsync(new AIFunctionArguments { ["url"] = url }).AsTask());
        Assert.Contains("fetch_url refuses", error.Message, StringComparison.Ordinal);
        return 1;
    }

    private static AgentTool FetchTool(IReadOnlyList<string> allowed)
    {
        var options = new AgentOptions();
        options.Tools.FetchAllowedNetworks.AddRange(allowed);
        var services = new ServiceCollection().AddSingleton(Options.Create(options)).AddFetchClient().BuildServiceProvider();
        return BuiltInTools.Fetch(services.GetRequiredService<IHttpClientFactory>(), 4096);
    }

    private static string MachineAddress() =>
        System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .First(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            .ToString();

    /// <summary>A one-line HTTP server on every address of this machine (IPv4 and IPv6) that counts its connections.</summary>
    private sealed class TinyServer : IAsyncDisposable
    {
        private readonly TcpListener listener;
        private readonly CancellationTokenSource stop = new();
        private readonly Func<string, string> answer;
        private int connections;

        private TinyServer(TcpListener listener, Func<string, string> answer)
        {
            this.listener = listener;
            this.answer = answer;
        }

        public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref connections);

        public static Task<TinyServer> StartAsync(Func<string, string> answer)
        {
            var listener = new TcpListener(IPAddress.IPv6Any, 0);
            listener.Server.DualMode = true;
            listener.Start();
            var server = new TinyServer(listener, answer);
            _ = server.AcceptAsync();
            return Task.FromResult(server);
        }

        private async Task AcceptAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                Interlocked.Increment(ref connections);
                using (client)
                {
                    var stream = client.GetStream();
                    var buffer = new byte[4096];
                    var read = await stream.ReadAsync(buffer);
                    var requestLine = Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];
                    var path = requestLine.Split(' ') is [_, var target, ..] ? target : "/";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(answer(path)));
                }
            }
        }

        public ValueTask DisposeAsync()
        {
            stop.Cancel();
            listener.Stop();
            stop.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
