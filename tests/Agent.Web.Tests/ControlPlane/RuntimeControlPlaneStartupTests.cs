using System.Diagnostics;
using Agent.Runtime.ControlPlane;

namespace Agent.Web.Tests.ControlPlane;

public sealed class RuntimeControlPlaneStartupTests
{
    [Fact]
    public async Task Enable_runtime_admin_without_REDIS_URL_stops_the_real_app_with_exit_code_2_naming_both()
    {
        var folder = Directory.CreateTempSubdirectory("agent-control-plane").FullName;
        var start = new ProcessStartInfo(RepoPaths.AppHost)
        {
            ArgumentList = { $"--contentRoot={RepoPaths.Root}", "--urls=http://127.0.0.1:0", $"--Agent:Storage:DatabasePath={Path.Combine(folder, "agent.db")}" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment.Remove(RuntimeAdminOptions.RedisUrlVariable);
        start.Environment[RuntimeAdminOptions.EnableAdminVariable] = "true";
        start.Environment[RuntimeAdminOptions.AdminTokenVariable] = "test-admin-token-not-real";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        await process.WaitForExitAsync(timeout.Token);

        var message = await stderr;
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("Configuration is invalid; the app did not start.", message, StringComparison.Ordinal);
        Assert.Contains("ENABLE_RUNTIME_ADMIN is true but REDIS_URL is not set", message, StringComparison.Ordinal);
        Assert.DoesNotContain("is running at", await stdout, StringComparison.Ordinal);
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [InlineData("redis://127.0.0.1:6380", true)]
    [InlineData("rediss://user:p%40ss@cache.example.com/3", true)]
    [InlineData("http://127.0.0.1:6379", false)]
    [InlineData("redis://127.0.0.1:6379/99", false)]
    [InlineData("localhost:6379", false)]
    public void Redis_urls_are_read_without_echoing_the_password(string url, bool valid)
    {
        Assert.Equal(valid, RedisUrl.TryParse(url, out var options, out var problem));
        if (valid)
        {
            Assert.Single(options!.EndPoints);
            Assert.DoesNotContain("p@ss", RedisUrl.Describe(url), StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain(url, problem!, StringComparison.Ordinal);
        }
    }
}
