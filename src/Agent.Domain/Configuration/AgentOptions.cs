namespace Agent.Domain.Configuration;

/// <summary>
/// The "Agent" section of appsettings.json, overridable by environment variables (Agent__Caps__...).
/// Enum-like values are strings so that a typo is reported by <see cref="AgentOptionsValidator"/> with the
/// key and the allowed values, not by the binder.
/// </summary>
public sealed class AgentOptions
{
    public const string SectionName = "Agent";

    public StorageOptions Storage { get; set; } = new();

    /// <summary>Provider for new sessions; empty means the first ready live provider, else the deterministic one.</summary>
    public string? DefaultProvider { get; set; }

    public string? DefaultModel { get; set; }

    public List<ProviderOptions> Providers { get; set; } = [];

    public CapsOptions Caps { get; set; } = new();

    public StreamingOptions Streaming { get; set; } = new();

    public TelemetryOptions Telemetry { get; set; } = new();

    /// <summary>Optional token and cost limits per day and per session; none set means no limit.</summary>
    public BudgetsOptions Budgets { get; set; } = new();

    public SkillsOptions Skills { get; set; } = new();

    public ToolsOptions Tools { get; set; } = new();

    /// <summary>The same shape other MCP clients use: name -> { command, args, env } or { url, type }.</summary>
    public Dictionary<string, McpServerOptions> McpServers { get; set; } = [];

    /// <summary>How imported MCP servers may be reached (the appsettings servers above are the install's own choice).</summary>
    public McpOptions Mcp { get; set; } = new();

    /// <summary>Agent profiles a session can use: a name and the instructions sent as the system message.</summary>
    public List<AgentProfileOptions> Profiles { get; set; } = [];

    /// <summary>Size limits of what people send (hostile input is bounded before it reaches a model or the database).</summary>
    public LimitsOptions Limits { get; set; } = new();

    /// <summary>Teams of profiles: a coordinator that may hand sub-tasks to its members through the ask_agent tool.</summary>
    public List<TeamOptions> Teams { get; set; } = [];

    /// <summary>Speech to text and text to speech servers; each is blocked until its URL is configured.</summary>
    public VoiceOptions Voice { get; set; } = new();

    /// <summary>How a turn's context is filled and when a session is compacted.</summary>
    public ContextOptions Context { get; set; } = new();

    public MemoryOptions Memory { get; set; } = new();
}

public sealed class LimitsOptions
{
    /// <summary>The longest message a person may send, in characters (about 25,000 tokens by default).</summary>
    public int MaxMessageChars { get; set; } = 100_000;
}

public sealed class StorageOptions
{
    /// <summary>SQLite file; relative paths are under the content root.</summary>
    public string DatabasePath { get; set; } = "data/agent.db";
}

public sealed class ProviderOptions
{
    public string Name { get; set; } = "";

    public string Kind { get; set; } = "";

    public string Mode { get; set; } = "";

    public string? BaseUrl { get; set; }

    /// <summary>The NAME of the environment variable that holds the key (for example OPENAI_API_KEY).</summary>
    public string? ApiKeyEnvVar { get; set; }

    /// <summary>The NAME of an environment variable that may override <see cref="BaseUrl"/> (for example OPENAI_BASE_URL).</summary>
    public string? BaseUrlEnvVar { get; set; }

    public List<ModelOptions> Models { get; set; } = [];

    /// <summary>Resilience of this provider's HTTP client (one Polly pipeline per provider).</summary>
    public ProviderResilienceOptions Resilience { get; set; } = new();

    /// <summary>Deterministic provider only: pause between streamed chunks.</summary>
    public int ChunkDelayMs { get; set; } = 15;
}

/// <summary>Timeouts, retries, circuit breaker and client-side rate limit of one provider's HTTP client.</summary>
public sealed class ProviderResilienceOptions
{
    /// <summary>Whole call, all attempts and the streamed body included.</summary>
    public int TotalTimeoutMs { get; set; } = 300_000;

    /// <summary>One attempt until the response headers (the first byte) arrive.</summary>
    public int FirstByteTimeoutMs { get; set; } = 30_000;

    /// <summary>Retries after the first attempt (0 turns retries off).</summary>
    public int MaxRetries { get; set; } = 2;

