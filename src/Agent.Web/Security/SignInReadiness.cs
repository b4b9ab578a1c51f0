using Agent.Data;
using Agent.Domain.Configuration;
using Agent.Runtime.Hosting;
using Agent.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Agent.Web.Security;

/// <summary>
/// Off loopback every stranger must sign in, so a server that listens beyond this machine while no one can sign in
/// (no user and no identity provider) would only ever show a sign-in page: start-up stops and says how to create the
/// first administrator. Runs before the database is opened, so a refused start creates no database file.
/// </summary>
public sealed class SignInReadiness(IConfiguration configuration, IDbContextFactory<AgentDbContext> contexts, IOptions<AuthOptions> auth, AppInfo app) : IHostedService
{
    public const string FirstAdministratorCommand = "dotnet run --project src/Agent.Web -- users add NAME --tenant TENANT --admin";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (urls, source) = ListenUrls.Effective(configuration);
        if (ListenUrls.BeyondThisMachine(urls).FirstOrDefault() is not { } url || auth.Value.Oidc.Enabled)
        {
            return;
        }

        if (!await AnyUserAsync(cancellationToken))
        {
            throw new OptionsValidationException("Urls", typeof(AgentOptions),
                [$"Urls: '{url}' (from {source}) listens beyond this machine, where everyone must sign in, and no user exists yet. Fix: create the first administrator with `{FirstAdministratorCommand}` (or bind to 127.0.0.1)."]);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<bool> AnyUserAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(app.DatabasePath))
        {
            return false;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        try
        {
            return await db.Users.AnyAsync(cancellationToken);
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return false; // a database from before sign-in: no users table yet
        }
    }
}
