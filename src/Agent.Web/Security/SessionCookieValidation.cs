using System.Security.Claims;
using Agent.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Agent.Web.Security;

/// <summary>
/// The session cookie, like an open circuit, stops working once its person is deleted, locked out or has a new security
/// stamp; checked at most every <see cref="AuthOptions.RevalidationInterval"/>, when the cookie is also re-issued with
/// the person's current roles. Identity's SecurityStampValidator does the same but signs out of the two-factor and
/// external cookies too, which AddIdentityCore does not register (the request would fail instead of being refused).
/// </summary>
public static class SessionCookieValidation
{
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var principal = context.Principal;

        // An identity provider's person has no Identity user to compare with.
        if (principal?.FindFirst(ClaimTypes.NameIdentifier)?.Value is not { } userId || userId.StartsWith("oidc:", StringComparison.Ordinal))
        {
            return;
        }

        var services = context.HttpContext.RequestServices;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var interval = services.GetRequiredService<IOptions<AuthOptions>>().Value.RevalidationInterval;
        if (context.Properties.IssuedUtc is { } issued && now - issued < interval)
        {
            return;
        }

        var signIn = services.GetRequiredService<SignInManager<AgentUser>>();
        if (await signIn.ValidateSecurityStampAsync(principal) is not { } user || await signIn.UserManager.IsLockedOutAsync(user))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }

        context.ReplacePrincipal(await signIn.CreateUserPrincipalAsync(user));
        context.Properties.IssuedUtc = now;
        context.ShouldRenew = true;
    }
}
