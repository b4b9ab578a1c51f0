using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Agent.Web.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;
using Xunit.Abstractions;

namespace Agent.Web.Tests;

/// <summary>
/// The one guard for state-changing requests, proven over every endpoint the app maps (read from its
/// <see cref="EndpointDataSource"/>, so a route added later is in the corpus without an edit): a cross-origin request
/// with the session cookie is refused whatever its body, nothing in the database changes, API routes take JSON only,
/// and a cookie call needs the antiforgery token. Every refusal has a JSON reason; counts are printed.
/// </summary>
public sealed partial class RequestGuardTests(ITestOutputHelper output)
{
    private const string OtherPort = "http://localhost:3000";

    [Fact]
    public async Task Every_state_changing_route_refuses_a_cross_origin_cookie_request_and_nothing_changes()
    {
        await using var app = new AgentAppFactory();
        using var browser = await SignedInBrowserAsync(app, "ada", "acme");
        var routes = StateChangingRoutes(app);
        Assert.True(routes.Count >= 40, $"only {routes.Count} state-changing routes were found");
        var before = await SettledCountsAsync(app);

        var refused = 0;
        foreach (var (method, path, _) in routes)
        {
            foreach (var body in Bodies())
            {
                foreach (var (header, value) in new[] { ("Origin", OtherPort), ("Sec-Fetch-Site", "same-site"), ("Origin", "null") })
                {
                    using var request = new HttpRequestMessage(method, path) { Content = body() };
                    request.Headers.TryAddWithoutValidation(header, value);
                    using var response = await browser.SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} with {header}: {value} answered {(int)response.StatusCode}: {text}");
                    Assert.Equal(RequestGuard.CrossOriginRefused, JsonDocument.Parse(text).RootElement.GetProperty("error").GetString());
                    refused++;
                }
            }
        }

