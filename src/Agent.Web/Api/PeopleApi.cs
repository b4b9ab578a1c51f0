using Agent.Web.Security;
using Agent.Web.Services;

namespace Agent.Web.Api;

/// <summary>A person as <c>/api/people</c> answers: <see cref="Role"/> is administrator or member; <see cref="Status"/> active, locked or locked-out.</summary>
public sealed record PersonDto(string Id, string Name, string Role, string Status, DateTimeOffset? LockedUntil)
{
    public static PersonDto From(Person person)
    {
        ArgumentNullException.ThrowIfNull(person);
        return new(person.Id, person.Name, person.Role, person.Status, person.LockedUntil);
    }
}

/// <summary>A person just added or given a new password; <see cref="Password"/> only when the server generated it (shown once).</summary>
public sealed record PersonPasswordDto(PersonDto Person, string? Password);

/// <summary>
/// GET/POST /api/people, POST /api/people/{id}/password|lock|unlock, PATCH and DELETE /api/people/{id}: the caller's
/// tenant's people, for administrators only (403 otherwise). Another tenant's person answers 404 like an unknown one.
/// </summary>
public static class PeopleApi
{
    public sealed record AddRequest(string? Name, string? Password, bool? Administrator);

    public sealed record PasswordRequest(string? Password);

    public sealed record ChangeRequest(bool? Administrator);

    public static IEndpointRouteBuilder MapPeopleApi(this IEndpointRouteBuilder endpoints)
    {
        var people = endpoints.MapGroup("/api/people").RequireAuthorization(AgentClaims.AdministratorPolicy);

        people.MapGet("", (PrincipalTenant caller, PeopleService service, CancellationToken ct) =>
            RunAsync(async () => Results.Ok((await service.ListAsync(PeopleCaller.From(caller), ct)).Select(PersonDto.From))));

        people.MapPost("", (AddRequest? body, PrincipalTenant caller, PeopleService service, CancellationToken ct) =>
            body is null
                ? Task.FromResult(ChatActionResults.Problem(StatusCodes.Status400BadRequest, "the body must be JSON: { \"name\": \"...\", \"password\"?: \"...\", \"administrator\"?: true|false }."))
                : RunAsync(async () =>
                {
                    var added = await service.AddAsync(PeopleCaller.From(caller), body.Name, body.Password, body.Administrator ?? false, ct);
                    return Results.Created($"/api/people/{added.Person.Id}", new PersonPasswordDto(PersonDto.From(added.Person), added.GeneratedPassword));
                }));

        people.MapPost("/{id}/password", (string id, PasswordRequest? body, PrincipalTenant caller, PeopleService service, CancellationToken ct) =>
            RunAsync(async () =>
            {
                var reset = await service.ResetPasswordAsync(PeopleCaller.From(caller), id, body?.Password, ct);
                return Results.Ok(new PersonPasswordDto(PersonDto.From(reset.Person), reset.GeneratedPassword));
            }));

        people.MapPost("/{id}/lock", (string id, PrincipalTenant caller, PeopleService service, CancellationToken ct) =>
            RunAsync(async () => Results.Ok(PersonDto.From(await service.LockAsync(PeopleCaller.From(caller), id, ct)))));

        people.MapPost("/{id}/unlock", (string id, PrincipalTenant caller, PeopleService service, CancellationToken ct) =>
            RunAsync(async () => Results.Ok(PersonDto.From(await service.UnlockAsync(PeopleCaller.From(caller), id, ct)))));

        people.MapPatch("/{id}", (string id, ChangeRequest? body, PrincipalTenant caller, PeopleService service, CancellationToken ct) =>
            body?.Administrator is not { } administrator
                ? Task.FromResult(ChatActionResults.Problem(StatusCodes.Status400BadRequest, "the body must be JSON: { \"administrator\": true|false }."))
                : RunAsync(async () => Results.Ok(PersonDto.From(await service.SetAdministratorAsync(PeopleCaller.From(caller), id, administrator, ct)))));

        people.MapDelete("/{id}", (string id, PrincipalTenant caller, PeopleService service, CancellationToken ct) =>
            RunAsync(async () =>
            {
                await service.RemoveAsync(PeopleCaller.From(caller), id, ct);
                return Results.NoContent();
            }));

        return endpoints;
    }

    // Not found and bad input are answered as on the chat's routes; the people rules add 409 and 403.
    private static Task<IResult> RunAsync(Func<Task<IResult>> action) => ChatActionResults.RunAsync(async () =>
    {
        try
        {
            return await action();
        }
        catch (PeopleRefusedException ex)
        {
            return ChatActionResults.Problem(StatusCodes.Status409Conflict, ex.Message);
        }
        catch (NotAnAdministratorException ex)
        {
            return ChatActionResults.Problem(StatusCodes.Status403Forbidden, ex.Message);
        }
    });
}
