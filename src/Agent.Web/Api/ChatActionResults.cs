using Agent.Runtime.Clients;
using Agent.Runtime.Services;

namespace Agent.Web.Api;

/// <summary>How the chat's routes (sessions, turns, checkpoints, context) turn a refused action into a 4xx with its reason.</summary>
internal static class ChatActionResults
{
    public static IResult Problem(int status, string reason) => Results.Json(new { error = reason }, statusCode: status);

    public static async Task<IResult> RunAsync(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (KeyNotFoundException ex)
        {
            return Problem(StatusCodes.Status404NotFound, ex.Message);
        }
        catch (ArgumentException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, ex.Message);
        }
        catch (ChatRefusedException ex)
        {
            return Problem(StatusCodes.Status409Conflict, ex.Message);
        }
        catch (BudgetExceededException ex)
        {
            // 429 like a provider's quota answer; the body names the limit's key so the caller knows what to raise.
            return Results.Json(new { error = ex.Message, limit = ex.Refusal.Limit.ConfigKey }, statusCode: StatusCodes.Status429TooManyRequests);
        }
    }
}
