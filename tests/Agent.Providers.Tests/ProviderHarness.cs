using Agent.Domain.Configuration;
using Agent.ProviderEmulator;
using Agent.Runtime.Clients;
using Agent.Runtime.Clients.Common;
using Agent.Runtime.Hosting;
using Agent.Runtime.Services;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Agent.Providers.Tests;

/// <summary>One emulator per test class, started in-process on 127.0.0.1 with a free port (real HTTP).</summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public EmulatorServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 1, SlowFirstByteMs = 3_000, RetryAfterMs = 300 });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>A provider set-up like the app's (ProviderCatalog + AddProviderClients) pointed at the emulator as sandbox providers.</summary>
public sealed class ProviderHarness : IDisposable
{
    public const string KeyVar = "AGENT_TEST_PROVIDER_KEY";
    public const string MissingKeyVar = "AGENT_TEST_MISSING_KEY";

    private readonly ServiceProvider services;

    public ProviderHarness(EmulatorServer emulator, Action<ProviderResilienceOptions>? resilience = null, Dictionary<string, string?>? environment = null, Action<AgentOptions>? configure = null, Action<IServiceCollection>? configureServices = null)
    {
        Emulator = emulator;
        Key = "test-" + Guid.NewGuid().ToString("N");
        var env = new Dictionary<string, string?>(environment ?? []) { [KeyVar] = Key };
        var r = new ProviderResilienceOptions { FirstByteTimeoutMs = 5_000, TotalTimeoutMs = 20_000, MaxRetries = 2, RetryBaseDelayMs = 20, RetryMaxDelayMs = 100, MaxRetryAfterMs = 5_000 };
        resilience?.Invoke(r);
        var options = new AgentOptions
        {
            Providers =
            [
                new ProviderOptions { Name = "deterministic", Kind = "Deterministic", Mode = "Deterministic", ChunkDelayMs = 0, Models = [new ModelOptions { Id = "scripted-echo", ContextWindow = 32768 }] },
                new ProviderOptions { Name = "openai", Kind = "OpenAICompatible", Mode = "Sandbox", BaseUrl = emulator.OpenAIBaseUrl.ToString(), ApiKeyEnvVar = KeyVar, Resilience = r, Models = [new ModelOptions { Id = "gpt-emu", ContextWindow = 8192 }] },
                new ProviderOptions { Name = "anthropic", Kind = "Anthropic", Mode = "Sandbox", BaseUrl = emulator.AnthropicBaseUrl.ToString(), ApiKeyEnvVar = KeyVar, Resilience = r, Models = [new ModelOptions { Id = "claude-emu", ContextWindow = 8192 }] },
                new ProviderOptions { Name = "blocked", Kind = "OpenAICompatible", Mode = "Live", BaseUrl = "https://api.openai.com/v1", ApiKeyEnvVar = MissingKeyVar, Models = [new ModelOptions { Id = "gpt-4o-mini", ContextWindow = 8192 }] },
            ],
        };
        configure?.Invoke(options);
        Assert.Empty(AgentOptionsValidator.Validate(options));
        var collection = new ServiceCollection();
        collection.AddLogging(b => b.AddProvider(Logs));
        collection.AddSingleton(Options.Create(options));
        collection.AddSingleton(new EnvironmentVariables(name => env.TryGetValue(name, out var v) ? v : null));
        collection.AddSingleton(TimeProvider.System);
        collection.AddSingleton<ProviderCatalog>();
        collection.AddProviderClients();
        configureServices?.Invoke(collection);
        services = collection.BuildServiceProvider();
    }

    public EmulatorServer Emulator { get; }

    public string Key { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public ProviderClients Clients => services.GetRequiredService<ProviderClients>();

    public ProviderCatalog Catalog => services.GetRequiredService<ProviderCatalog>();

    public ListedModels Listed => services.GetRequiredService<ListedModels>();

    public ProviderConnectionTester Tester => services.GetRequiredService<ProviderConnectionTester>();

    public IChatClient Client(string provider) => Clients.GetClient(provider);

    /// <summary>A user message unique to the test (the emulator keys its "then-ok" scenarios by body).</summary>
    public static List<ChatMessage> Ask(string scenario, string? extra = null) =>
        [new ChatMessage(ChatRole.System, "You are a test."), new ChatMessage(ChatRole.User, $"[scenario:{scenario}] {extra} hello {Guid.NewGuid():N}")];

    public IReadOnlyList<RecordedRequest> RequestsFor(IEnumerable<ChatMessage> messages)
    {
        var marker = messages.Last(m => m.Role == ChatRole.User && m.Text.Length >= 32).Text;
        return Emulator.Requests.All().Where(r => r.Body.Contains(marker[^32..], StringComparison.Ordinal)).ToList();
    }

    public void Dispose() => services.Dispose();
}

public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> lines = new();
    private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<string> Lines => lines.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner.scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new System.Text.StringBuilder();
            owner.scopes.ForEachScope((s, sb) =>
            {
                if (s is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (k, v) in pairs)
                    {
                        sb.Append(k).Append('=').Append(v).Append(' ');
                    }
                }
            }, scope);
            owner.lines.Enqueue($"{logLevel} {formatter(state, exception)} | {scope} {exception?.Message}");
        }
    }
}

public static class StreamCollector
{
    public sealed record Collected(string Text, List<ChatResponseUpdate> Updates, ProviderException? Error)
    {
        public UsageDetails? Usage => Updates.SelectMany(u => u.Contents).OfType<UsageContent>().LastOrDefault()?.Details;

        public List<FunctionCallContent> Calls => Updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToList();

        public ChatFinishReason? Finish => Updates.LastOrDefault(u => u.FinishReason is not null)?.FinishReason;
    }

    public static async Task<Collected> CollectAsync(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken ct = default)
    {
        var updates = new List<ChatResponseUpdate>();
        var text = new System.Text.StringBuilder();
        try
        {
            await foreach (var update in client.GetStreamingResponseAsync(messages, options, ct))
            {
                updates.Add(update);
                text.Append(update.Text);
            }
        }
        catch (ProviderException ex)
        {
            return new Collected(text.ToString(), updates, ex);
        }

        return new Collected(text.ToString(), updates, null);
    }
}
