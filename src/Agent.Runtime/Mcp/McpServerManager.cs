using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Agent.Domain.Configuration;
using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Tools;
using Agent.Runtime.Hosting;
using Agent.Runtime.Tools;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.Mcp;

/// <summary>A refused import of pasted mcpServers JSON, with every problem found.</summary>
public sealed class McpImportException(IReadOnlyList<string> problems) : Exception(string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// The live MCP servers: the install-wide ones from appsettings (every tenant sees them; only an administrator changes
/// them) and the ones a tenant imported (only that tenant sees, changes and calls them), enabled toggles, the person's
/// confirmation of each stdio command, and one <see cref="McpServerConnection"/> per enabled server. A turn is offered
/// the install-wide servers' tools and its own tenant's (see <see cref="GetToolsAsync"/>).
/// </summary>
/// <remarks>
/// Stored keys: an imported server is <c>tenant/name</c> in <see cref="ImportScope"/> (and its confirmation in
/// <see cref="ConfirmScope"/>), except the local tenant's, which keep the bare <c>name</c> they had before tenants
/// existed: rows written then carry no tenant and are the local tenant's. A bare row named like an appsettings server
/// is an import from that time that replaced the appsettings server for the whole install; it still does (new imports
/// may not take an install-wide name).
/// </remarks>
public sealed partial class McpServerManager(
    IOptions<AgentOptions> options,
    IStateStore state,
    IConfigOverrideStore overrides,
    EnvironmentVariables environment,
    TimeProvider time,
    ILogger<McpServerManager> logger) : ITurnToolSource, IHostedService, IAsyncDisposable, IDisposable
{
    public const string ImportScope = "mcp-servers";
    public const string ConfirmScope = "mcp-confirmed";
    public const string OverrideScope = "mcp";

    private readonly ConcurrentDictionary<McpServerKey, McpServerConnection> connections = new();
    private readonly SemaphoreSlim reload = new(1, 1);
    private readonly FetchGuard guard = FetchGuard.ForMcp(options.Value.Mcp.AllowedNetworks);
    private IReadOnlyList<McpServerView> views = [];

    /// <summary>Set by tests to shorten timeouts and backoff.</summary>
    public McpConnectionOptions ConnectionOptions { get; set; } = McpConnectionOptions.Default with
    {
        StartTimeout = TimeSpan.FromSeconds(Math.Max(1, options.Value.Tools.McpStartTimeoutSeconds)),
    };

    /// <summary>Raised when a server's state or the server list changes.</summary>
    public event Action<McpServersChange>? Changed;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await ReloadAsync(CancellationToken.None);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Starting the MCP servers failed");
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var connection in connections.Values)
        {
            await connection.DisposeAsync();
        }

        connections.Clear();
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    /// <summary>For containers disposed synchronously: stops every server process.</summary>
    public void Dispose() => StopAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Every server of every tenant as of the last change (for diagnostics and tests; a tenant's view is <see cref="ListAsync"/>).</summary>
    public IReadOnlyList<McpServerView> Servers => views;

    /// <summary>The state as the panels and /api/bootstrap show it: starting, ready, failed, disabled, awaiting confirmation.</summary>
    public static string StateName(McpServerState state) => state switch
    {
        McpServerState.AwaitingConfirmation => "awaiting confirmation",
        _ => state.ToString().ToLowerInvariant(),
    };

    /// <summary>Every detail of the servers <paramref name="tenantId"/> sees: for administrators and in-process callers.</summary>
    public Task<IReadOnlyList<McpServerView>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        ListAsync(tenantId, installDetails: true, cancellationToken);

    /// <summary>
    /// The servers <paramref name="tenantId"/> sees (install-wide and its own) with their live state; servers not started yet
    /// show why. Without <paramref name="installDetails"/> (a member) each view loses its command, args, env names, URL and
    /// stderr, and an error only says that the server failed.
    /// </summary>
    public async Task<IReadOnlyList<McpServerView>> ListAsync(string tenantId, bool installDetails, CancellationToken cancellationToken)
    {
        var listed = await ListWithDetailsAsync(tenantId, cancellationToken);
        return installDetails ? listed : listed.Select(v => v.WithoutInstallDetails()).ToList();
    }

    private async Task<IReadOnlyList<McpServerView>> ListWithDetailsAsync(string tenantId, CancellationToken cancellationToken)
    {
        var configured = (await ConfiguredAsync(cancellationToken)).Where(s => s.Key.VisibleTo(tenantId)).ToList();
        var confirmed = await ConfirmedAsync(cancellationToken);
        return configured.Select(s =>
        {
            if (connections.TryGetValue(s.Key, out var c) && c.Spec == s.Spec)
            {
                return c.View(s.Imported) with { InstallWide = s.Key.Owner is null };
            }

            var stateNow = !s.Spec.Enabled ? McpServerState.Disabled
                : s.Spec.Transport == McpTransport.Stdio && confirmed.GetValueOrDefault(s.Key.StoreKey) != McpServerConnection.CommandLineOf(s.Spec) ? McpServerState.AwaitingConfirmation
                : McpServerState.Starting;
            return new McpServerView(s.Spec, McpServerConnection.CommandLineOf(s.Spec), stateNow, null, [], [], [], [], 0, s.Imported) { InstallWide = s.Key.Owner is null };
        }).ToList();
    }

    /// <summary>The ready tools <paramref name="tenantId"/> may be offered and call: the install-wide servers' and its own.</summary>
    public IReadOnlyList<AgentTool> GetTools(string tenantId) =>
        connections.Where(c => c.Key.VisibleTo(tenantId)).SelectMany(c => c.Value.AgentTools()).ToList();

    /// <summary>A turn sees only its own tenant's servers: a call to another tenant's tool name is an unknown tool.</summary>
    public Task<IReadOnlyList<AgentTool>> GetToolsAsync(TurnToolContext turn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        return Task.FromResult(GetTools(turn.TenantId));
    }

    /// <summary>The connection of the server <paramref name="name"/> as <paramref name="tenantId"/> sees it (its own import, else the install-wide one).</summary>
    public McpServerConnection? Connection(string tenantId, string name) =>
        connections.GetValueOrDefault(new McpServerKey(tenantId, name)) ?? connections.GetValueOrDefault(new McpServerKey(null, name));

    /// <summary>The servers <paramref name="tenantId"/> sees, with the enabled toggles applied.</summary>
    public async Task<IReadOnlyList<(McpServerSpec Spec, bool Imported)>> SpecsAsync(string tenantId, CancellationToken cancellationToken) =>
        (await ConfiguredAsync(cancellationToken)).Where(s => s.Key.VisibleTo(tenantId)).Select(s => (s.Spec, s.Imported)).ToList();

    /// <summary>Every server of every tenant: appsettings (with any pre-tenant import over it), then each tenant's imports; toggles applied.</summary>
    private async Task<IReadOnlyList<ConfiguredServer>> ConfiguredAsync(CancellationToken cancellationToken)
    {
        var installWide = new Dictionary<string, McpServerOptions>(options.Value.McpServers, StringComparer.Ordinal);
        var replacedInstallWide = new HashSet<string>(StringComparer.Ordinal);
        var imported = new Dictionary<string, Dictionary<string, McpServerOptions>>(StringComparer.Ordinal);
        foreach (var entry in await state.ListAsync(ImportScope, cancellationToken))
        {
            var server = JsonSerializer.Deserialize<McpServerOptions>(entry.Value, JsonSerializerOptions.Web);
            if (server is null)
            {
                continue;
            }

            var key = McpServerKey.FromStoreKey(entry.Key);
            if (key.Owner == Tenant.LocalId && options.Value.McpServers.ContainsKey(key.Name))
            {
                installWide[key.Name] = server;
                replacedInstallWide.Add(key.Name);
            }
            else
            {
                imported.TryAdd(key.Owner!, new Dictionary<string, McpServerOptions>(StringComparer.Ordinal));
                imported[key.Owner!][key.Name] = server;
            }
        }

        // Install-wide toggles were stored under the local tenant before tenants existed; they stay there.
        var installWideEnabled = await overrides.EnabledOverridesAsync(Tenant.LocalId, OverrideScope, cancellationToken);
        var configured = AgentOptionsValidator.ToMcpServerSpecs(new AgentOptions { McpServers = installWide })
            .Select(s => new ConfiguredServer(new McpServerKey(null, s.Name), WithToggle(s, installWideEnabled), replacedInstallWide.Contains(s.Name)))
            .ToList();
        foreach (var (tenantId, servers) in imported.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var enabled = tenantId == Tenant.LocalId ? installWideEnabled : await overrides.EnabledOverridesAsync(tenantId, OverrideScope, cancellationToken);
            configured.AddRange(AgentOptionsValidator.ToMcpServerSpecs(new AgentOptions { McpServers = servers })
                .Select(s => new ConfiguredServer(new McpServerKey(tenantId, s.Name), WithToggle(s, enabled), true)));
        }

        return configured;
    }

    private static McpServerSpec WithToggle(McpServerSpec spec, IReadOnlyDictionary<string, bool> enabled) =>
        spec with { Enabled = enabled.TryGetValue(spec.Name, out var on) ? on : spec.Enabled };

    private async Task<Dictionary<string, string>> ConfirmedAsync(CancellationToken cancellationToken) =>
        (await state.ListAsync(ConfirmScope, cancellationToken)).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    /// <summary>The server <paramref name="name"/> as <paramref name="tenantId"/> sees it; another tenant's server is not found, like any unknown name.</summary>
    private async Task<ConfiguredServer> FindAsync(string tenantId, string name, CancellationToken cancellationToken) =>
        (await ConfiguredAsync(cancellationToken)).FirstOrDefault(s => s.Key.Name == name && s.Key.VisibleTo(tenantId))
            ?? throw new KeyNotFoundException($"There is no MCP server named '{name}'.");

    /// <summary>Brings the connections in line with the configuration: starts new enabled servers, stops removed or disabled ones.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await reload.WaitAsync(cancellationToken);
        try
        {
            var configured = await ConfiguredAsync(cancellationToken);
            var confirmed = await ConfirmedAsync(cancellationToken);
            foreach (var key in connections.Keys.Where(k => configured.All(s => s.Key != k)).ToList())
            {
                if (connections.TryRemove(key, out var gone))
                {
                    await gone.DisposeAsync();
                }
            }

            var starts = new List<Task>();
            foreach (var server in configured)
            {
                var spec = server.Spec;
                if (connections.TryGetValue(server.Key, out var existing) && existing.Spec != spec)
                {
                    connections.TryRemove(server.Key, out _);
                    await existing.DisposeAsync();
                }

                var connection = connections.GetOrAdd(server.Key, key =>
                {
                    var created = new McpServerConnection(spec, environment.Read, ConnectionOptions, IsGuarded(key) ? guard : null);
                    created.Changed += _ => Refresh(configured, new McpServersChange(key.Owner));
                    return created;
                });
                if (!spec.Enabled)
                {
                    await connection.StopAsync(McpServerState.Disabled);
                }
                else if (spec.Transport == McpTransport.Stdio && confirmed.GetValueOrDefault(server.Key.StoreKey) != McpServerConnection.CommandLineOf(spec))
                {
                    await connection.StopAsync(McpServerState.AwaitingConfirmation);
                }
                else if (connection.State is McpServerState.Starting or McpServerState.Disabled or McpServerState.AwaitingConfirmation)
                {
                    starts.Add(connection.StartAsync(cancellationToken));
                }
            }

            Refresh(configured, new McpServersChange(null));
            await Task.WhenAll(starts);
        }
        finally
        {
            reload.Release();
        }
    }

    private void Refresh(IReadOnlyList<ConfiguredServer> configured, McpServersChange change)
    {
        views = configured.Select(s => connections.TryGetValue(s.Key, out var c)
                ? c.View(s.Imported) with { InstallWide = s.Key.Owner is null }
                : new McpServerView(s.Spec, McpServerConnection.CommandLineOf(s.Spec), McpServerState.Disabled, null, [], [], [], [], 0, s.Imported) { InstallWide = s.Key.Owner is null })
            .ToList();
        Changed?.Invoke(change);
    }

    /// <summary>The person confirmed the exact command shown: remember it (a changed command asks again) and start.</summary>
    public async Task ConfirmAsync(string tenantId, string name, CancellationToken cancellationToken)
    {
        var server = await FindAsync(tenantId, name, cancellationToken);
        await state.SetAsync(new StateEntry(ConfirmScope, server.Key.StoreKey, McpServerConnection.CommandLineOf(server.Spec), time.GetUtcNow()), cancellationToken);
        await ReloadAsync(cancellationToken);
    }

    public async Task SetEnabledAsync(string tenantId, string name, bool enabled, CancellationToken cancellationToken)
    {
        var server = await FindAsync(tenantId, name, cancellationToken);
        await overrides.SetEnabledAsync(server.Key.Owner ?? Tenant.LocalId, OverrideScope, name, enabled, cancellationToken);
        await ReloadAsync(cancellationToken);
    }

    public async Task RestartAsync(string tenantId, string name, CancellationToken cancellationToken)
    {
        var server = await FindAsync(tenantId, name, cancellationToken);
        if (connections.TryGetValue(server.Key, out var connection) && connection.State is McpServerState.Ready or McpServerState.Failed or McpServerState.Starting)
        {
            await connection.StopAsync(McpServerState.Starting);
            await connection.StartAsync(cancellationToken);
            Refresh(await ConfiguredAsync(cancellationToken), new McpServersChange(server.Key.Owner));
        }
        else
        {
            await ReloadAsync(cancellationToken);
        }
    }

    /// <summary>Removes an imported server (a pre-tenant import over an appsettings server: the appsettings one applies again).</summary>
    public async Task RemoveImportedAsync(string tenantId, string name, CancellationToken cancellationToken)
    {
        var server = await FindAsync(tenantId, name, cancellationToken);
        if (!server.Imported)
        {
            throw new McpImportException([$"'{name}' is configured in appsettings (Agent:McpServers), not imported: change it there, or switch it off."]);
        }

        await state.RemoveAsync(ImportScope, server.Key.StoreKey, cancellationToken);
        await ReloadAsync(cancellationToken);
    }

    /// <summary>
    /// Imports pasted <c>{"mcpServers": {...}}</c> JSON (or the bare server map) as <paramref name="tenantId"/>'s servers.
    /// Env values must be ${NAME} references: a literal value (a secret) is refused; so is the name of an install-wide server.
    /// </summary>
    public async Task<IReadOnlyList<string>> ImportAsync(string tenantId, string json, CancellationToken cancellationToken)
    {
        if (!Tenant.IsValidId(tenantId))
        {
            throw new ArgumentException($"'{tenantId}' is not a tenant id.", nameof(tenantId));
        }

        var servers = ParseImport(json);
        var taken = servers.Keys.Where(options.Value.McpServers.ContainsKey).ToList();
        if (taken.Count > 0)
        {
            throw new McpImportException(taken.Select(n => $"'{n}': an install-wide server (Agent:McpServers in appsettings) has this name; import it under another name.").ToList());
        }

        if (IsGuarded(new McpServerKey(tenantId, "")) && await RefusedUrlsAsync(servers, cancellationToken) is { Count: > 0 } refused)
        {
            throw new McpImportException(refused);
        }

        foreach (var (name, server) in servers)
        {
            var key = new McpServerKey(tenantId, name);
            await state.SetAsync(new StateEntry(ImportScope, key.StoreKey, JsonSerializer.Serialize(server, JsonSerializerOptions.Web), time.GetUtcNow()), cancellationToken);
        }

        await ReloadAsync(cancellationToken);
        return servers.Keys.ToList();
    }

    /// <summary>
    /// An HTTP/SSE server imported by a tenant other than the owner's ("local") may only reach public addresses or
    /// Agent:Mcp:AllowedNetworks: a remote person must not make this machine call its own loopback, link-local metadata
    /// service or private network. Appsettings servers (owner null) and the owner's imports are the install's own choice.
    /// </summary>
    private static bool IsGuarded(McpServerKey key) => key.Owner is not (null or Tenant.LocalId);

    /// <summary>The import-time check of <see cref="IsGuarded"/> servers; connecting checks again (the name may resolve elsewhere by then).</summary>
    private async Task<IReadOnlyList<string>> RefusedUrlsAsync(Dictionary<string, McpServerOptions> servers, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var (name, server) in servers)
        {
            if (server.Url is null || !Uri.TryCreate(server.Url, UriKind.Absolute, out var uri))
            {
                continue;
            }

            try
            {
                await guard.ResolveAllowedAsync(uri.Host, cancellationToken);
            }
            catch (FetchRefusedException ex)
            {
                problems.Add($"'{name}': {ex.Message}");
            }
            catch (System.Net.Sockets.SocketException)
            {
                // A name that does not resolve now reaches nothing now; the connection is checked when it resolves.
            }
        }

        return problems;
    }

    /// <summary>A configured server and who owns it.</summary>
    private sealed record ConfiguredServer(McpServerKey Key, McpServerSpec Spec, bool Imported);

    public static Dictionary<string, McpServerOptions> ParseImport(string json)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(json ?? "", new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }).RootElement;
        }
        catch (JsonException ex)
        {
            throw new McpImportException([$"The text is not valid JSON: {ex.Message}"]);
        }

        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("mcpServers", out var inner))
        {
            root = inner;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new McpImportException(["Expected {\"mcpServers\": {\"name\": {\"command\": ..., \"args\": [...], \"env\": {...}} | {\"url\": ...}}}."]);
        }

        var problems = new List<string>();
        var servers = new Dictionary<string, McpServerOptions>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            var name = property.Name;
            if (!McpServerSpec.IsValidName(name))
            {
                problems.Add($"'{Shorten(name)}': a server name is {McpServerSpec.NameRule}.");
                continue;
            }

            McpServerOptions? server;
            try
            {
                server = property.Value.Deserialize<McpServerOptions>(JsonSerializerOptions.Web);
            }
            catch (JsonException ex)
            {
                problems.Add($"'{name}': {ex.Message}");
                continue;
            }

            if (server is null || (string.IsNullOrWhiteSpace(server.Command) == string.IsNullOrWhiteSpace(server.Url)))
            {
                problems.Add($"'{name}': needs either a command (stdio) or a url (HTTP), not both.");
                continue;
            }

            if (server.Url is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
            {
                problems.Add($"'{name}': url '{url}' is not an absolute http(s) URL.");
                continue;
            }

            var literal = server.Env.Where(e => !EnvReference().IsMatch(e.Value ?? "")).Select(e => e.Key).ToList();
            if (literal.Count > 0)
            {
                problems.Add($"'{name}': env {string.Join(", ", literal)} must be a reference like ${{NAME}} to a variable of this machine; literal values (secrets) are not stored.");
                continue;
            }

            var type = server.Type?.Trim().ToLowerInvariant();
            if (type is not (null or "" or "stdio" or "http" or "streamablehttp" or "streamable-http" or "sse"))
            {
                problems.Add($"'{name}': type '{server.Type}' is not stdio, streamableHttp or sse.");
                continue;
            }

            servers[name] = server;
        }

        if (problems.Count > 0)
        {
            throw new McpImportException(problems);
        }

        if (servers.Count == 0)
        {
            throw new McpImportException(["No servers found in mcpServers."]);
        }

        return servers;
    }

    [GeneratedRegex(@"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$")]
    private static partial Regex EnvReference();

    /// <summary>A refused name is echoed back bounded: the import error should not carry a pasted megabyte.</summary>
    private static string Shorten(string name) => name.Length <= McpServerSpec.MaxNameLength + 10 ? name : name[..(McpServerSpec.MaxNameLength + 10)] + "…";
}

/// <summary>Which server a connection belongs to: <see cref="Owner"/> is null for an install-wide server, else the tenant that imported it.</summary>
public readonly record struct McpServerKey(string? Owner, string Name)
{
    public bool VisibleTo(string tenantId) => Owner is null || Owner == tenantId;

    /// <summary>The key in the import and confirmation scopes: the bare name for install-wide and local servers (as before tenants), else <c>tenant/name</c>.</summary>
    public string StoreKey => Owner is null or Tenant.LocalId ? Name : $"{Owner}/{Name}";

    /// <summary>A stored import key: <c>tenant/name</c>, or a bare name, which is the local tenant's (rows from before tenants have no tenant).</summary>
    public static McpServerKey FromStoreKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? new McpServerKey(Tenant.LocalId, key) : new McpServerKey(key[..slash], key[(slash + 1)..]);
    }
}
