using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Agent.Domain.Configuration;
using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Tools;
using Agent.Web.Hosting;
using Agent.Web.Tools;
using Microsoft.Extensions.Options;

namespace Agent.Web.Mcp;

/// <summary>A refused import of pasted mcpServers JSON, with every problem found.</summary>
public sealed class McpImportException(IReadOnlyList<string> problems) : Exception(string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// The live MCP servers: appsettings defaults with imported servers (database) over them, enabled toggles, the person's
/// confirmation of each stdio command, and one <see cref="McpServerConnection"/> per enabled server. Its tools feed the
/// <see cref="ToolRegistry"/>.
/// </summary>
public sealed partial class McpServerManager(
    IOptions<AgentOptions> options,
    IStateStore state,
    IConfigOverrideStore overrides,
    EnvironmentVariables environment,
    TimeProvider time,
    ILogger<McpServerManager> logger) : IToolProvider, IHostedService, IAsyncDisposable, IDisposable
{
    public const string ImportScope = "mcp-servers";
    public const string ConfirmScope = "mcp-confirmed";
    public const string OverrideScope = "mcp";

    private readonly ConcurrentDictionary<string, McpServerConnection> connections = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim reload = new(1, 1);
    private IReadOnlyList<McpServerView> views = [];

    /// <summary>Set by tests to shorten timeouts and backoff.</summary>
    public McpConnectionOptions ConnectionOptions { get; set; } = McpConnectionOptions.Default with
    {
        StartTimeout = TimeSpan.FromSeconds(Math.Max(1, options.Value.Tools.McpStartTimeoutSeconds)),
    };

    /// <summary>Raised when a server's state or the server list changes.</summary>
    public event Action? Changed;

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

    public IReadOnlyList<McpServerView> Servers => views;

    /// <summary>The state as the panels and /api/bootstrap show it: starting, ready, failed, disabled, awaiting confirmation.</summary>
    public static string StateName(McpServerState state) => state switch
    {
        McpServerState.AwaitingConfirmation => "awaiting confirmation",
        _ => state.ToString().ToLowerInvariant(),
    };

    /// <summary>Every configured server with its live state (servers not started yet show why: disabled, awaiting confirmation, starting).</summary>
    public async Task<IReadOnlyList<McpServerView>> ListAsync(CancellationToken cancellationToken)
    {
        var specs = await SpecsAsync(cancellationToken);
        var confirmed = (await state.ListAsync(ConfirmScope, cancellationToken)).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        return specs.Select(s =>
        {
            if (connections.TryGetValue(s.Spec.Name, out var c) && c.Spec == s.Spec)
            {
                return c.View(s.Imported);
            }

            var stateNow = !s.Spec.Enabled ? McpServerState.Disabled
                : s.Spec.Transport == McpTransport.Stdio && confirmed.GetValueOrDefault(s.Spec.Name) != McpServerConnection.CommandLineOf(s.Spec) ? McpServerState.AwaitingConfirmation
                : McpServerState.Starting;
            return new McpServerView(s.Spec, McpServerConnection.CommandLineOf(s.Spec), stateNow, null, [], [], [], [], 0, s.Imported);
        }).ToList();
    }

    public IReadOnlyList<AgentTool> GetTools() => connections.Values.SelectMany(c => c.AgentTools()).ToList();

    public McpServerConnection? Connection(string name) => connections.GetValueOrDefault(name);

    /// <summary>Every configured server: appsettings, then the imported ones over them; with the enabled toggles applied.</summary>
    public async Task<IReadOnlyList<(McpServerSpec Spec, bool Imported)>> SpecsAsync(CancellationToken cancellationToken)
    {
        var merged = new Dictionary<string, McpServerOptions>(options.Value.McpServers, StringComparer.Ordinal);
        var imported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in await state.ListAsync(ImportScope, cancellationToken))
        {
            var server = JsonSerializer.Deserialize<McpServerOptions>(entry.Value, JsonSerializerOptions.Web);
            if (server is not null)
            {
                merged[entry.Key] = server;
                imported.Add(entry.Key);
            }
        }

        var enabled = await overrides.EnabledOverridesAsync(Tenant.LocalId, OverrideScope, cancellationToken);
        return AgentOptionsValidator.ToMcpServerSpecs(new AgentOptions { McpServers = merged })
            .Select(s => (s with { Enabled = enabled.TryGetValue(s.Name, out var on) ? on : s.Enabled }, imported.Contains(s.Name)))
            .ToList();
    }

    /// <summary>Brings the connections in line with the configuration: starts new enabled servers, stops removed or disabled ones.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await reload.WaitAsync(cancellationToken);
        try
        {
            var specs = await SpecsAsync(cancellationToken);
            var confirmed = (await state.ListAsync(ConfirmScope, cancellationToken)).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            foreach (var name in connections.Keys.Where(n => specs.All(s => s.Spec.Name != n)).ToList())
            {
                if (connections.TryRemove(name, out var gone))
                {
                    await gone.DisposeAsync();
                }
            }

            var starts = new List<Task>();
            foreach (var (spec, _) in specs)
            {
                if (connections.TryGetValue(spec.Name, out var existing) && existing.Spec != spec)
                {
                    connections.TryRemove(spec.Name, out _);
                    await existing.DisposeAsync();
                }

                var connection = connections.GetOrAdd(spec.Name, _ =>
                {
                    var created = new McpServerConnection(spec, environment.Read, ConnectionOptions);
                    created.Changed += _ => Refresh(specs);
                    return created;
                });
                if (!spec.Enabled)
                {
                    await connection.StopAsync(McpServerState.Disabled);
                }
                else if (spec.Transport == McpTransport.Stdio && confirmed.GetValueOrDefault(spec.Name) != McpServerConnection.CommandLineOf(spec))
                {
                    await connection.StopAsync(McpServerState.AwaitingConfirmation);
                }
                else if (connection.State is McpServerState.Starting or McpServerState.Disabled or McpServerState.AwaitingConfirmation)
                {
                    starts.Add(connection.StartAsync(cancellationToken));
                }
            }

            Refresh(specs);
            await Task.WhenAll(starts);
        }
        finally
        {
            reload.Release();
        }
    }

    private void Refresh(IReadOnlyList<(McpServerSpec Spec, bool Imported)> specs)
    {
        views = specs.Select(s => connections.TryGetValue(s.Spec.Name, out var c)
                ? c.View(s.Imported)
                : new McpServerView(s.Spec, McpServerConnection.CommandLineOf(s.Spec), McpServerState.Disabled, null, [], [], [], [], 0, s.Imported))
            .ToList();
        Changed?.Invoke();
    }

    /// <summary>The person confirmed the exact command shown: remember it (a changed command asks again) and start.</summary>
    public async Task ConfirmAsync(string name, CancellationToken cancellationToken)
    {
        var spec = (await SpecsAsync(cancellationToken)).FirstOrDefault(s => s.Spec.Name == name).Spec
            ?? throw new KeyNotFoundException($"There is no MCP server named '{name}'.");
        await state.SetAsync(new StateEntry(ConfirmScope, name, McpServerConnection.CommandLineOf(spec), time.GetUtcNow()), cancellationToken);
        await ReloadAsync(cancellationToken);
    }

    public async Task SetEnabledAsync(string name, bool enabled, CancellationToken cancellationToken)
    {
        await overrides.SetEnabledAsync(Tenant.LocalId, OverrideScope, name, enabled, cancellationToken);
        await ReloadAsync(cancellationToken);
    }

    public async Task RestartAsync(string name, CancellationToken cancellationToken)
    {
        if (connections.TryGetValue(name, out var connection) && connection.State is McpServerState.Ready or McpServerState.Failed or McpServerState.Starting)
        {
            await connection.StopAsync(McpServerState.Starting);
            await connection.StartAsync(cancellationToken);
            Refresh(await SpecsAsync(cancellationToken));
        }
        else
        {
            await ReloadAsync(cancellationToken);
        }
    }

    /// <summary>Removes an imported server (the appsettings default, if any, applies again).</summary>
    public async Task RemoveImportedAsync(string name, CancellationToken cancellationToken)
    {
        await state.RemoveAsync(ImportScope, name, cancellationToken);
        await ReloadAsync(cancellationToken);
    }

    /// <summary>
    /// Imports pasted <c>{"mcpServers": {...}}</c> JSON (or the bare server map) into the database over the appsettings
    /// defaults. Env values must be ${NAME} references: a literal value (a secret) is refused.
    /// </summary>
    public async Task<IReadOnlyList<string>> ImportAsync(string json, CancellationToken cancellationToken)
    {
        var servers = ParseImport(json);
        foreach (var (name, server) in servers)
        {
            await state.SetAsync(new StateEntry(ImportScope, name, JsonSerializer.Serialize(server, JsonSerializerOptions.Web), time.GetUtcNow()), cancellationToken);
        }

        await ReloadAsync(cancellationToken);
        return servers.Keys.ToList();
    }

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
            if (!ServerName().IsMatch(name))
            {
                problems.Add($"'{name}': a server name may use letters, digits, '-' and '_' only.");
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

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,40}$")]
    private static partial Regex ServerName();
}
