using System.Security.Cryptography;
using Agent.Data;
using Microsoft.AspNetCore.Identity;

namespace Agent.Web.Security;

/// <summary>
/// <c>users add NAME --tenant T [--admin]</c>: creates a person who signs in. The password is read from standard input
/// when it is redirected (<c>echo "$PASSWORD" | dotnet run ... users add ...</c>), else generated and printed once.
/// Other arguments (such as <c>--Agent:Storage:DatabasePath=...</c>) configure the app as usual.
/// </summary>
public static class UsersCommand
{
    public const string Command = "users";
    public const string Usage = "usage: users add NAME --tenant TENANT [--admin]   (password from standard input, or generated and printed once)";

    public sealed record AddUser(string Name, string Tenant, bool Administrator, string[] HostArgs);

    /// <summary>Parses the command; the error names what is wrong.</summary>
    public static (AddUser? Command, string? Error) Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is not [Command, "add", var name, .. var rest] || name.StartsWith('-'))
        {
            return (null, Usage);
        }

        string? tenant = null;
        var admin = false;
        var hostArgs = new List<string>();
        for (var i = 0; i < rest.Length; i++)
        {
            switch (rest[i])
            {
                case "--tenant" when i + 1 < rest.Length:
                    tenant = rest[++i];
                    break;
                case "--admin":
                    admin = true;
                    break;
                default:
                    hostArgs.Add(rest[i]);
                    break;
            }
        }

        if (tenant is null)
        {
            return (null, $"--tenant is required: a tenant id matching {Domain.Sessions.Tenant.NewIdRule}. {Usage}");
        }

        if (!Domain.Sessions.Tenant.IsValidNewId(tenant))
        {
            return (null, $"--tenant '{tenant}' is not a valid tenant id: it must match {Domain.Sessions.Tenant.NewIdRule}. {Usage}");
        }

        return (new AddUser(name, tenant!, admin, hostArgs.ToArray()), null);
    }

    public static async Task<int> RunAsync(AddUser command, IServiceProvider services, TextReader input, TextWriter output, bool inputRedirected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(services);
        await services.GetRequiredService<AgentDatabase>().InitializeAsync(cancellationToken);
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AgentUser>>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in new[] { AgentClaims.Administrator, AgentClaims.Member })
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }

        if (await users.FindByNameAsync(command.Name) is not null)
        {
            await output.WriteLineAsync($"User '{command.Name}' already exists.");
            return 1;
        }

        var password = inputRedirected ? (await input.ReadLineAsync(cancellationToken))?.TrimEnd('\r', '\n') : null;
        var generated = string.IsNullOrEmpty(password);
        if (generated)
        {
            password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
        }

        await services.GetRequiredService<AgentDatabase>().EnsureTenantAsync(command.Tenant, cancellationToken);
        var user = new AgentUser { UserName = command.Name, TenantId = command.Tenant };
        var created = await users.CreateAsync(user, password!);
        if (!created.Succeeded)
        {
            await output.WriteLineAsync($"User '{command.Name}' was not created: {string.Join(" ", created.Errors.Select(e => e.Description))}");
            return 1;
        }

        await users.AddToRoleAsync(user, command.Administrator ? AgentClaims.Administrator : AgentClaims.Member);
        await output.WriteLineAsync($"Created {(command.Administrator ? "administrator" : "member")} '{command.Name}' in tenant '{command.Tenant}'.");
        if (generated)
        {
            await output.WriteLineAsync($"Password (shown once): {password}");
        }

        return 0;
    }
}