    public int RetryBaseDelayMs { get; set; } = 500;

    public int RetryMaxDelayMs { get; set; } = 8_000;

    /// <summary>A Retry-After longer than this is not waited for: the error goes to the user with the time to retry.</summary>
    public int MaxRetryAfterMs { get; set; } = 30_000;

    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    public int CircuitBreakerMinimumThroughput { get; set; } = 8;

    public int CircuitBreakerSamplingMs { get; set; } = 30_000;

    public int CircuitBreakerBreakMs { get; set; } = 15_000;

    /// <summary>Client-side rate limit: requests per minute to this provider.</summary>
    public int RequestsPerMinute { get; set; } = 60;

    /// <summary>Requests that may wait for a rate-limit permit before being refused.</summary>
    public int RateLimitQueue { get; set; } = 16;
}

public sealed class ModelOptions
{
    public string Id { get; set; } = "";

    public int ContextWindow { get; set; }

    public decimal InputPricePerMillion { get; set; }

    public decimal OutputPricePerMillion { get; set; }

    /// <summary>Price of cached input tokens; when absent they are billed at <see cref="InputPricePerMillion"/>.</summary>
    public decimal? CachedInputPricePerMillion { get; set; }
}

/// <summary>The control plane's caps, applied per tenant and globally.</summary>
public sealed class CapsOptions
{
    public int MaxConcurrentCallsTenant { get; set; } = 4;

    public int MaxCallsPerMinuteTenant { get; set; } = 60;

    public int MaxConcurrentCallsGlobal { get; set; } = 16;
}

public sealed class ContextOptions
{
    /// <summary>A turn whose request would pass this share of the model's context window compacts the session first.</summary>
    public double CompactAtShare { get; set; } = 0.8;

    /// <summary>After compaction, the newest turns kept word for word fill at most this share of the window.</summary>
    public double KeepRecentShare { get; set; } = 0.3;

    /// <summary>Tokens left free for the reply (at most an eighth of the window is kept for it).</summary>
    public int ReplyReserveTokens { get; set; } = 1024;

    /// <summary>How many recalled memories a turn may carry.</summary>
    public int RecallTake { get; set; } = 5;
}

public sealed class StreamingOptions
{
    public int FlushIntervalMs { get; set; } = 250;

    public int FlushTokenCount { get; set; } = 64;
}

public sealed class TelemetryOptions
{
    public string Currency { get; set; } = "USD";

    public int ChartDays { get; set; } = 14;

    /// <summary>Recorded on each priced message; change it whenever the prices change so old costs keep their version.</summary>
    public string PriceTableVersion { get; set; } = "2026-11";

    public bool RecordToolCalls { get; set; } = true;

    /// <summary>
    /// Whether prompt and reply text (and tool arguments and results) go into OpenTelemetry spans. Off by default:
    /// telemetry leaves the machine, the words of a conversation should not unless the operator says so.
    /// </summary>
    public bool OtelIncludeSensitiveData { get; set; }
}

public sealed class SkillsOptions
{
    public List<string> Folders { get; set; } = [];
}

public sealed class McpServerOptions
{
    /// <summary>stdio (default when Command is set), streamableHttp or sse (when Url is set).</summary>
    public string? Type { get; set; }

    public string? Command { get; set; }

    public List<string> Args { get; set; } = [];

    /// <summary>Values must be references of the form ${NAME}: the value is read from our environment at start.</summary>
    public Dictionary<string, string> Env { get; set; } = [];

    public string? Url { get; set; }

    public bool Enabled { get; set; } = true;
}

public sealed class McpOptions
{
    /// <summary>
    /// Networks (CIDR, such as 10.1.2.0/24 or 127.0.0.1/32) an imported HTTP/SSE MCP server may be on although they are
    /// loopback, link-local or private; empty (default) = only public addresses. The loopback owner's imports are not checked.
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];
}

/// <summary>Built-in tools, the agent loop's limits and tool approvals.</summary>
public sealed class ToolsOptions
{
    /// <summary>The only folder the workspace tools may touch; relative paths are under the content root.</summary>
    public string WorkspaceFolder { get; set; } = "data/workspace";

