using Agent.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;

namespace Agent.Web.Security;

public enum SignInOutcome
{
    Succeeded,
    Failed,
    LockedOut,
}

/// <summary>What a password check gave; <see cref="Ticket"/> completes the sign-in in a plain request (it sets the cookie).</summary>
public sealed record SignInCheck(SignInOutcome Outcome, string Message, string? Ticket);

/// <summary>
/// Checks a password with Identity's hashing and lockout, then hands out a one-minute ticket that
/// <c>/account/complete-signin</c> exchanges for the session cookie. Two steps because the sign-in form runs in a
/// Blazor circuit, which cannot set a cookie; the ticket is encrypted by data protection and bound to the user's
/// security stamp (changing the password or signing out everywhere voids unused tickets). It is single-use: its random
/// nonce is kept as the user's Identity authentication token (AspNetUserTokens, shared by every node) and removed on
/// redemption; the removal updates the user row under Identity's concurrency stamp, so of two racing redemptions one fails.
/// A newer password check replaces the nonce, so only the latest unused ticket of a person works.
/// </summary>
public sealed partial class SignInService(UserManager<AgentUser> users, IDataProtectionProvider protection, TimeProvider time, ILogger<SignInService> logger)
{
    private static readonly TimeSpan TicketLifetime = TimeSpan.FromMinutes(1);
    private const string TicketLoginProvider = "Agent";
    private const string TicketTokenName = "sign-in-ticket";

    public async Task<SignInCheck> CheckPasswordAsync(string? userName, string? password, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        const string wrong = "The user name or password is wrong.";
        if (string.IsNullOrWhiteSpace(userName) || string.IsNullOrEmpty(password))
        {
            return new SignInCheck(SignInOutcome.Failed, "Enter your user name and password.", null);
        }

        var user = await users.FindByNameAsync(userName.Trim());
        if (user is null)
        {
            LogRefused(userName.Trim(), "no such user");
            return new SignInCheck(SignInOutcome.Failed, wrong, null);
        }

        if (await users.IsLockedOutAsync(user))
        {
            LogRefused(user.UserName ?? user.Id, "locked out");
            return LockedOut(user);
        }

        if (!await users.CheckPasswordAsync(user, password))
        {
            await users.AccessFailedAsync(user);
            LogRefused(user.UserName ?? user.Id, "wrong password");
            return await users.IsLockedOutAsync(user) ? LockedOut(user) : new SignInCheck(SignInOutcome.Failed, wrong, null);
        }

        await users.ResetAccessFailedCountAsync(user);
        var stamp = await users.GetSecurityStampAsync(user);
        var nonce = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var stored = await users.SetAuthenticationTokenAsync(user, TicketLoginProvider, TicketTokenName, nonce);
        if (!stored.Succeeded)
        {
            return new SignInCheck(SignInOutcome.Failed, "The sign-in could not be recorded; try again.", null);
        }

        var ticket = Protector().Protect($"{user.Id}\n{stamp}\n{nonce}", TicketLifetime);
        LogPasswordAccepted(user.UserName ?? user.Id);
        return new SignInCheck(SignInOutcome.Succeeded, "Signed in.", ticket);
    }

    /// <summary>The user a ticket names, or null when it is expired, forged, already redeemed or its security stamp changed.</summary>
    public async Task<AgentUser?> RedeemAsync(string? ticket)
    {
        if (string.IsNullOrEmpty(ticket))
        {
            return null;
        }

        string payload;
        try
        {
            payload = Protector().Unprotect(ticket, out _);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }

        var parts = payload.Split('\n');
        if (parts.Length != 3 || await users.FindByIdAsync(parts[0]) is not { } user || await users.IsLockedOutAsync(user)
            || await users.GetSecurityStampAsync(user) != parts[1]
            || await users.GetAuthenticationTokenAsync(user, TicketLoginProvider, TicketTokenName) != parts[2])
        {
            return null;
        }

        return (await users.RemoveAuthenticationTokenAsync(user, TicketLoginProvider, TicketTokenName)).Succeeded ? user : null;
    }

    private SignInCheck LockedOut(AgentUser user)
    {
        var minutes = user.LockoutEnd is { } end ? Math.Max(1, (int)Math.Ceiling((end - time.GetUtcNow()).TotalMinutes)) : 1;
        return new SignInCheck(SignInOutcome.LockedOut, $"Too many failed attempts: this account is locked for {minutes} more minute(s).", null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in refused for '{UserName}': {Reason}")]
    private partial void LogRefused(string userName, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Password accepted for '{UserName}'; the sign-in ticket is handed to the browser")]
    private partial void LogPasswordAccepted(string userName);

    private ITimeLimitedDataProtector Protector() => protection.CreateProtector("Agent.SignInTicket").ToTimeLimitedDataProtector();
}