        Assert.Equal(before, await CountsAsync(app));
        output.WriteLine($"{routes.Count} state-changing routes x 3 bodies x 3 cross-origin markers: {refused} requests, {refused} refused with 403, no row changed");
    }

    [Fact]
    public async Task Api_routes_take_json_only_and_a_cookie_call_needs_the_antiforgery_token_while_a_token_or_a_plain_script_does_not()
    {
        await using var app = new AgentAppFactory();
        using var browser = await SignedInBrowserAsync(app, "bea", "beta");
        var person = await TenantIsolationTests.PersonAsync(app, "cal", "beta", admin: true);
        using var script = TenantIsolationTests.ClientWith(app, person.Secret);
        using var owner = app.CreateClient();
        var api = StateChangingRoutes(app).Where(r => r.Path.StartsWith("/api/", StringComparison.Ordinal)).ToList();
        var before = await SettledCountsAsync(app);

        int unsupported = 0, forged = 0;
        foreach (var (method, path, bodyType) in api)
        {
            foreach (var client in new[] { browser, script, owner })
            {
                foreach (var content in new Func<HttpContent>[] { () => new StringContent("{\"text\":\"hi\"}", Encoding.UTF8, "text/plain"), () => new FormUrlEncodedContent([new("text", "hi")]) })
                {
                    using var response = await client.SendAsync(new HttpRequestMessage(method, path) { Content = content() });
                    Assert.True(response.StatusCode == HttpStatusCode.UnsupportedMediaType, $"{method} {path} answered {(int)response.StatusCode}");
                    Assert.Contains("The body must be sent as", await ErrorAsync(response), StringComparison.Ordinal);
                    unsupported++;
                }
            }

            // A body of the route's own type from a browser with the cookie but without the page's token: what a page could send if a browser sent no Origin.
            using var noToken = await browser.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent("{}", Encoding.UTF8, bodyType) });
            Assert.True(noToken.StatusCode == HttpStatusCode.BadRequest, $"{method} {path} without the token answered {(int)noToken.StatusCode}");
            Assert.Contains("antiforgery token is missing or invalid", await ErrorAsync(noToken), StringComparison.Ordinal);
            forged++;
        }

        Assert.Equal(before, await CountsAsync(app));

        // The same calls pass the guard when they carry the page's token, a personal access token, or come from a plain script.
        var token = await PageTokenAsync(browser);
        using var withToken = new HttpRequestMessage(HttpMethod.Post, "/api/sessions") { Content = JsonContent.Create(new { title = "mine" }) };
        withToken.Headers.Add("RequestVerificationToken", token);
        Assert.Equal(HttpStatusCode.Created, (await browser.SendAsync(withToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await script.PostAsJsonAsync("/api/sessions", new { title = "script" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await owner.PostAsJsonAsync("/api/sessions", new { title = "owner" })).StatusCode);

        // A bodyless same-origin POST stays allowed: the session's stop answers as the handler decides, not the guard.
        var session = (await (await owner.PostAsJsonAsync("/api/sessions", new { })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var stop = new HttpRequestMessage(HttpMethod.Post, $"/api/sessions/{session}/stop") { Content = new ByteArrayContent([]) };
        stop.Headers.TryAddWithoutValidation("Origin", "http://localhost");
        var stopped = await owner.SendAsync(stop);
        Assert.True(stopped.IsSuccessStatusCode, $"bodyless stop answered {(int)stopped.StatusCode}: {await stopped.Content.ReadAsStringAsync()}");

        output.WriteLine($"{api.Count} API routes: {unsupported} text/plain or form bodies refused with 415 (cookie, token, script); {forged} cookie calls without the antiforgery token refused with 400");
    }

    [Fact]
    public async Task A_stdio_server_is_confirmed_in_the_panel_or_with_a_token_never_by_a_cookie_call()
    {
        await using var app = new AgentAppFactory();
        using var browser = await SignedInBrowserAsync(app, "dan", "delta", admin: true);
        var token = await PageTokenAsync(browser);
        using var import = new HttpRequestMessage(HttpMethod.Post, "/api/mcp/import")
        {
            Content = new StringContent("{\"mcpServers\":{\"marker\":{\"command\":\"sh\",\"args\":[\"-c\",\"touch /tmp/never\"]}}}", Encoding.UTF8, "application/json"),
        };
        import.Headers.Add("RequestVerificationToken", token);
        using var imported = await browser.SendAsync(import);
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);

        // Same origin, the page's token, an administrator's cookie: still not a confirmation, which the panel asks for.
        using var confirm = new HttpRequestMessage(HttpMethod.Post, "/api/mcp/marker/confirm");
        confirm.Headers.Add("RequestVerificationToken", token);
        confirm.Headers.TryAddWithoutValidation("Origin", "http://localhost");
        using var refused = await browser.SendAsync(confirm);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("MCP panel", await ErrorAsync(refused), StringComparison.Ordinal);
        var listed = await browser.GetFromJsonAsync<JsonElement[]>("/api/mcp");
        Assert.Equal("AwaitingConfirmation", listed!.Single(s => s.GetProperty("spec").GetProperty("name").GetString() == "marker").GetProperty("state").GetString());
    }

    [Fact]
    public async Task Websockets_the_blazor_hub_and_event_streams_check_the_origin_too()
    {
        await using var app = new AgentAppFactory();
        using var browser = await SignedInBrowserAsync(app, "eve", "epsilon");
        var requests = new Func<HttpRequestMessage>[]
        {
            () => new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1"),
            () => new HttpRequestMessage(HttpMethod.Get, "/_blazor?id=abc"),
            () => Accepting(new HttpRequestMessage(HttpMethod.Get, $"/api/execution/{Guid.NewGuid()}/events"), "text/event-stream"),
        };

        foreach (var make in requests)
        {
            using var foreign = make();
            foreign.Headers.TryAddWithoutValidation("Origin", OtherPort);
            using var refused = await browser.SendAsync(foreign);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{foreign.Method} {foreign.RequestUri} answered {(int)refused.StatusCode}");

            using var own = make();
            own.Headers.TryAddWithoutValidation("Origin", "http://localhost");
            using var allowed = await browser.SendAsync(own);
            Assert.NotEqual(HttpStatusCode.Forbidden, allowed.StatusCode);
        }
    }

    [Fact]
    public async Task Every_refusal_of_a_bad_request_has_a_json_reason_no_5xx_and_the_log_line_says_the_status_sent()
    {
        var sink = new LogRedactionTests.CollectingSink();
        await using var factory = new AgentAppFactory();
        await using var app = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<ILogEventSink>(sink)));
        using var client = app.CreateClient();
        var session = (await (await client.PostAsJsonAsync("/api/sessions", new { })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var corpus = new (HttpMethod Method, string Path, HttpContent? Body)[]
        {
            (HttpMethod.Get, "/api/no-such-route", null),
            (HttpMethod.Put, "/api/bootstrap", null),
            (HttpMethod.Delete, "/api/sessions", null),
            (HttpMethod.Post, $"/api/sessions/{session}/messages", new StringContent("{\"text\": ", Encoding.UTF8, "application/json")),
            (HttpMethod.Post, $"/api/sessions/{session}/messages", new StringContent("{\"text\": 5}", Encoding.UTF8, "application/json")),
            (HttpMethod.Post, $"/api/sessions/{session}/messages", new StringContent("hello", Encoding.UTF8, "text/plain")),
            (HttpMethod.Post, "/api/execution", new StringContent("{\"intent\":\"demo_long_task\"}", Encoding.UTF8, "text/plain")),
            (HttpMethod.Post, "/api/execution", new StringContent("[]", Encoding.UTF8, "application/json")),
            (HttpMethod.Post, "/api/artifact/resolve", new StringContent("x", Encoding.UTF8, "application/x-www-form-urlencoded")),
            (HttpMethod.Post, "/api/mcp/import", new StringContent("{}", Encoding.UTF8, "text/plain")),
            (HttpMethod.Put, "/api/team/profiles/x", new StringContent("{\"name\":", Encoding.UTF8, "application/json")),
            (HttpMethod.Post, "/api/memory", new StringContent("{\"tier\": 7}", Encoding.UTF8, "application/json")),
            (HttpMethod.Get, "/api/sessions/not-a-guid/messages", null),
            (HttpMethod.Get, "/api/execution?take=100000", null),
            (HttpMethod.Post, "/api/sessions/00000000-0000-0000-0000-000000000000/stop", null),
        };

        var byStatus = new SortedDictionary<int, int>();
        foreach (var (method, path, body) in corpus)
        {
            using var response = await client.SendAsync(new HttpRequestMessage(method, path) { Content = body });
            var status = (int)response.StatusCode;
            Assert.True(status is >= 400 and < 500, $"{method} {path} answered {status}");
            Assert.False(string.IsNullOrWhiteSpace(await ErrorAsync(response)), $"{method} {path} ({status}) has no JSON error");
            byStatus[status] = byStatus.GetValueOrDefault(status) + 1;
        }

        // One request log line per request, at warning level, with the status that was sent: never an error saying 500.
        var requestLines = sink.Events.Where(e => e.MessageTemplate.Text.StartsWith("HTTP ", StringComparison.Ordinal) && e.Properties.ContainsKey("StatusCode")).ToList();
        var refusedLines = requestLines.Where(e => ((ScalarValue)e.Properties["StatusCode"]).Value is int s && s >= 400).ToList();
        Assert.Equal(corpus.Length, refusedLines.Count);
        Assert.All(refusedLines, e => Assert.Equal(LogEventLevel.Warning, e.Level));
        Assert.DoesNotContain(requestLines, e => e.Level == LogEventLevel.Error);
        output.WriteLine($"{corpus.Length} bad requests: {string.Join(", ", byStatus.Select(p => $"{p.Value} x {p.Key}"))}; 0 x 5xx; {refusedLines.Count} warning log lines, 0 errors");
    }

    private static HttpRequestMessage Accepting(HttpRequestMessage request, string mediaType)
    {
        request.Headers.Accept.ParseAdd(mediaType);
        return request;
    }

    private static IEnumerable<Func<HttpContent?>> Bodies() =>
    [
        () => new StringContent("{\"mcpServers\":{\"x\":{\"command\":\"sh\"}}}", Encoding.UTF8, "text/plain"),
        () => new FormUrlEncodedContent([new("title", "from another site")]),
        () => null,
    ];

    /// <summary>Every route the app maps for POST, PUT, PATCH or DELETE, with its parameters filled in and the body type it takes.</summary>
    internal static IReadOnlyList<(HttpMethod Method, string Path, string BodyType)> StateChangingRoutes(AgentAppFactory app)
    {
        var routes = new List<(HttpMethod, string, string)>();
        foreach (var endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var methods = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [];
            foreach (var method in methods.Where(RequestGuard.ChangesState))
            {
                var bodyType = endpoint.Metadata.GetMetadata<AcceptedBodyTypes>()?.ContentTypes[0] ?? "application/json";
                routes.Add((new HttpMethod(method), "/" + Parameter().Replace(endpoint.RoutePattern.RawText!.TrimStart('/'), m => Sample(m.Groups["constraint"].Value)), bodyType));
            }
        }

        return routes.Distinct().ToList();
    }

    private static string Sample(string constraint) => constraint switch
    {
        ":guid" => Guid.NewGuid().ToString(),
        ":bool" => "true",
        ":int" or ":long" => "1",
        _ => "acme",
    };

    internal static async Task<HttpClient> SignedInBrowserAsync(AgentAppFactory app, string name, string tenant, bool admin = false)
    {
        await TenantIsolationTests.PersonAsync(app, name, tenant, admin);
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var signedIn = await browser.GetAsync(new Uri($"/account/complete-signin?ticket={Uri.EscapeDataString(await SignInHardeningTests.TicketAsync(app, name))}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return browser;
    }

    internal static async Task<string> PageTokenAsync(HttpClient browser)
    {
        var token = SignInHardeningTests.TokenField().Match(await browser.GetStringAsync(new Uri("/", UriKind.Relative))).Groups["token"].Value;
        Assert.NotEmpty(token);
        return token;
    }

    private static async Task<string?> ErrorAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.TryGetProperty("error", out var error) ? error.ToString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Row counts of every table, once two readings in a row agree (start-up work such as the day's episodes has settled).</summary>
    private static async Task<string> SettledCountsAsync(AgentAppFactory app)
    {
        var last = await CountsAsync(app);
        while (true)
        {
            await Task.Delay(100);
            var now = await CountsAsync(app);
            if (now == last)
            {
                return now;
            }

            last = now;
        }
    }

    private static async Task<string> CountsAsync(AgentAppFactory app)
    {
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%' ORDER BY name";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var counts = new StringBuilder();
        foreach (var table in tables)
        {
            await using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
            counts.Append(table).Append('=').Append(await count.ExecuteScalarAsync()).Append(' ');
        }

        return counts.ToString();
    }

    [GeneratedRegex(@"\{\*{0,2}[A-Za-z]+(?<constraint>(:[a-z]+)?)\??\}")]
    private static partial Regex Parameter();
}
