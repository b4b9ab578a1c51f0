using System.ComponentModel.DataAnnotations;
using Agent.Web.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace Agent.Web.Components.Pages;

/// <summary>
/// The sign-in form. The password is checked in the circuit (hashing and lockout by Identity); the cookie is then set
/// by /account/complete-signin, which the browser loads with the one-minute ticket.
/// </summary>
public sealed partial class SignIn
{
    private readonly SignInForm form = new();
    private string? message;
    private bool lockedOut;
    private bool busy;

    [Inject]
    public required SignInService SignInService { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required IOptions<AuthOptions> Auth { get; init; }

    [SupplyParameterFromQuery(Name = "returnUrl")]
    public string? ReturnUrl { get; set; }

    [SupplyParameterFromQuery(Name = "error")]
    public string? Error { get; set; }

    private OidcOptions Oidc => Auth.Value.Oidc;

    private string OidcHref => $"account/oidc?returnUrl={Uri.EscapeDataString(AccountEndpoints.SafeReturnUrl(ReturnUrl))}";

    protected override void OnInitialized()
    {
        if (Error == "expired")
        {
            message = "The sign-in took too long or was already used; sign in again.";
        }
        else if (Error == "oidc")
        {
            message = "The identity provider's sign-in was not accepted here (for example, your account names no tenant); ask your administrator.";
        }
    }

    private async Task SignInAsync()
    {
        busy = true;
        try
        {
            var check = await SignInService.CheckPasswordAsync(form.UserName, form.Password, CancellationToken.None);
            if (check.Ticket is { } ticket)
            {
                Navigation.NavigateTo(
                    $"account/complete-signin?ticket={Uri.EscapeDataString(ticket)}&returnUrl={Uri.EscapeDataString(AccountEndpoints.SafeReturnUrl(ReturnUrl))}",
                    forceLoad: true);
                return;
            }

            message = check.Message;
            lockedOut = check.Outcome == SignInOutcome.LockedOut;
            form.Password = "";
        }
        finally
        {
            busy = false;
        }
    }

    private sealed class SignInForm
    {
        [Required(ErrorMessage = "Enter your user name.")]
        public string UserName { get; set; } = "";

        [Required(ErrorMessage = "Enter your password.")]
        public string Password { get; set; } = "";
    }
}
