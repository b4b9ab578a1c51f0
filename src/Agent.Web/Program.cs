using Agent.Web.Hosting;

var contentRoot = ContentRootLocator.Resolve(args, EnvironmentVariables.Process.Read);
if (args is [Agent.Web.ControlPlane.RuntimeContractReport.Command, ..])
{
    return await Agent.Web.ControlPlane.RuntimeContractReport.WriteAsync(contentRoot, CancellationToken.None);
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = contentRoot,
    WebRootPath = Path.Combine(contentRoot, "wwwroot"),
});

try
{
    builder.AddAgentHost();
    var app = builder.Build();
    app.UseAgentHost();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (StartupFailure.Describe(ex) is { } message)
{
    // A bad setting stops start-up with a message that names the key and the fix.
    await Console.Error.WriteLineAsync(message);
    return 2;
}

/// <summary>Entry point; public so WebApplicationFactory-based tests can host it.</summary>
public partial class Program;
