using Agent.Runtime.Hosting;
using Agent.Web.Hosting;

var contentRoot = ContentRootLocator.Resolve(args, EnvironmentVariables.Process.Read);
if (args is [Agent.Web.ControlPlane.RuntimeContractReport.Command, ..])
{
    return await Agent.Web.ControlPlane.RuntimeContractReport.WriteAsync(contentRoot, CancellationToken.None);
}

Agent.Web.Security.UsersCommand.AddUser? addUser = null;
if (args is [Agent.Web.Security.UsersCommand.Command, ..])
{
    (addUser, var usage) = Agent.Web.Security.UsersCommand.Parse(args);
    if (addUser is null)
    {
        await Console.Error.WriteLineAsync(usage);
        return 2;
    }

    args = addUser.HostArgs;
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
    if (addUser is not null)
    {
        return await Agent.Web.Security.UsersCommand.RunAsync(addUser, app.Services, Console.In, Console.Out, Console.IsInputRedirected, CancellationToken.None);
    }

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
