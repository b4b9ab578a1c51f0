using Agent.ProviderEmulator;
using Agent.Runtime.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Providers.Tests;

/// <summary>
/// The real app on a temp SQLite file and workspace with the provider emulator as provider "emulator" (model
/// "emulated", 8,192-token window), no keys in the environment; <paramref name="settings"/> are applied last.
/// </summary>
internal sealed class EmulatorHost(EmulatorServer emulator, IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<Program>
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "agent-emulator-hosts", Guid.NewGuid().ToString("N"));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(folder);
        builder.UseContentRoot(Path.GetFullPath(Path.Combine(ContractFixtureTests.ContractsDir, "..", "..")));
        builder.UseEnvironment("Testing");
        builder.UseSetting("Agent:Storage:DatabasePath", Path.Combine(folder, "agent.db"));
        builder.UseSetting("Agent:Tools:WorkspaceFolder", Path.Combine(folder, "workspace"));
        builder.UseSetting("Agent:Providers:3:Name", "emulator");
        builder.UseSetting("Agent:Providers:3:Kind", "OpenAICompatible");
        builder.UseSetting("Agent:Providers:3:Mode", "Sandbox");
        builder.UseSetting("Agent:Providers:3:BaseUrl", emulator.OpenAIBaseUrl.ToString());
        builder.UseSetting("Agent:Providers:3:Models:0:Id", "emulated");
        builder.UseSetting("Agent:Providers:3:Models:0:ContextWindow", "8192");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.AddSingleton(new EnvironmentVariables(_ => null)));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
