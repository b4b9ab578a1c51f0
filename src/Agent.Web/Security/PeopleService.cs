using System.Security.Cryptography;
using Agent.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Agent.Web.Security;

/// <summary>A person of a tenant as an administrator sees them; <see cref="Status"/> is <c>active</c>, <c>locked</c> (by an administrator, until unlocked) or <c>locked-out</c> (wrong passwords, until <see cref="LockedUntil"/>).</summary>
public sealed record Person(string Id, string Name, bool Administrator, string Status, DateTimeOffset? LockedUntil)
{
    public const string Active = "active";
    public const string Locked = "locked";
    public const string LockedOut = "locked-out";

    public string Role => Administrator ? AgentClaims.Administrator : AgentClaims.Member;

    public bool IsLocked => Status != Active;
}

/// <summary>The result of adding a person or resetting a password: <see cref="GeneratedPassword"/> is set only when the app made the password up, to be shown once.</summary>
public sealed record PersonWithPassword(Person Person, string? GeneratedPassword);

/// <summary>Who asks: the caller's tenant, Identity user id (null for the loopback owner and an owner's token) and whether they are an administrator.</summary>
public sealed record PeopleCaller(string TenantId, string? UserId, bool Administrator)
{
    public static PeopleCaller From(Services.PrincipalTenant caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return new PeopleCaller(caller.TenantId, caller.UserId, caller.IsAdministrator);
    }
}

/// <summary>The action is not allowed in this state (yourself, the last administrator): the API answers 409 with the reason.</summary>
public sealed class PeopleRefusedException(string message) : InvalidOperationException(message);

/// <summary>The caller is not an administrator: the API answers 403.</summary>
public sealed class NotAnAdministratorException() : UnauthorizedAccessException("Managing people needs an administrator.");

/// <summary>
/// Settings → People and <c>/api/people</c>: an administrator lists, adds, locks, unlocks, removes the people of their
/// own tenant, resets their passwords and changes their role. A person of another tenant is unknown (404), an
/// administrator cannot remove, lock or demote themselves, and a tenant keeps at least one administrator. A new password,
/// role or lock renews the person's security stamp, so their open circuits and cookies are refused at the next
/// revalidation (<see cref="AgentRevalidatingAuthenticationStateProvider"/>, <see cref="SessionCookieValidation"/>).
/// Singleton: every operation uses its own scope, so a circuit never holds a stale Identity context.
/// </summary>
public sealed partial class PeopleService(IServiceScopeFactory scopes, AgentDatabase database, TimeProvider time, ILogger<PeopleService> logger)
{
    /// <summary>Generated passwords: 18 random bytes, 24 URL-safe characters (twice the minimum length).</summary>
    public const int GeneratedPasswordBytes = 18;

    public const int MaxNameLength = 64;

    // One change at a time in this process, so two administrators cannot demote each other past the last-administrator check.
    private readonly SemaphoreSlim changes = new(1, 1);

    public async Task<IReadOnlyList<Person>> ListAsync(PeopleCaller caller, CancellationToken cancellationToken)
    {
        Demand(caller);
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AgentUser>>();
        var people = await users.Users.Where(u => u.TenantId == caller.TenantId).OrderBy(u => u.UserName).ToListAsync(cancellationToken);
        var administrators = (await users.GetUsersInRoleAsync(AgentClaims.Administrator)).Select(u => u.Id).ToHashSet(StringComparer.Ordinal);
        return [.. people.Select(u => ToPerson(u, administrators.Contains(u.Id)))];
    }

    /// <summary>Adds a person to the caller's tenant; an empty <paramref name="password"/> is generated and returned once.</summary>
    public async Task<PersonWithPassword> AddAsync(PeopleCaller caller, string? name, string? password, bool administrator, CancellationToken cancellationToken)
    {
        Demand(caller);
        name = (name ?? "").Trim();
        if (name.Length is 0 or > MaxNameLength)
        {
            throw new ArgumentException($"A name is required, at most {MaxNameLength} characters.");
        }

        var generated = string.IsNullOrEmpty(password) ? GeneratePassword() : null;
        await changes.WaitAsync(cancellationToken);
        try
        {
            await database.EnsureTenantAsync(caller.TenantId, cancellationToken);
            await using var scope = scopes.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AgentUser>>();
            await EnsureRolesAsync(scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>());
            var user = new AgentUser { UserName = name, TenantId = caller.TenantId };
            Check(await users.CreateAsync(user, generated ?? password!), $"'{name}' was not added");
            var role = administrator ? AgentClaims.Administrator : AgentClaims.Member;
            var added = await users.AddToRoleAsync(user, role);
            if (!added.Succeeded)
            {
                await users.DeleteAsync(user);
                Check(added, $"'{name}' was not added");
            }

            PersonAdded(logger, user.Id, caller.TenantId, role, caller.UserId ?? "owner");
            return new PersonWithPassword(ToPerson(user, administrator), generated);
        }
        finally
        {
            changes.Release();
        }
    }

