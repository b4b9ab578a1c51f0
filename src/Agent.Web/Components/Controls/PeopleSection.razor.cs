using System.ComponentModel.DataAnnotations;
using Agent.Web.Components.Shared;
using Agent.Web.Security;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace Agent.Web.Components.Controls;

/// <summary>
/// Settings → People, for administrators: the people of the caller's tenant with their role and status, a row menu to
/// reset a password, lock or unlock, make administrator or member and remove (confirmed), and a form to add a person.
/// A generated password is shown once, with a copy button. The rules (own tenant, not yourself, not the last
/// administrator) are <see cref="PeopleService"/>'s; the menu only greys out what it would refuse.
/// </summary>
public sealed partial class PeopleSection : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private PersonForm form = new();
    private IReadOnlyList<Person>? people;
    private ShownPassword? shown;
    private string? error;
    private string? formError;
    private bool busy;

    [Inject]
    public required PeopleService People { get; init; }

    [Inject]
    public required PrincipalTenant Caller { get; init; }

    [Inject]
    public required ActionRunner Actions { get; init; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    private PeopleCaller Me => PeopleCaller.From(Caller);

    private string StateName => error is not null ? "error" : people is null ? "loading" : people.Count == 0 ? "empty" : "ready";

    protected override Task OnInitializedAsync() => LoadAsync();

    private bool IsSelf(Person person) => Caller.UserId is { } me && me == person.Id;

    /// <summary>Not yourself, and not the tenant's only administrator.</summary>
    private bool CanDemoteOrRemove(Person person) =>
        !IsSelf(person) && (!person.Administrator || people?.Count(p => p.Administrator) > 1);

    private async Task LoadAsync()
    {
        try
        {
            people = await People.ListAsync(Me, disposed.Token);
            error = null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            error = $"The people could not be loaded: {ex.Message}";
        }
    }

    private async Task AddAsync()
    {
        busy = true;
        formError = null;
        try
        {
            var added = await People.AddAsync(Me, form.Name, form.Password, form.Administrator, disposed.Token);
            shown = added.GeneratedPassword is { } password ? new ShownPassword(added.Person.Name, password) : null;
            Snackbar.Add($"{added.Person.Name} added as {added.Person.Role}", Severity.Success);
            // A new model gives the form a new edit context: the emptied name is not flagged as missing.
            form = new PersonForm();
            await LoadAsync();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // Identity's refusal (a name taken, a password too short) in its words, under the form.
            formError = ex.Message;
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            busy = false;
        }
    }

    private async Task ResetPasswordAsync(Person person)
    {
        var confirm = new Confirmation("Reset password", $"Give {person.Name} a new password? The current one stops working and {person.Name} is signed out.", "Reset password");
        PersonWithPassword? reset = null;
        if (await Actions.RunAsync(async () => reset = await People.ResetPasswordAsync(Me, person.Id, null, disposed.Token), $"{person.Name} has a new password", confirm))
        {
            shown = reset?.GeneratedPassword is { } password ? new ShownPassword(person.Name, password) : null;
            await LoadAsync();
        }
    }

    private Task LockAsync(Person person) =>
        RunAndReloadAsync(() => People.LockAsync(Me, person.Id, disposed.Token), $"{person.Name} is locked and signed out");

    private Task UnlockAsync(Person person) =>
        RunAndReloadAsync(() => People.UnlockAsync(Me, person.Id, disposed.Token), $"{person.Name} is unlocked");

    private Task SetAdministratorAsync(Person person, bool administrator) =>
        RunAndReloadAsync(() => People.SetAdministratorAsync(Me, person.Id, administrator, disposed.Token), $"{person.Name} is {(administrator ? "an administrator" : "a member")} now");

    private async Task RemoveAsync(Person person)
    {
        var confirm = new Confirmation("Remove person", $"Remove {person.Name}? They cannot sign in any more and their access tokens stop working.", "Remove");
        if (await Actions.RunAsync(() => People.RemoveAsync(Me, person.Id, disposed.Token), $"{person.Name} removed", confirm))
        {
            if (shown?.Name == person.Name)
            {
                shown = null;
            }

            await LoadAsync();
        }
    }

    private async Task RunAndReloadAsync(Func<Task<Person>> action, string success)
    {
        if (await Actions.RunAsync(action, success))
        {
            await LoadAsync();
        }
    }

    private async Task CopyAsync()
    {
        if (shown is null)
        {
            return;
        }

        try
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", disposed.Token, shown.Password);
            Snackbar.Add("Password copied", Severity.Normal);
        }
        catch (JSException ex)
        {
            // Plain http on another machine has no clipboard API: the password stays selectable on screen.
            Snackbar.Add($"The browser refused the clipboard ({ex.Message}); select the password and copy it instead.", Severity.Warning);
        }
    }

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }

    private sealed record ShownPassword(string Name, string Password);

    private sealed class PersonForm
    {
        [Required(ErrorMessage = "Enter a name.")]
        [StringLength(PeopleService.MaxNameLength, ErrorMessage = "At most 64 characters.")]
        [RegularExpression(@"^[A-Za-z0-9\-._@+]+$", ErrorMessage = "Use letters, digits and - . _ @ + only, no spaces.")]
        public string Name { get; set; } = "";

        [RegularExpression("^.{12,}$", ErrorMessage = "At least 12 characters, or leave it empty to generate one.")]
        public string? Password { get; set; }

        public bool Administrator { get; set; }
    }
}
