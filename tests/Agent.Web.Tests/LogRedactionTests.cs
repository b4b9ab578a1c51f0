using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Agent.Web.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace Agent.Web.Tests;

/// <summary>The log redaction policy on single events, in the real host's Serilog pipeline, and over the log files the test run wrote.</summary>
public sealed class LogRedactionTests
{
    private static readonly string ProviderKey = "sk-" + "proj-" + Guid.NewGuid().ToString("N");
    private static readonly string AccessToken = "pat_" + Guid.NewGuid().ToString("N") + "xyz";

    [Fact]
    public void Secret_names_are_masked_whole_and_key_shaped_values_anywhere()
    {
        var logEvent = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null, new MessageTemplateParser().Parse("{ApiKey} {Url} {Header} {InputTokens} {Request} {Password} {Headers} {Token}"),
        [
            new LogEventProperty("ApiKey", new ScalarValue("plain-looking-value")),
            new LogEventProperty("Url", new ScalarValue($"https://api.example/v1?key={ProviderKey}")),
            new LogEventProperty("Header", new ScalarValue($"Bearer {AccessToken}")),
            new LogEventProperty("InputTokens", new ScalarValue(1200)),
            new LogEventProperty("Request", new StructureValue([new LogEventProperty("Authorization", new ScalarValue("Basic dXNlcjpwYXNz")), new LogEventProperty("Body", new ScalarValue($"token {AccessToken}"))])),
            new LogEventProperty("Password", new ScalarValue(null)),
            new LogEventProperty("Token", new ScalarValue("RUNTIME_ADMIN_TOKEN")),
            new LogEventProperty("Headers", new DictionaryValue([new(new ScalarValue("Cookie"), new ScalarValue(".Agent.Session=abc")), new(new ScalarValue("Accept"), new ScalarValue("text/plain"))])),
        ]);

        new SecretRedaction().Enrich(logEvent, null!);
        var rendered = logEvent.RenderMessage();

        Assert.DoesNotContain("plain-looking-value", rendered, StringComparison.Ordinal);
        Assert.DoesNotContain(ProviderKey, rendered, StringComparison.Ordinal);
        Assert.DoesNotContain(AccessToken, rendered, StringComparison.Ordinal);
        Assert.DoesNotContain("dXNlcjpwYXNz", rendered, StringComparison.Ordinal);
        Assert.DoesNotContain(".Agent.Session=abc", rendered, StringComparison.Ordinal);
        Assert.Contains("https://api.example/v1?key=[redacted]", rendered, StringComparison.Ordinal);
        Assert.Contains("Bearer [redacted]", rendered, StringComparison.Ordinal);
        Assert.Contains("1200", rendered, StringComparison.Ordinal);
        Assert.Contains("text/plain", rendered, StringComparison.Ordinal);
        Assert.Contains("RUNTIME_ADMIN_TOKEN", rendered, StringComparison.Ordinal); // a reference (the variable's name) is not a secret
    }

    [Fact]
    public async Task The_hosts_pipeline_redacts_before_any_sink()
    {
        var sink = new CollectingSink();
        await using var app = new AgentAppFactory();
        await using var host = app.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<ILogEventSink>(sink)));
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AccessToken);
        await client.GetAsync(new Uri($"/api/sessions?api_key={ProviderKey}", UriKind.Relative));
        var logger = host.Services.GetRequiredService<ILogger<LogRedactionTests>>();
#pragma warning disable CA1848, CA2254 // the point is a log call that carries secrets as properties
        logger.LogWarning("Provider call failed for {Url} with {ApiKey} and {Authorization}", $"https://api.example/?key={ProviderKey}", ProviderKey, $"Bearer {AccessToken}");
#pragma warning restore CA1848, CA2254

        var lines = sink.Events.Select(e => e.RenderMessage() + " " + string.Join(' ', e.Properties.Select(p => p.Value.ToString()))).ToList();
        Assert.Contains(lines, l => l.Contains("Provider call failed for \"https://api.example/?key=[redacted]\" with \"[redacted]\" and \"[redacted]\"", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(ProviderKey, StringComparison.Ordinal) || l.Contains(AccessToken, StringComparison.Ordinal));
    }

    [Fact]
    public void The_log_files_of_this_machine_hold_no_key_shaped_value()
    {
        var folder = Path.Combine(RepoPaths.Root, "logs");
        var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.log") : [];
        var findings = new List<string>();
        foreach (var file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var number = 0;
            while (reader.ReadLine() is { } line)
            {
                number++;
                if (SecretRedaction.RedactText(line) != line)
                {
                    findings.Add($"{Path.GetFileName(file)}:{number}");
                }
            }
        }

        Assert.True(findings.Count == 0, "Key-shaped values in logs:\n" + string.Join('\n', findings.Take(20)));
    }

    /// <summary>Every event the host's Serilog pipeline writes, for tests that read the log.</summary>
    internal sealed class CollectingSink : ILogEventSink
    {
        private readonly ConcurrentQueue<LogEvent> events = new();

        public IReadOnlyList<LogEvent> Events => [.. events];

        public void Emit(LogEvent logEvent) => events.Enqueue(logEvent);
    }
}
