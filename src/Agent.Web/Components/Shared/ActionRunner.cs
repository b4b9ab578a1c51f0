using System.Net;
using Agent.Runtime.Clients;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Agent.Web.Components.Shared;

/// <summary>
/// Runs a command from the UI: asks for confirmation when told to, runs it, and reports the result or the
/// refusal through a snackbar, so no component writes its own try/catch and a failure never ends the circuit.
/// </summary>
public sealed class ActionRunner(ISnackbar snackbar, IDialogService dialogs, ILogger<ActionRunner> logger)
{
    /// <summary>Returns true when the action ran to its end.</summary>
    public async Task<bool> RunAsync(Func<Task> action, string? success = null, Confirmation? confirm = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (confirm is not null && !await ConfirmAsync(confirm))
        {
            return false;
        }

        try
        {
            await action();
            if (success is not null)
            {
                snackbar.Add(success, Severity.Success);
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception ex) when (ex is ChatRefusedException or Agent.Runtime.Services.BudgetExceededException or ArgumentException or InvalidOperationException or KeyNotFoundException or HttpRequestException or IOException)
        {
            snackbar.Add(ex.Message, Severity.Error);
            return false;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "A UI action failed");
            snackbar.Add($"That did not work: {ex.Message}", Severity.Error);
            return false;
        }
    }

    private async Task<bool> ConfirmAsync(Confirmation confirm)
    {
        if (confirm.Detail is null)
        {
            return await dialogs.ShowMessageBoxAsync(confirm.Title, confirm.Message, yesText: confirm.Yes, cancelText: "Cancel") == true;
        }

        var markup = new MarkupString(
            $"<p>{WebUtility.HtmlEncode(confirm.Message)}</p><pre class=\"confirm-detail\" data-confirm-detail>{WebUtility.HtmlEncode(confirm.Detail)}</pre>");
        var options = new MessageBoxOptions { Title = confirm.Title, MarkupMessage = markup, YesText = confirm.Yes, CancelText = "Cancel" };
        return await dialogs.ShowMessageBoxAsync(options, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true }) == true;
    }
}

/// <summary>
/// What a confirmation dialog asks before a destructive or risky action; <paramref name="Detail"/> (a command line,
/// a path) is shown verbatim in a monospace block so the person sees exactly what will happen.
/// </summary>
public sealed record Confirmation(string Title, string Message, string Yes, string? Detail = null);