    /// <summary>Sets a new password (an empty one is generated and returned once) and signs the person out everywhere.</summary>
    public Task<PersonWithPassword> ResetPasswordAsync(PeopleCaller caller, string id, string? password, CancellationToken cancellationToken) =>
        ChangeAsync(caller, id, async target =>
        {
            var (users, _, user, isAdministrator) = target;
            var generated = string.IsNullOrEmpty(password) ? GeneratePassword() : null;
            var errors = new List<IdentityError>();
            foreach (var validator in users.PasswordValidators)
            {
                var result = await validator.ValidateAsync(users, user, generated ?? password!);
                errors.AddRange(result.Errors);
            }

            Check(errors.Count == 0 ? IdentityResult.Success : IdentityResult.Failed([.. errors]), "The password was not changed");

            // The hash and the new stamp are saved together: one write, and the old password and sessions stop at once.
            user.PasswordHash = users.PasswordHasher.HashPassword(user, generated ?? password!);
            Check(await users.UpdateSecurityStampAsync(user), "The password was not changed");
            await users.ResetAccessFailedCountAsync(user);
            PasswordReset(logger, user.Id, caller.TenantId, caller.UserId ?? "owner");
            return new PersonWithPassword(ToPerson(user, isAdministrator), generated);
        }, cancellationToken);

