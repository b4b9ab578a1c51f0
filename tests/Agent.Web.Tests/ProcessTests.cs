using System.Diagnostics;

namespace Agent.Web.Tests;

/// <summary>Starts the real app process (its build output) and checks how it refuses a bad configuration.</summary>
public sealed class ProcessTests
{
    [Theory]
    [InlineData("--Agent:Providers:1:Kind=OpenAl", "Agent:Providers:1:Kind", "use one of Deterministic, OpenAICompatible, Anthropic")]
    [InlineData("--Agent:Caps:MaxConcurrentCallsGlobal=-3", "Agent:Caps:MaxConcurrentCallsGlobal", "must be positive")]
    [InlineData("--Agent:Providers:2:BaseUrl=not-a-url", "Agent:Providers:2:BaseUrl", "is not an absolute http(s) URL")]
    [InlineData("--Agent:Caps:MaxCallsPerMinuteTenant=lots", "Agent:Caps:MaxCallsPerMinuteTenant", "Fix:")]
    [InlineData("--urls=http://0.0.0.0:5999", "Urls: 'http://0.0.0.0:5999'", "no user exists yet")]
    public async Task Invalid_config_stops_start_up_naming_the_key(string badSetting, string key, string expected)
    {
        var folder = Directory.CreateTempSubdirectory("agent-process-test").FullName;
        var start = new ProcessStartInfo(RepoPaths.AppHost)
        {
            ArgumentList = { $"--contentRoot={RepoPaths.Root}", "--urls=http://127.0.0.1:0", $"--Agent:Storage:DatabasePath={Path.Combine(folder, "agent.db")}", badSetting },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, process.ExitCode);
        var message = await stderr;
        Assert.Contains("Configuration is invalid; the app did not start.", message, StringComparison.Ordinal);
        Assert.Contains(key, message, StringComparison.Ordinal);
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain("is running at", await stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "agent.db")), "no database is created when the config is invalid");
        Directory.Delete(folder, recursive: true);
    }
}
