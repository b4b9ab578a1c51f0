using System.Text.Json;
using Agent.Domain.Tools;
using Agent.Runtime.Tools;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Agent.Runtime.Mcp;

public enum McpServerState
{
    Disabled,

    /// <summary>A stdio server whose exact command the person has not confirmed yet.</summary>
    AwaitingConfirmation,
    Starting,
    Ready,
    Failed,
}

public sealed record McpToolInfo(string Name, string QualifiedName, string? Description, ToolEffects Effects);

/// <summary>What the MCP panel shows of one server; <see cref="InstallWide"/> when every tenant sees it (appsettings), not only the importer's.</summary>
public sealed record McpServerView(
    McpServerSpec Spec,
    string CommandLine,
    McpServerState State,
    string? Error,
    IReadOnlyList<string> StderrTail,
    IReadOnlyList<McpToolInfo> Tools,
    IReadOnlyList<string> Resources,
    IReadOnlyList<string> Prompts,
    int Reconnects,
    bool Imported)
{
    public bool InstallWide { get; init; }

    /// <summary>
    /// What a member may see: the name, transport, state and tools, but no command, args, env names, URL, stderr or
    /// resource URIs (they show paths and addresses of this install), and an error only as "failed".
    /// </summary>
    public McpServerView WithoutInstallDetails() => this with
    {
        Spec = Spec with { Command = null, Args = [], EnvironmentVariableNames = new Dictionary<string, string>(), Url = null },
        CommandLine = "",
        Error = Error is null ? null : "The server failed; an administrator sees why on this panel.",
        StderrTail = [],
        Resources = [],
    };
}

/// <summary>Timeouts and backoff of MCP connections.</summary>
public sealed record McpConnectionOptions(TimeSpan StartTimeout, TimeSpan CallTimeout, TimeSpan ReconnectBaseDelay, TimeSpan ReconnectMaxDelay, int MaxReconnects)
{
    public static McpConnectionOptions Default { get; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 10);
}

/// <summary>
/// One MCP server: starts it (stdio process or HTTP session), lists its tools/resources/prompts, keeps a stderr tail,
/// and reconnects with backoff when the server exits or a call finds the session gone.
/// </summary>
public sealed class McpServerConnection : IAsyncDisposable
{
    public const string Separator = "__";
    private const int StderrLines = 200;

    private readonly Func<string, string?> readEnvironment;
    private readonly McpConnectionOptions options;
    private readonly FetchGuard? guard;
    private readonly Queue<string> stderr = new();
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly CancellationTokenSource lifetime = new();
    private int disposed;
    private McpClient? client;
    private IReadOnlyList<McpToolInfo> tools = [];
    private IReadOnlyList<string> resources = [];
    private IReadOnlyList<string> prompts = [];
    private Dictionary<string, string> schemas = [];
    private int generation;
    private int reconnects;
    private bool stopped;

    /// <param name="guard">For an HTTP/SSE server imported by a tenant other than the owner's: every connection goes through it.</param>
    public McpServerConnection(McpServerSpec spec, Func<string, string?> readEnvironment, McpConnectionOptions options, FetchGuard? guard = null)
    {
        Spec = spec;
        this.readEnvironment = readEnvironment;
        this.options = options;
        this.guard = guard;
    }

    public McpServerSpec Spec { get; }

    public McpServerState State { get; private set; } = McpServerState.Starting;

    public string? Error { get; private set; }

    public event Action<McpServerConnection>? Changed;

    /// <summary>The exact command the person confirms (stdio), or the URL.</summary>
    public static string CommandLineOf(McpServerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Transport != McpTransport.Stdio)
        {
            return $"{spec.Transport} {spec.Url}";
        }