    /// <summary>Locks the person out until unlocked; their sessions end at the next revalidation.</summary>
    public Task<Person> LockAsync(PeopleCaller caller, string id, CancellationToken cancellationToken) =>
        ChangeAsync(caller, id, async target =>
        {
            var (users, _, user, isAdministrator) = target;
            RefuseSelf(caller, user, "lock yourself out");
            Check(await users.SetLockoutEnabledAsync(user, true), "The person was not locked");
            Check(await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue), "The person was not locked");
            Check(await users.UpdateSecurityStampAsync(user), "The person was not locked");
            PersonLocked(logger, user.Id, caller.TenantId, caller.UserId ?? "owner");
            return ToPerson(user, isAdministrator);
        }, cancellationToken);

    /// <summary>Lifts a lock, an administrator's or one left by wrong passwords.</summary>
    public Task<Person> UnlockAsync(PeopleCaller caller, string id, CancellationToken cancellationToken) =>
        ChangeAsync(caller, id, async target =>
        {
            var (users, _, user, isAdministrator) = target;
            Check(await users.SetLockoutEndDateAsync(user, null), "The person was not unlocked");
            Check(await users.ResetAccessFailedCountAsync(user), "The person was not unlocked");
            Check(await users.UpdateSecurityStampAsync(user), "The person was not unlocked");
            PersonUnlocked(logger, user.Id, caller.TenantId, caller.UserId ?? "owner");
            return ToPerson(user, isAdministrator);
        }, cancellationToken);

    /// <summary>Makes the person an administrator or a member; they sign in again to act in the new role.</summary>
    public Task<Person> SetAdministratorAsync(PeopleCaller caller, string id, bool administrator, CancellationToken cancellationToken) =>
        ChangeAsync(caller, id, async target =>
        {
            var (users, _, user, isAdministrator) = target;
            if (administrator == isAdministrator)
            {
                return ToPerson(user, isAdministrator);
            }

            if (!administrator)
            {
                RefuseSelf(caller, user, "make yourself a member");
                await RefuseLastAdministratorAsync(users, user, "made a member");
            }

            await EnsureRolesAsync(target.Roles);
            var (from, to) = administrator ? (AgentClaims.Member, AgentClaims.Administrator) : (AgentClaims.Administrator, AgentClaims.Member);
            if (await users.IsInRoleAsync(user, from))
            {
                Check(await users.RemoveFromRoleAsync(user, from), "The role was not changed");
            }

            if (!await users.IsInRoleAsync(user, to))
            {
                Check(await users.AddToRoleAsync(user, to), "The role was not changed");
            }

            Check(await users.UpdateSecurityStampAsync(user), "The role was not changed");
            RoleChanged(logger, user.Id, caller.TenantId, to, caller.UserId ?? "owner");
            return ToPerson(user, administrator);
        }, cancellationToken);

    /// <summary>Removes the person; their sessions and access tokens stop working.</summary>
    public Task<Person> RemoveAsync(PeopleCaller caller, string id, CancellationToken cancellationToken) =>
        ChangeAsync(caller, id, async target =>
        {
            var (users, _, user, isAdministrator) = target;
            RefuseSelf(caller, user, "remove yourself");
            if (isAdministrator)
            {
                await RefuseLastAdministratorAsync(users, user, "removed");
            }

            Check(await users.DeleteAsync(user), "The person was not removed");
            PersonRemoved(logger, user.Id, caller.TenantId, caller.UserId ?? "owner");
            return ToPerson(user, isAdministrator);
        }, cancellationToken);

    /// <summary>24 URL-safe random characters.</summary>
    public static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(GeneratedPasswordBytes)).Replace('+', '-').Replace('/', '_');

    private async Task<T> ChangeAsync<T>(PeopleCaller caller, string id, Func<Target, Task<T>> change, CancellationToken cancellationToken)
    {
        Demand(caller);
        await changes.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AgentUser>>();
            var user = await FindInTenantAsync(users, caller, id);
            cancellationToken.ThrowIfCancellationRequested();
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            return await change(new Target(users, roles, user, await users.IsInRoleAsync(user, AgentClaims.Administrator)));
        }
        finally
        {
            changes.Release();
        }
    }

    private static void Demand(PeopleCaller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.Administrator)
        {
            throw new NotAnAdministratorException();
        }
    }

    /// <summary>The person with <paramref name="id"/> in the caller's tenant; any other id is unknown, as if it did not exist.</summary>
    private static async Task<AgentUser> FindInTenantAsync(UserManager<AgentUser> users, PeopleCaller caller, string id) =>
        !string.IsNullOrWhiteSpace(id) && await users.FindByIdAsync(id) is { } user && user.TenantId == caller.TenantId
            ? user
            : throw new KeyNotFoundException($"There is no person {id}.");

    private static void RefuseSelf(PeopleCaller caller, AgentUser user, string what)
    {
        if (caller.UserId is not null && caller.UserId == user.Id)
        {
            throw new PeopleRefusedException($"You cannot {what}: ask another administrator.");
        }
    }

    private static async Task RefuseLastAdministratorAsync(UserManager<AgentUser> users, AgentUser user, string what)
    {
        var administrators = await users.GetUsersInRoleAsync(AgentClaims.Administrator);
        if (!administrators.Any(a => a.TenantId == user.TenantId && a.Id != user.Id))
        {
            throw new PeopleRefusedException($"'{user.UserName}' is the tenant's last administrator and cannot be {what}: make someone else an administrator first.");
        }
    }

    private static async Task EnsureRolesAsync(RoleManager<IdentityRole> roles)
    {
        foreach (var role in new[] { AgentClaims.Administrator, AgentClaims.Member })
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }
    }

    /// <summary>Identity's refusals (a short password, a name taken) become one sentence the person reads.</summary>
    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new ArgumentException($"{what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }
    }

    private Person ToPerson(AgentUser user, bool administrator)
    {
        var end = user.LockoutEnd;
        var status = end is null || end <= time.GetUtcNow() ? Person.Active
            : end == DateTimeOffset.MaxValue ? Person.Locked
            : Person.LockedOut;
        return new Person(user.Id, user.UserName ?? user.Id, administrator, status, status == Person.LockedOut ? end : null);
    }

    /// <summary>The person an operation changes, with the scope's Identity managers.</summary>
    private sealed record Target(UserManager<AgentUser> Users, RoleManager<IdentityRole> Roles, AgentUser User, bool IsAdministrator);

    [LoggerMessage(Level = LogLevel.Information, Message = "Person {UserId} added to tenant {TenantId} as {Role} by {Actor}")]
    private static partial void PersonAdded(ILogger logger, string userId, string tenantId, string role, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Password of person {UserId} in tenant {TenantId} reset by {Actor}")]
    private static partial void PasswordReset(ILogger logger, string userId, string tenantId, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Person {UserId} in tenant {TenantId} locked by {Actor}")]
    private static partial void PersonLocked(ILogger logger, string userId, string tenantId, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Person {UserId} in tenant {TenantId} unlocked by {Actor}")]
    private static partial void PersonUnlocked(ILogger logger, string userId, string tenantId, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Person {UserId} in tenant {TenantId} made {Role} by {Actor}")]
    private static partial void RoleChanged(ILogger logger, string userId, string tenantId, string role, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Person {UserId} removed from tenant {TenantId} by {Actor}")]
    private static partial void PersonRemoved(ILogger logger, string userId, string tenantId, string actor);
}
