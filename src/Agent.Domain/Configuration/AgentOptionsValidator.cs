using System.Text.RegularExpressions;
using Agent.Domain.Providers;
using Agent.Domain.Telemetry;
using Agent.Domain.Tools;

namespace Agent.Domain.Configuration;

/// <summary>Checks <see cref="AgentOptions"/> and turns it into domain specs. Pure: no IO.</summary>
public static partial class AgentOptionsValidator
{
    private const string Section = AgentOptions.SectionName;

    public static IReadOnlyList<ConfigError> Validate(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<ConfigError>();

        if (string.IsNullOrWhiteSpace(options.Storage.DatabasePath))
        {
            errors.Add(new($"{Section}:Storage:DatabasePath", "is empty.", "give a file path such as data/agent.db."));
        }

        ValidateProviders(options, errors);
        ValidateCaps(options.Caps, errors);
        ValidatePositive($"{Section}:Streaming:FlushIntervalMs", options.Streaming.FlushIntervalMs, errors);
        ValidatePositive($"{Section}:Streaming:FlushTokenCount", options.Streaming.FlushTokenCount, errors);
        ValidatePositive($"{Section}:Telemetry:ChartDays", options.Telemetry.ChartDays, errors);
        if (string.IsNullOrWhiteSpace(options.Telemetry.PriceTableVersion))
        {
            errors.Add(new($"{Section}:Telemetry:PriceTableVersion", "is empty.", "name the price table version, such as 2026-11."));
        }
        ValidateContext(options.Context, errors);
        ValidateMcpServers(options, errors);
        ValidateNetworks($"{Section}:Mcp:AllowedNetworks", options.Mcp.AllowedNetworks, errors);
        ValidateTools(options.Tools, errors);
        ValidateProfiles(options.Profiles, errors);
        errors.AddRange(ValidateTeams(options.Profiles, options.Teams));
        ValidateVoice(options.Voice, errors);
        ValidateBudgets(options.Budgets, errors);
        ValidateMemory(options.Memory, errors);
        return errors;
    }

    private static void ValidateContext(ContextOptions context, List<ConfigError> errors)
    {
        if (context.CompactAtShare is <= 0.1 or > 1)
        {
            errors.Add(new($"{Section}:Context:CompactAtShare", $"{context.CompactAtShare} is out of range.", "use a share of the context window above 0.1 and at most 1, such as 0.8."));
        }

        if (context.KeepRecentShare <= 0 || context.KeepRecentShare >= context.CompactAtShare)
        {
            errors.Add(new($"{Section}:Context:KeepRecentShare", $"{context.KeepRecentShare} is out of range.", "use a share above 0 and below CompactAtShare, such as 0.3."));
        }

        ValidatePositive($"{Section}:Context:ReplyReserveTokens", context.ReplyReserveTokens, errors);
        if (context.RecallTake < 0)
        {
            errors.Add(new($"{Section}:Context:RecallTake", $"{context.RecallTake} is negative.", "use 0 (no recall) or more."));
        }
    }