        var env = string.Concat(spec.EnvironmentVariableNames.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}=${{{e.Value}}} "));
        return env + string.Join(' ', new[] { spec.Command ?? "" }.Concat(spec.Args).Select(Quote));
    }

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@,+".Contains(c, StringComparison.Ordinal)) ? arg : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public static string SafeName(string name) =>
        new((name ?? "").Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_').ToArray());

    public McpServerView View(bool imported)
    {
        lock (stderr)
        {
            return new McpServerView(Spec, CommandLineOf(Spec), State, Error, stderr.ToList(), tools, resources, prompts, reconnects, imported);
        }
    }

    public IReadOnlyList<string> StderrTail()
    {
        lock (stderr)
        {
            return stderr.ToList();
        }
    }

    /// <summary>Connects (or reconnects); on failure the state is Failed with the error and the connection stays usable for a retry.</summary>
    public async Task<bool> StartAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            stopped = false;
            return await ConnectLockedAsync(cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<bool> ConnectLockedAsync(CancellationToken cancellationToken)
    {
        await DisposeClientAsync();
        var myGeneration = ++generation;
        SetState(McpServerState.Starting, null);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.Token);
        timeout.CancelAfter(options.StartTimeout);
        try
        {
            if (guard is not null && Spec.Url is { } url)
            {
                // Refused before any request with a clear reason; the handler's connect callback checks every connection again.
                await guard.ResolveAllowedAsync(url.Host, timeout.Token);
            }

            var created = await McpClient.CreateAsync(
                CreateTransport(),
                new McpClientOptions { InitializationTimeout = options.StartTimeout, ClientInfo = new Implementation { Name = "personal-agent-chat", Version = "1.0" } },
                loggerFactory: null,
                timeout.Token);
            client = created;
            var listed = await created.ListToolsAsync(cancellationToken: timeout.Token);
            schemas = listed.ToDictionary(t => t.Name, t => t.JsonSchema.GetRawText(), StringComparer.Ordinal);
            tools = listed.Select(t => new McpToolInfo(t.Name, QualifiedName(t.Name), t.Description, EffectsOf(t.ProtocolTool.Annotations))).ToList();
            resources = created.ServerCapabilities?.Resources is null ? [] : (await created.ListResourcesAsync(cancellationToken: timeout.Token)).Select(r => r.Uri).ToList();
            prompts = created.ServerCapabilities?.Prompts is null ? [] : (await created.ListPromptsAsync(cancellationToken: timeout.Token)).Select(p => p.Name).ToList();
            SetState(McpServerState.Ready, null);
            _ = WatchAsync(created, myGeneration);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await DisposeClientAsync();
            SetState(McpServerState.Failed, $"The server did not answer the MCP handshake within {options.StartTimeout.TotalSeconds:0} s.{StderrHint()}");
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await DisposeClientAsync();
            var timedOut = ex is TimeoutException || ex.Message.Contains("timed out", StringComparison.OrdinalIgnoreCase);
            SetState(McpServerState.Failed, timedOut
                ? $"The server did not answer the MCP handshake within {options.StartTimeout.TotalSeconds:0} s.{StderrHint()}"
                : $"{Describe(ex)}{StderrHint()}");
            return false;
        }
    }

    private IClientTransport CreateTransport()
    {
        if (Spec.Transport == McpTransport.Stdio)
        {
            var env = new Dictionary<string, string?>();
            foreach (var (variable, source) in Spec.EnvironmentVariableNames)
            {
                env[variable] = readEnvironment(source)
                    ?? throw new InvalidOperationException($"The environment variable {source} (for {variable}) is not set.");
            }

            return new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = Spec.Name,
                Command = Spec.Command ?? throw new InvalidOperationException("The server has no command."),
                Arguments = Spec.Args.ToList(),
                EnvironmentVariables = env,
                StandardErrorLines = AddStderr,
                ShutdownTimeout = TimeSpan.FromSeconds(2),
            });
        }

        var transport = new HttpClientTransportOptions
        {
            Name = Spec.Name,
            Endpoint = Spec.Url ?? throw new InvalidOperationException("The server has no URL."),
            TransportMode = Spec.Transport == McpTransport.Sse ? HttpTransportMode.Sse : HttpTransportMode.StreamableHttp,
            ConnectionTimeout = options.StartTimeout,
        };
        return guard is null
            ? new HttpClientTransport(transport)
            : new HttpClientTransport(transport, new HttpClient(guard.CreateHandler()), loggerFactory: null, ownsHttpClient: true);
    }

    /// <summary>When the session ends on its own (the process exited), reconnect with backoff.</summary>
    private async Task WatchAsync(McpClient watched, int myGeneration)
    {
        var details = await watched.Completion;
        if (stopped || myGeneration != generation || lifetime.IsCancellationRequested)
        {
            return;
        }

        var exit = details is StdioClientCompletionDetails stdio && stdio.ExitCode is { } code ? $" (exit code {code})" : "";
        SetState(McpServerState.Failed, $"The server exited{exit}.{(details.Exception is { } ex ? " " + Describe(ex) : "")}{StderrHint()}");
        await ReconnectWithBackoffAsync(myGeneration);
    }

    private async Task ReconnectWithBackoffAsync(int fromGeneration)
    {
        for (var attempt = 0; attempt < options.MaxReconnects && !stopped && !lifetime.IsCancellationRequested; attempt++)
        {
            var delay = TimeSpan.FromMilliseconds(Math.Min(options.ReconnectMaxDelay.TotalMilliseconds, options.ReconnectBaseDelay.TotalMilliseconds * Math.Pow(2, attempt)));
            try
            {
                await Task.Delay(delay, lifetime.Token);
                await gate.WaitAsync(lifetime.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                if (stopped || generation != fromGeneration)
                {
                    return;
                }

                reconnects++;
                if (await ConnectLockedAsync(lifetime.Token))
                {
                    return;
                }

                fromGeneration = generation;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                gate.Release();
            }
        }
    }

    /// <summary>Calls a tool; when the session is gone (server restarted, HTTP session lost) it reconnects once and retries.</summary>
    public async Task<CallToolResult> CallToolAsync(string toolName, IReadOnlyDictionary<string, object?> arguments, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = client;
            if (current is null || State != McpServerState.Ready)
            {
                if (attempt == 0 && !stopped && State == McpServerState.Failed && await StartAsync(cancellationToken))
                {
                    continue;
                }

                throw new ToolException($"The MCP server '{Spec.Name}' is not ready ({State.ToString().ToLowerInvariant()}){(Error is null ? "" : ": " + Error)}");
            }

            try
            {
                return await current.CallToolAsync(toolName, arguments, cancellationToken: cancellationToken);
            }
            catch (McpProtocolException ex) when (!IsSessionLost(ex))
            {
                throw;
            }
            catch (Exception ex) when (attempt == 0 && ex is not OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                var seen = generation;
                await gate.WaitAsync(cancellationToken);
                try
                {
                    if (generation == seen)
                    {
                        reconnects++;
                        await ConnectLockedAsync(cancellationToken);
                    }
                }
                finally
                {
                    gate.Release();
                }
            }
        }
    }

    /// <summary>An HTTP server that restarted no longer knows our session id: reconnecting starts a new session.</summary>
    private bool IsSessionLost(McpProtocolException ex) =>
        Spec.Transport != McpTransport.Stdio && ex.Message.Contains("session", StringComparison.OrdinalIgnoreCase);

    /// <summary>The server's tools as namespaced <see cref="AgentTool"/>s that call through this connection.</summary>
    public IReadOnlyList<AgentTool> AgentTools()
    {
        var current = client;
        if (current is null || State != McpServerState.Ready)
        {
            return [];
        }

        return tools.Select(t => new AgentTool(
            t.QualifiedName,
            $"[{Spec.Name}] {t.Description}",
            SchemaOf(t.Name),
            ToolSource.Mcp,
            t.Effects,
            async (args, ct) => ToResult(await CallToolAsync(t.Name, args.ToDictionary(a => a.Key, a => a.Value), ct)))).ToList();
    }

    private string SchemaOf(string toolName) => schemas.TryGetValue(toolName, out var s) ? s : """{"type":"object","properties":{}}""";

    public static object ToResult(CallToolResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = string.Join("\n", result.Content.OfType<TextContentBlock>().Select(c => c.Text));
        if (result.IsError == true)
        {
            throw new ToolException(text.Length > 0 ? text : "The MCP tool reported an error.");
        }

        return JsonSerializer.SerializeToElement(result, McpJsonUtilities.DefaultOptions);
    }

    public string QualifiedName(string toolName) => SafeName(Spec.Name) + Separator + SafeName(toolName);

    public static ToolEffects EffectsOf(ToolAnnotations? annotations)
    {
        if (annotations?.ReadOnlyHint == true)
        {
            return ToolEffects.None;
        }

        var effects = ToolEffects.Writes;
        if (annotations?.DestructiveHint != false)
        {
            effects |= ToolEffects.Deletes;
        }

        if (annotations?.OpenWorldHint != false)
        {
            effects |= ToolEffects.Network;
        }

        return effects;
    }

    public async Task StopAsync(McpServerState state)
    {
        await gate.WaitAsync();
        try
        {
            stopped = true;
            generation++;
            await DisposeClientAsync();
            SetState(state, null);
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The manager's stop can meet a reload that replaces this connection: the second dispose is a no-op.
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        stopped = true;
        await lifetime.CancelAsync();
        await DisposeClientAsync();
        lifetime.Dispose();
    }

    private async Task DisposeClientAsync()
    {
        var old = client;
        client = null;
        tools = [];
        if (old is not null)
        {
            try
            {
                await old.DisposeAsync();
            }
            catch (Exception)
            {
                // The process or session may already be gone.
            }
        }
    }

    private void AddStderr(string line)
    {
        lock (stderr)
        {
            stderr.Enqueue(line);
            while (stderr.Count > StderrLines)
            {
                stderr.Dequeue();
            }
        }
    }

    private string StderrHint()
    {
        var tail = StderrTail();
        return tail.Count == 0 ? "" : " Last stderr: " + string.Join(" | ", tail.TakeLast(3));
    }

    private static string Describe(Exception ex) => ex switch
    {
        FetchRefusedException refused => refused.Message,
        _ when FindRefusal(ex) is { } refused => refused.Message,
        System.ComponentModel.Win32Exception w => $"The command could not be started: {w.Message}",
        _ when ex.InnerException is System.ComponentModel.Win32Exception w => $"The command could not be started: {w.Message}",
        _ => ex.Message,
    };

    private static FetchRefusedException? FindRefusal(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is FetchRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }

    private void SetState(McpServerState state, string? error)
    {
        State = state;
        Error = error;
        Changed?.Invoke(this);
    }
}
