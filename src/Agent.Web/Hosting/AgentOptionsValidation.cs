using Agent.Domain.Configuration;
using Microsoft.Extensions.Options;

namespace Agent.Web.Hosting;

/// <summary>Runs the domain validator at start (ValidateOnStart) so a bad setting stops the app.</summary>
public sealed class AgentOptionsValidation : IValidateOptions<AgentOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var errors = AgentOptionsValidator.Validate(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => e.ToString()));
    }
}