    private static void ValidateProviders(AgentOptions options, List<ConfigError> errors)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Providers.Count; i++)
        {
            var provider = options.Providers[i];
            var key = $"{Section}:Providers:{i}";
            if (string.IsNullOrWhiteSpace(provider.Name))
            {
                errors.Add(new($"{key}:Name", "is empty.", "give the provider a unique name such as openai."));
            }
            else if (!seen.Add(provider.Name))
            {
                errors.Add(new($"{key}:Name", $"'{provider.Name}' is used by more than one provider.", "give each provider a unique name."));
            }

            var kindKnown = Enum.TryParse<ProviderKind>(provider.Kind, ignoreCase: true, out var kind) && !int.TryParse(provider.Kind, out _);
            if (!kindKnown)
            {
                errors.Add(new($"{key}:Kind", $"'{provider.Kind}' is not a provider kind.", $"use one of {string.Join(", ", Enum.GetNames<ProviderKind>())}."));
            }

            if (!Enum.TryParse<ProviderMode>(provider.Mode, ignoreCase: true, out var mode) || int.TryParse(provider.Mode, out _))
            {
                errors.Add(new($"{key}:Mode", $"'{provider.Mode}' is not a provider mode.", $"use one of {string.Join(", ", Enum.GetNames<ProviderMode>())}."));
            }
            else if (kindKnown && (kind == ProviderKind.Deterministic) != (mode == ProviderMode.Deterministic))
            {
                errors.Add(new($"{key}:Mode", $"mode '{provider.Mode}' does not fit kind '{provider.Kind}'.", "use Mode Deterministic exactly for Kind Deterministic; Sandbox or Live for the others."));
            }

            if (kindKnown && kind != ProviderKind.Deterministic && !IsHttpUrl(provider.BaseUrl))
            {
                errors.Add(new($"{key}:BaseUrl", $"'{provider.BaseUrl}' is not an absolute http(s) URL.", "give the server's base URL, for example https://api.openai.com/v1 or http://127.0.0.1:11434/v1."));
            }

            ValidateEnvVarName($"{key}:ApiKeyEnvVar", provider.ApiKeyEnvVar, errors);
            ValidateEnvVarName($"{key}:BaseUrlEnvVar", provider.BaseUrlEnvVar, errors);
            ValidateModels(key, provider, errors);
            ValidateResilience(key, provider, errors);
        }

        var ordered = options.Providers.Where(p => !string.IsNullOrWhiteSpace(p.Name)).ToList();
        if (ordered.Count == 0)
        {
            errors.Add(new($"{Section}:Providers", "no provider is configured.", "keep at least the deterministic provider in appsettings.json."));
        }

        if (!string.IsNullOrWhiteSpace(options.DefaultProvider))
        {
            var provider = ordered.FirstOrDefault(p => string.Equals(p.Name, options.DefaultProvider, StringComparison.OrdinalIgnoreCase));
            if (provider is null)
            {
                errors.Add(new($"{Section}:DefaultProvider", $"'{options.DefaultProvider}' is not a configured provider.", $"use one of {string.Join(", ", ordered.Select(p => p.Name))}, or leave it empty."));
            }
            else if (!string.IsNullOrWhiteSpace(options.DefaultModel) && provider.Models.All(m => m.Id != options.DefaultModel))
            {
                errors.Add(new($"{Section}:DefaultModel", $"'{options.DefaultModel}' is not a model of provider '{provider.Name}'.", $"use one of {string.Join(", ", provider.Models.Select(m => m.Id))}."));
            }
        }
    }

    private static void ValidateModels(string providerKey, ProviderOptions provider, List<ConfigError> errors)
    {
        if (provider.Models.Count == 0)
        {
            errors.Add(new($"{providerKey}:Models", "lists no model.", "add at least one model with an Id and a ContextWindow."));
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var m = 0; m < provider.Models.Count; m++)
        {
            var model = provider.Models[m];
            var key = $"{providerKey}:Models:{m}";
            if (string.IsNullOrWhiteSpace(model.Id))
            {
                errors.Add(new($"{key}:Id", "is empty.", "give the model id the provider expects, such as gpt-4o-mini."));
            }
            else if (!ids.Add(model.Id))
            {
                errors.Add(new($"{key}:Id", $"'{model.Id}' is listed twice.", "list each model once."));
            }

            ValidatePositive($"{key}:ContextWindow", model.ContextWindow, errors);
            if (model.InputPricePerMillion < 0)
            {
                errors.Add(new($"{key}:InputPricePerMillion", "is negative.", "use 0 or a positive price per million tokens."));
            }

            if (model.OutputPricePerMillion < 0)
            {
                errors.Add(new($"{key}:OutputPricePerMillion", "is negative.", "use 0 or a positive price per million tokens."));
            }

            if (model.CachedInputPricePerMillion < 0)
            {
                errors.Add(new($"{key}:CachedInputPricePerMillion", "is negative.", "use 0 or a positive price per million tokens, or leave it out to bill cached input at the input price."));
            }
        }
    }

    private static void ValidateResilience(string providerKey, ProviderOptions provider, List<ConfigError> errors)
    {
        var r = provider.Resilience ?? new ProviderResilienceOptions();
        var key = $"{providerKey}:Resilience";
        ValidatePositive($"{key}:TotalTimeoutMs", r.TotalTimeoutMs, errors);
        ValidatePositive($"{key}:FirstByteTimeoutMs", r.FirstByteTimeoutMs, errors);
        if (r.FirstByteTimeoutMs > 0 && r.TotalTimeoutMs > 0 && r.FirstByteTimeoutMs > r.TotalTimeoutMs)
        {
            errors.Add(new($"{key}:FirstByteTimeoutMs", "is larger than TotalTimeoutMs.", "make the first-byte timeout at most the total timeout."));
        }

        if (r.MaxRetries is < 0 or > 10)
        {
            errors.Add(new($"{key}:MaxRetries", $"is {r.MaxRetries}; it must be between 0 and 10.", "use a small number such as 2 (0 turns retries off)."));
        }

        ValidatePositive($"{key}:RetryBaseDelayMs", r.RetryBaseDelayMs, errors);
        ValidatePositive($"{key}:RetryMaxDelayMs", r.RetryMaxDelayMs, errors);
        if (r.RetryBaseDelayMs > 0 && r.RetryMaxDelayMs > 0 && r.RetryBaseDelayMs > r.RetryMaxDelayMs)
        {
            errors.Add(new($"{key}:RetryBaseDelayMs", "is larger than RetryMaxDelayMs.", "make the base delay at most the maximum delay."));
        }

        ValidatePositive($"{key}:MaxRetryAfterMs", r.MaxRetryAfterMs, errors);
        if (r.CircuitBreakerFailureRatio is <= 0 or > 1 || double.IsNaN(r.CircuitBreakerFailureRatio))
        {
            errors.Add(new($"{key}:CircuitBreakerFailureRatio", $"is {r.CircuitBreakerFailureRatio}; it must be above 0 and at most 1.", "use a ratio such as 0.5."));
        }

        if (r.CircuitBreakerMinimumThroughput < 2)
        {
            errors.Add(new($"{key}:CircuitBreakerMinimumThroughput", $"is {r.CircuitBreakerMinimumThroughput}; it must be at least 2.", "use a number such as 8."));
        }

        if (r.CircuitBreakerSamplingMs < 500)
        {
            errors.Add(new($"{key}:CircuitBreakerSamplingMs", $"is {r.CircuitBreakerSamplingMs}; it must be at least 500.", "use a window such as 30000."));
        }

        if (r.CircuitBreakerBreakMs < 500)
        {
            errors.Add(new($"{key}:CircuitBreakerBreakMs", $"is {r.CircuitBreakerBreakMs}; it must be at least 500.", "use a pause such as 15000."));
        }

        ValidatePositive($"{key}:RequestsPerMinute", r.RequestsPerMinute, errors);
        if (r.RateLimitQueue < 0)
        {
            errors.Add(new($"{key}:RateLimitQueue", $"is {r.RateLimitQueue}; it must not be negative.", "use 0 (refuse at once) or a small queue such as 16."));
        }

        if (provider.ChunkDelayMs < 0)
        {
            errors.Add(new($"{providerKey}:ChunkDelayMs", $"is {provider.ChunkDelayMs}; it must not be negative.", "use 0 or a small delay such as 15."));
        }
    }

    private static void ValidateCaps(CapsOptions caps, List<ConfigError> errors)
    {
        ValidatePositive($"{Section}:Caps:MaxConcurrentCallsTenant", caps.MaxConcurrentCallsTenant, errors);
        ValidatePositive($"{Section}:Caps:MaxCallsPerMinuteTenant", caps.MaxCallsPerMinuteTenant, errors);
        ValidatePositive($"{Section}:Caps:MaxConcurrentCallsGlobal", caps.MaxConcurrentCallsGlobal, errors);
        if (caps.MaxConcurrentCallsGlobal > 0 && caps.MaxConcurrentCallsTenant > caps.MaxConcurrentCallsGlobal)
        {
            errors.Add(new($"{Section}:Caps:MaxConcurrentCallsTenant", "is larger than MaxConcurrentCallsGlobal.", "make the tenant cap at most the global cap."));
        }
    }

    private static void ValidateMcpServers(AgentOptions options, List<ConfigError> errors)
    {
        foreach (var (name, server) in options.McpServers)
        {
            var key = $"{Section}:McpServers:{name}";
            var hasCommand = !string.IsNullOrWhiteSpace(server.Command);
            var hasUrl = !string.IsNullOrWhiteSpace(server.Url);
            if (hasCommand == hasUrl)
            {
                errors.Add(new(key, "needs exactly one of command (stdio) or url (HTTP).", "give \"command\" and \"args\" for a local server, or \"url\" for a remote one."));
                continue;
            }

            if (!TryParseTransport(server, out _))
            {
                errors.Add(new($"{key}:Type", $"'{server.Type}' is not an MCP transport.", "use stdio, streamableHttp or sse (or leave it out)."));
            }

            if (hasUrl && !IsHttpUrl(server.Url))
            {
                errors.Add(new($"{key}:Url", $"'{server.Url}' is not an absolute http(s) URL.", "give the server's endpoint, for example http://127.0.0.1:3001/mcp."));
            }

            foreach (var (variable, value) in server.Env)
            {
                if (!EnvReference().IsMatch(value ?? ""))
                {
                    errors.Add(new($"{key}:Env:{variable}", "holds a literal value; only references are stored.", $"write \"${{{variable}}}\" (or another ${{NAME}}) and set that variable in the environment."));
                }
            }
        }
    }

    private static void ValidateProfiles(List<AgentProfileOptions> profiles, List<ConfigError> errors)
    {
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < profiles.Count; i++)
        {
            var key = $"{Section}:Profiles:{i}";
            var profile = profiles[i];
            if (!string.IsNullOrWhiteSpace(profile.Id) && !InputLimits.IsValidId(profile.Id))
            {
                errors.Add(new($"{key}:Id", $"{InputLimits.Shown(profile.Id)} is not a valid id.", $"use {InputLimits.IdRule}, such as coder."));
            }
            else if (string.IsNullOrWhiteSpace(profile.Id) || !ids.Add(profile.Id))
            {
                errors.Add(new($"{key}:Id", $"'{profile.Id}' is empty or used by another profile.", "give each profile a unique id such as coder."));
            }

            if (string.IsNullOrWhiteSpace(profile.Name))
            {
                errors.Add(new($"{key}:Name", "is empty.", "give the profile a name people see in the chat."));
            }

            ValidateLength($"{key}:Name", profile.Name, InputLimits.MaxNameLength, errors);
            ValidateLength($"{key}:SystemPrompt", profile.SystemPrompt, InputLimits.MaxSystemPromptLength, errors);
            ValidateLength($"{key}:Description", profile.Description, InputLimits.MaxDescriptionLength, errors);
        }
    }

    /// <summary>The providers as domain specs; call only on options that passed <see cref="Validate"/>.</summary>
    public static IReadOnlyList<ProviderSpec> ToProviderSpecs(AgentOptions options, Func<string, string?> readEnvironment)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Providers.Select(p =>
        {
            var baseUrl = p.BaseUrl;
            if (!string.IsNullOrWhiteSpace(p.BaseUrlEnvVar) && IsHttpUrl(readEnvironment(p.BaseUrlEnvVar)))
            {
                baseUrl = readEnvironment(p.BaseUrlEnvVar);
            }

            return new ProviderSpec(
                p.Name,
                Enum.Parse<ProviderKind>(p.Kind, ignoreCase: true),
                Enum.Parse<ProviderMode>(p.Mode, ignoreCase: true),
                string.IsNullOrWhiteSpace(baseUrl) ? null : new Uri(baseUrl),
                string.IsNullOrWhiteSpace(p.ApiKeyEnvVar) ? null : p.ApiKeyEnvVar,
                p.Models.Select(m => new ModelSpec(m.Id, m.ContextWindow, m.InputPricePerMillion, m.OutputPricePerMillion)).ToList());
        }).ToList();
    }

    /// <summary>The price table (every configured model of every provider) under Agent:Telemetry:PriceTableVersion.</summary>
    public static PriceTable ToPriceTable(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var prices = new Dictionary<(string Provider, string Model), ModelPrice>();
        foreach (var provider in options.Providers)
        {
            foreach (var model in provider.Models)
            {
                prices[(provider.Name, model.Id)] = new ModelPrice(model.InputPricePerMillion, model.OutputPricePerMillion, model.CachedInputPricePerMillion);
            }
        }

        return new PriceTable(options.Telemetry.PriceTableVersion, prices);
    }

    /// <summary>The MCP servers as domain specs; call only on options that passed <see cref="Validate"/>.</summary>
    public static IReadOnlyList<McpServerSpec> ToMcpServerSpecs(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.McpServers
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s =>
            {
                TryParseTransport(s.Value, out var transport);
                return new McpServerSpec(
                    s.Key,
                    transport,
                    s.Value.Command,
                    s.Value.Args,
                    s.Value.Env.ToDictionary(e => e.Key, e => EnvReference().Match(e.Value).Groups["name"].Value),
                    string.IsNullOrWhiteSpace(s.Value.Url) ? null : new Uri(s.Value.Url),
                    s.Value.Enabled);
            })
            .ToList();
    }

    private static bool TryParseTransport(McpServerOptions server, out McpTransport transport)
    {
        transport = string.IsNullOrWhiteSpace(server.Url) ? McpTransport.Stdio : McpTransport.StreamableHttp;
        switch (server.Type?.Trim().ToLowerInvariant())
        {
            case null or "":
                return true;
            case "stdio":
                transport = McpTransport.Stdio;
                return string.IsNullOrWhiteSpace(server.Url);
            case "streamablehttp" or "http" or "streamable-http":
                transport = McpTransport.StreamableHttp;
                return !string.IsNullOrWhiteSpace(server.Url);
            case "sse":
                transport = McpTransport.Sse;
                return !string.IsNullOrWhiteSpace(server.Url);
            default:
                return false;
        }
    }

    private static void ValidatePositive(string key, int value, List<ConfigError> errors)
    {
        if (value <= 0)
        {
            errors.Add(new(key, $"is {value}; it must be positive.", "use a whole number greater than 0."));
        }
    }

    private static void ValidateEnvVarName(string key, string? name, List<ConfigError> errors)
    {
        if (!string.IsNullOrEmpty(name) && !EnvVarName().IsMatch(name))
        {
            errors.Add(new(key, "is not an environment variable name. Only the NAME of the variable belongs here, never the key itself.", "write a name such as OPENAI_API_KEY and set that variable in the environment."));
        }
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex EnvVarName();

    [GeneratedRegex(@"^\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)\}$")]
    private static partial Regex EnvReference();
}
