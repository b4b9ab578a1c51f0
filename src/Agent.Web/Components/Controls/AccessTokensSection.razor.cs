using System.ComponentModel.DataAnnotations;
using Agent.Domain.Security;
using Agent.Web.Components.Shared;
using Agent.Web.Security;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;

namespace Agent.Web.Components.Controls;

/// <summary>Settings: the caller's personal access tokens: create (the secret shown once), list, revoke.</summary>
public sealed partial class AccessTokensSection : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private readonly TokenForm form = new();
    private IReadOnlyList<AccessToken>? tokens;
    private CreatedAccessToken? created;
    private string? error;
    private bool busy;

    [Inject]
    public required AccessTokenService Tokens { get; init; }

    [Inject]
    public required PrincipalTenant Caller { get; init; }

    [Inject]
    public required ActionRunner Actions { get; init; }

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        try
        {
            tokens = await Tokens.ListAsync(Caller.TenantId, Caller.UserId, disposed.Token);
            error = null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            error = $"The tokens could not be loaded: {ex.Message}";
        }
    }

    private async Task CreateAsync()
    {
        busy = true;
        try
        {
            await Actions.RunAsync(async () =>
            {
                created = await Tokens.CreateAsync(Caller.TenantId, Caller.UserId, form.Name, disposed.Token);
                form.Name = "";
            });
            await LoadAsync();
        }
        finally
        {
            busy = false;
        }
    }

    private async Task RevokeAsync(AccessToken token)
    {
        var confirm = new Confirmation("Revoke token", $"Revoke '{token.Name}'? Requests that use it are refused from now on.", "Revoke");
        if (await Actions.RunAsync(() => Tokens.RevokeAsync(Caller.TenantId, Caller.UserId, token.Id, disposed.Token), $"Token '{token.Name}' revoked", confirm))
        {
            if (created?.Token.Id == token.Id)
            {
                created = null;
            }

            await LoadAsync();
        }
    }

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }

    private sealed class TokenForm
    {
        [Required]
        public string Name { get; set; } = "";
    }
}
