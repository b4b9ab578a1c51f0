using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Agent.Runtime.ControlPlane;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Agent.Web.Tests.ControlPlane;

/// <summary>The real host in-process with the control plane's environment, its log lines captured, and a client that sends the admin token.</summary>
public sealed class AdminApp : IAsyncDisposable
{
    public const string Token = "test-admin-token-not-real";

    private readonly AgentAppFactory root;
    private readonly WebApplicationFactory<Program> app;

    public AdminApp(string? redisUrl, bool enable = true, string? token = Token, bool allowSecretRead = false, Action<IServiceCollection>? services = null)
    {
        root = new AgentAppFactory()
            .WithEnvironmentVariable(RuntimeAdminOptions.RedisUrlVariable, redisUrl)
            .WithEnvironmentVariable(RuntimeAdminOptions.EnableAdminVariable, enable ? "true" : "false")
            .WithEnvironmentVariable(RuntimeAdminOptions.AdminTokenVariable, token)
            .WithEnvironmentVariable(RuntimeAdminOptions.AllowSecretReadVariable, allowSecretRead ? "true" : null);
        app = root.WithWebHostBuilder(b => b.ConfigureServices(s =>
        {
            s.AddSingleton<ILoggerProvider>(Logs);
            s.AddSingleton<Serilog.Core.ILogEventSink>(Logs);
            services?.Invoke(s);
        }));
        Client = app.CreateClient();
        if (token is not null)
        {
            Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public HttpClient Client { get; }

    public LogCapture Logs { get; } = new();

    public HttpClient NewClientWithoutToken() => app.CreateClient();

    public IServiceProvider Services => app.Services;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.DisposeAsync();
        await root.DisposeAsync();
    }
}

/// <summary>Every formatted log line of the host, exceptions included.</summary>
public sealed class LogCapture : ILoggerProvider, Serilog.Core.ILogEventSink
{
    /// <summary>The app logs through Serilog, which reads sinks registered in the container.</summary>
    public void Emit(Serilog.Events.LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        // As the app's own sinks render it: string values without quotes.
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        Rendering.Format(logEvent, text);
        lines.Enqueue(text.ToString());
    }

    private static readonly Serilog.Formatting.Display.MessageTemplateTextFormatter Rendering = new("{Message:lj}{NewLine}{Exception}");
    private readonly ConcurrentQueue<string> lines = new();

    public string Text => string.Join('\n', lines);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category} {formatter(state, exception)} {exception}");
    }
}
