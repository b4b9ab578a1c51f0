using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace Agent.E2E.Tests;

/// <summary>
/// The hostile tryout's attack in real Chromium: a page served from another port of the same host (the same site, so
/// the browser sends the signed-in cookie with it) posts text/plain and forms to the MCP import, confirms the server it
/// imported with a bodyless POST and submits an execution, with no-cors fetches and a form. It runs once against a
/// signed-in administrator and once against the loopback owner. Nothing happens: no server, no execution, no marker file.
/// </summary>
public sealed class CrossSiteAttackTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Password = "ada's long password";

    [Fact]
    public async Task A_page_on_another_port_can_make_neither_a_signed_in_administrator_nor_the_owner_act()
    {
        var folder = Directory.CreateTempSubdirectory("agent-e2e-cross-site").FullName;
        await AppProcess.AddUserAsync(folder, "ada", "acme", Password, admin: true);
        await using var app = await AppProcess.StartAsync(dataFolder: folder, remoteHost: AppProcess.MachineAddress());
        var markers = folder;

        // The administrator, signed in at this machine's address; the owner, on loopback with no sign-in.
        var adminContext = await fixture.Browser.NewContextAsync(Workbench.ContextFor(app, 1280, 800));
        var admin = await adminContext.NewPageAsync();
        await Workbench.OpenAndSignInAsync(admin, "ada", Password);
        var ownerContext = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.LoopbackAddress.ToString() });
        var owner = await ownerContext.NewPageAsync();
        await Workbench.OpenAsync(owner);

        foreach (var (page, target) in new[] { (admin, app.BaseAddress), (owner, app.LoopbackAddress) })
        {
            using var attacker = new AttackerSite(target.Host, AttackPage(target, markers));
            await page.GotoAsync(attacker.Address.ToString());
            await Assertions.Expect(page.Locator("#done")).ToHaveTextAsync("done", new() { Timeout = 30_000 });
            Assert.True(attacker.Served >= 1);
        }

        // What the attack tried to leave behind, read back as each victim: nothing.
        foreach (var (context, address) in new[] { (adminContext, app.BaseAddress), (ownerContext, app.LoopbackAddress) })
        {
            var servers = await context.APIRequest.GetAsync(new Uri(address, "api/mcp").ToString());
            Assert.Equal(200, servers.Status);
            var listed = await servers.TextAsync();
            Assert.DoesNotContain("evil", listed, StringComparison.Ordinal);

            var executions = await context.APIRequest.GetAsync(new Uri(address, "api/execution").ToString());
            Assert.Equal(200, executions.Status);
            Assert.DoesNotContain("demo_long_task", await executions.TextAsync(), StringComparison.Ordinal);
        }

        Assert.Empty(Directory.GetFiles(markers, "marker-*"));

        // The attacks did reach the app, and each was refused there (the request log names the status sent).
        foreach (var refused in new[] { "POST /api/mcp/import responded 403", "POST /api/mcp/evil-fetch/confirm responded 403", "POST /api/execution responded 403", "POST /api/mcp/evil-form/confirm responded 403" })
        {
            Assert.True(app.Output.Split('\n').Count(l => l.Contains(refused, StringComparison.Ordinal)) >= 2, $"expected '{refused}' for both victims in the app's log:\n{app.Output}");
        }
        await adminContext.CloseAsync();
        await ownerContext.CloseAsync();
    }

    /// <summary>The hostile page: no-cors fetches with text/plain and empty bodies, and a text/plain form into a hidden frame.</summary>
    private static string AttackPage(Uri target, string markers)
    {
        var app = target.ToString();
        string Server(string name) => JsonSerializer.Serialize(new { mcpServers = new Dictionary<string, object> { [name] = new { command = "sh", args = new[] { "-c", $"touch {markers}/marker-{name}" } } } });
        var formName = Server("evil-form")[..^1] + ",\"pad\":\"";
        return $$"""
            <!doctype html>
            <html><body>
            <iframe name="sink" id="sink"></iframe>
            <form id="attack" method="post" enctype="text/plain" target="sink" action="{{app}}api/mcp/import">
              <input type="hidden" name='{{WebUtility.HtmlEncode(formName)}}' value='"}'>
            </form>
            <form id="confirm" method="post" target="sink" action="{{app}}api/mcp/evil-form/confirm"></form>
            <p id="done">running</p>
            <script>
            const app = {{JsonSerializer.Serialize(app)}};
            const opts = (body) => ({ method: "POST", mode: "no-cors", credentials: "include", headers: { "Content-Type": "text/plain" }, body });
            const frameLoaded = () => new Promise((resolve) => document.getElementById("sink").addEventListener("load", resolve, { once: true }));
            (async () => {
              const settle = (p) => p.catch(() => null);
              await settle(fetch(app + "api/mcp/import", opts({{JsonSerializer.Serialize(Server("evil-fetch"))}})));
              await settle(fetch(app + "api/mcp/evil-fetch/confirm", { method: "POST", mode: "no-cors", credentials: "include" }));
              await settle(fetch(app + "api/mcp/evil-fetch/restart", { method: "POST", mode: "no-cors", credentials: "include" }));
              await settle(fetch(app + "api/execution", opts(JSON.stringify({ intent: "demo_long_task" }))));
              await settle(fetch(app + "api/sessions", opts("{}")));
              let loaded = frameLoaded();
              document.getElementById("attack").submit();
              await loaded;
              loaded = frameLoaded();
              document.getElementById("confirm").submit();
              await loaded;
              document.getElementById("done").textContent = "done";
            })();
            </script>
            </body></html>
            """;
    }

    /// <summary>A one-page web server on another port of the target's host: the hostile site.</summary>
    private sealed class AttackerSite : IDisposable
    {
        private readonly TcpListener listener;
        private readonly byte[] page;
        private readonly CancellationTokenSource stop = new();
        private int served;

        public AttackerSite(string host, string html)
        {
            listener = new TcpListener(IPAddress.Parse(host), 0);
            listener.Start();
            Address = new Uri($"http://{host}:{((IPEndPoint)listener.LocalEndpoint).Port}/");
            page = Encoding.UTF8.GetBytes(html);
            _ = ServeAsync();
        }

        public Uri Address { get; }

        public int Served => Volatile.Read(ref served);

        private async Task ServeAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }

                _ = AnswerAsync(client);
            }
        }

        private async Task AnswerAsync(TcpClient client)
        {
            using (client)
            {
                var stream = client.GetStream();
                var buffer = new byte[8192];
                var request = new StringBuilder();
                while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer);
                    if (read == 0)
                    {
                        return;
                    }

                    request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                var favicon = request.ToString().StartsWith("GET /favicon", StringComparison.Ordinal);
                var body = favicon ? [] : page;
                var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {(favicon ? "404 Not Found" : "200 OK")}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(head);
                await stream.WriteAsync(body);
                if (!favicon)
                {
                    Interlocked.Increment(ref served);
                }
            }
        }

        public void Dispose()
        {
            stop.Cancel();
            listener.Stop();
            stop.Dispose();
        }
    }
}