    /// <summary>Files larger than this are neither read nor written by the workspace tools.</summary>
    public long MaxFileBytes { get; set; } = 1_048_576;

    /// <summary>The fetch_url tool exists only when this is true (it reaches the network and asks by default).</summary>
    public bool EnableFetch { get; set; }

    public int FetchMaxBytes { get; set; } = 262_144;

    /// <summary>
    /// Networks (CIDR, such as 10.1.2.0/24 or 127.0.0.1/32) fetch_url may reach although they are loopback, link-local or
    /// private; empty (default) = only public addresses.
    /// </summary>
    public List<string> FetchAllowedNetworks { get; set; } = [];

    /// <summary>Model calls per turn: after this many rounds of tool calls the loop stops.</summary>
    public int MaxSteps { get; set; } = 8;

    public int CallTimeoutSeconds { get; set; } = 60;

    /// <summary>A tool result longer than this (JSON characters) is stored as an artifact; the model gets a preview and its id.</summary>
    public int LargeResultChars { get; set; } = 16_384;

    /// <summary>manual, askForWrites or autonomous.</summary>
    public string Mode { get; set; } = "askForWrites";

    /// <summary>Tool name -> always, ask or never (over the default from the tool's effects).</summary>
    public Dictionary<string, string> Approvals { get; set; } = [];

    /// <summary>How long an MCP server may take to start and answer the handshake.</summary>
    public int McpStartTimeoutSeconds { get; set; } = 30;
}

public sealed class AgentProfileOptions
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public string SystemPrompt { get; set; } = "";

    /// <summary>What the profile is good at; the coordinator reads it in the ask_agent tool's description.</summary>
    public string? Description { get; set; }

    /// <summary>Provider and model this agent runs on as a team member; empty: the session's.</summary>
    public string? Provider { get; set; }

    public string? Model { get; set; }

    /// <summary>Tools this agent may call as a team member; empty: every enabled tool.</summary>
    public List<string> Tools { get; set; } = [];

    /// <summary>Skills this agent may load as a team member; empty: every enabled skill.</summary>
    public List<string> Skills { get; set; } = [];

    /// <summary>none, session (the parent chat's memory) or agent (memory of this profile only).</summary>
    public string MemoryScope { get; set; } = "session";

    public AgentProfileOptions Copy() => new()
    {
        Id = Id,
        Name = Name,
        SystemPrompt = SystemPrompt,
        Description = Description,
        Provider = Provider,
        Model = Model,
        Tools = [.. Tools],
        Skills = [.. Skills],
        MemoryScope = MemoryScope,
    };
}

/// <summary>A coordinator profile and the member profiles it may delegate to.</summary>
public sealed class TeamOptions
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>Profile id of the agent the person talks to.</summary>
    public string Coordinator { get; set; } = "";

    /// <summary>Profile ids the coordinator may ask (ask_agent's "agent" argument).</summary>
    public List<string> Members { get; set; } = [];

    public TeamLimitsOptions Limits { get; set; } = new();

    public TeamOptions Copy() => new()
    {
        Id = Id,
        Name = Name,
        Coordinator = Coordinator,
        Members = [.. Members],
        Limits = new TeamLimitsOptions
        {
            MaxDepth = Limits.MaxDepth,
            MaxSteps = Limits.MaxSteps,
            MaxTokensPerTask = Limits.MaxTokensPerTask,
            MaxTokensPerRun = Limits.MaxTokensPerRun,
            MaxSecondsPerTask = Limits.MaxSecondsPerTask,
        },
    };
}

/// <summary>Limits of a team run: how deep members may delegate and what each member task may spend.</summary>
public sealed class TeamLimitsOptions
{
    /// <summary>1: only the coordinator delegates; 2: members may delegate once more.</summary>
    public int MaxDepth { get; set; } = 2;

    /// <summary>Model calls of one member task.</summary>
    public int MaxSteps { get; set; } = 6;

    /// <summary>Input plus output tokens of one member task.</summary>
    public int MaxTokensPerTask { get; set; } = 50_000;

    /// <summary>Input plus output tokens of every member task of one chat turn.</summary>
    public int MaxTokensPerRun { get; set; } = 200_000;

    public int MaxSecondsPerTask { get; set; } = 300;
}
