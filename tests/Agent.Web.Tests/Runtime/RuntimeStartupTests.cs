using Agent.Domain.Runtime;
using Agent.Runtime.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Agent.Web.Tests.Runtime;

public sealed class RuntimeStartupTests
{
    [Fact]
    public void A_duplicate_intent_registration_stops_start_up_naming_the_intent()
    {
        using var factory = new RuntimeAppFactory().WithWebHostBuilder(b => b.ConfigureServices(s =>
            s.AddIntent(DiagnosticIntents.LongTask, "SecondHandler", sp => new DemoLongTaskHandler(TimeProvider.System), DiagnosticIntents.LongTaskMetadata)));
        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("'demo_long_task' is already registered to handler 'DemoLongTaskHandler'", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_runtime_setting_is_refused_naming_the_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Agent:Runtime:MaxQueuedPerTenant"] = "0" }).Build();
        using var services = new ServiceCollection().AddExecutionRuntime(configuration).BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ExecutionRuntimeOptions>>().Value);
        Assert.Contains("Agent:Runtime:MaxQueuedPerTenant must be at least 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_diagnostic_intents_are_registered_and_labelled_diagnostic()
    {
        using var factory = new RuntimeAppFactory();
        _ = factory.CreateClient();
        var registry = factory.Services.GetRequiredService<IntentRegistry>();
        var longTask = registry.Resolve(DiagnosticIntents.LongTask);
        Assert.True(longTask.Metadata.IsDiagnostic);
        Assert.Equal(RecoveryPolicy.Resume, longTask.Metadata.Policy.Recovery);
        Assert.StartsWith("Diagnostic", longTask.Metadata.Description, StringComparison.Ordinal);
        Assert.Equal(RecoveryPolicy.Leave, registry.Resolve(DiagnosticIntents.Sleep).Metadata.Policy.Recovery);
    }
}
