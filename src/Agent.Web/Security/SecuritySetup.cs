using System.Security.Claims;
using Agent.Data;
using Agent.Runtime.Hosting;
using Agent.Web.Services;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Agent.Web.Security;

/// <summary>
/// Sign-in (ASP.NET Core Identity in the app's database, optionally OpenID Connect), personal access tokens, the
/// loopback owner, and <see cref="ICurrentTenant"/> read from whichever of them the request or circuit carries.
/// </summary>
public static class SecuritySetup
{
    public const string SessionCookie = ".Agent.Session";

    public static WebApplicationBuilder AddAgentSecurity(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var section = builder.Configuration.GetSection(AuthOptions.SectionName);
        var auth = section.Get<AuthOptions>() ?? new AuthOptions();
        services.AddOptions<AuthOptions>().Bind(section);

        // Identity's stores take a scoped context; the app's stores keep using the pooled factory.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<AgentDbContext>>().CreateDbContext());
        services.AddIdentityCore<AgentUser>(o =>
            {
                // Length over composition rules (NIST SP 800-63B); generated passwords are 24 random characters.
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = Math.Max(1, auth.MaxFailedAttempts);
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(Math.Max(1, auth.LockoutMinutes));
                o.User.RequireUniqueEmail = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AgentDbContext>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<AgentClaimsPrincipalFactory>();

        var authentication = services.AddAuthentication(o =>
            {
                o.DefaultScheme = AgentClaims.Scheme;
                o.DefaultChallengeScheme = AgentClaims.Scheme;
            })
            .AddPolicyScheme(AgentClaims.Scheme, "Agent", o =>
                o.ForwardDefaultSelector = http => AccessTokenHandler.Carries(http.Request) ? AgentClaims.AccessTokenScheme : AgentClaims.LocalScheme)
            .AddScheme<AuthenticationSchemeOptions, LocalOwnerHandler>(AgentClaims.LocalScheme, o =>
            {
                o.ForwardChallenge = IdentityConstants.ApplicationScheme;
                o.ForwardForbid = IdentityConstants.ApplicationScheme;
                o.ForwardSignIn = IdentityConstants.ApplicationScheme;
                o.ForwardSignOut = IdentityConstants.ApplicationScheme;
            })
            .AddScheme<AuthenticationSchemeOptions, AccessTokenHandler>(AgentClaims.AccessTokenScheme, _ => { })
            .AddCookie(IdentityConstants.ApplicationScheme, o =>
            {
                o.Cookie.Name = SessionCookie;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(Math.Max(1, auth.SessionHours));
                o.SlidingExpiration = true;
                o.LoginPath = AccountEndpoints.SignInPath;
                o.AccessDeniedPath = AccountEndpoints.SignInPath;
                o.Events.OnRedirectToLogin = context => RefuseApiOrRedirect(context.HttpContext, context.RedirectUri, StatusCodes.Status401Unauthorized,
                    "Sign in first: this server requires it for requests from other machines (or send a personal access token as Authorization: Bearer).");
                o.Events.OnRedirectToAccessDenied = context => RefuseApiOrRedirect(context.HttpContext, context.RedirectUri, StatusCodes.Status403Forbidden,
                    "This needs an administrator.");
                o.Events.OnValidatePrincipal = SessionCookieValidation.ValidateAsync;
            });

        if (auth.Oidc.Enabled)
        {
            authentication.AddOpenIdConnect(AgentClaims.OidcScheme, "Identity provider", o =>
            {
                o.Authority = auth.Oidc.Authority;
                o.ClientId = auth.Oidc.ClientId;
                o.ClientSecret = auth.Oidc.ClientSecretEnvVar is { Length: > 0 } name ? EnvironmentVariables.Process.Read(name) : null;
                o.ResponseType = "code";
                o.SignInScheme = IdentityConstants.ApplicationScheme;
                o.MapInboundClaims = false;
                o.Events.OnTokenValidated = context => AddTenantClaims(context, auth.Oidc);

                // A refused sign-in (no tenant claim, a bad state) goes back to the sign-in page with a fixed message; the reason is logged.
                o.Events.OnRemoteFailure = context =>
                {
                    context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SecuritySetup))
                        .LogWarning(context.Failure, "OpenID Connect sign-in refused: {Reason}", context.Failure?.Message);
                    context.Response.Redirect($"{AccountEndpoints.SignInPath}?error=oidc");
                    context.HandleResponse();
                    return Task.CompletedTask;
                };
            });
        }

        services.AddAuthorizationBuilder()
            .AddPolicy(AgentClaims.AdministratorPolicy, p => p.RequireAuthenticatedUser().RequireRole(AgentClaims.Administrator));
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, AgentRevalidatingAuthenticationStateProvider>();
        services.AddHttpContextAccessor();
        services.AddSingleton<LoopbackRule>();
        services.AddSingleton<RequestGuard>();
        services.AddSingleton<AccessTokenService>();
        services.AddSingleton<PeopleService>();
        services.AddScoped<SignInService>();
        services.AddScoped<PrincipalTenant>();
        services.AddScoped<ICurrentTenant>(sp => sp.GetRequiredService<PrincipalTenant>());
        services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, TenantCircuitHandler>());
        return builder;
    }

    public static WebApplication UseAgentSecurity(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseAuthentication();
        var guard = app.Services.GetRequiredService<RequestGuard>();
        app.Use(guard.InvokeAsync);
        app.UseAuthorization();

        // Any /api route without a tenant-bearing principal is refused here, also one mapped without RequireAuthorization.
        app.Use(async (http, next) =>
        {
            if (http.Request.Path.StartsWithSegments("/api")
                && http.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is null
                && AgentClaims.TenantOf(http.User) is null)
            {
                await RefuseApiOrRedirect(http, AccountEndpoints.SignInPath, StatusCodes.Status401Unauthorized,
                    "Sign in first: this server requires it for requests from other machines (or send a personal access token as Authorization: Bearer).");
                return;
            }

            await next(http);
        });
        return app;
    }

    private static Task RefuseApiOrRedirect(HttpContext http, string redirectUri, int status, string error)
    {
        if (http.Request.Path.StartsWithSegments("/api"))
        {
            http.Response.StatusCode = status;
            return http.Response.WriteAsJsonAsync(new { error });
        }

        http.Response.Redirect(redirectUri);
        return Task.CompletedTask;
    }

    /// <summary>An identity provider's person gets a tenant from a claim (or the configured default) and a role; without a tenant they cannot sign in.</summary>
    private static Task AddTenantClaims(Microsoft.AspNetCore.Authentication.OpenIdConnect.TokenValidatedContext context, OidcOptions oidc)
    {
        var principal = context.Principal!;
        var tenant = principal.FindFirst(oidc.TenantClaim)?.Value ?? oidc.DefaultTenant;
        if (!AgentClaims.IsValidTenantId(tenant))
        {
            context.Fail($"The identity provider's token has no valid '{oidc.TenantClaim}' claim and Agent:Auth:Oidc:DefaultTenant is not set.");
            return Task.CompletedTask;
        }

        var identity = (ClaimsIdentity)principal.Identity!;
        identity.AddClaim(new Claim(AgentClaims.Tenant, tenant!));
        var admin = principal.FindAll("roles").Any(r => r.Value == oidc.AdministratorRole);
        identity.AddClaim(new Claim(ClaimTypes.Role, admin ? AgentClaims.Administrator : AgentClaims.Member));
        if (principal.FindFirst("sub")?.Value is { } sub)
        {
            identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, "oidc:" + sub));
        }

        return Task.CompletedTask;
    }
}
