using Microsoft.Extensions.Options;

namespace Agent.Web.Hosting;

/// <summary>Turns a configuration failure at start into one readable message; other exceptions pass through.</summary>
public static class StartupFailure
{
    public static string? Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            OptionsValidationException validation =>
                "Configuration is invalid; the app did not start.\n" + string.Join("\n", validation.Failures.Select(f => "  - " + f)),
            InvalidOperationException { Message: var m } when m.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
                $"Configuration is invalid; the app did not start.\n  - {m} Fix: give a value of that type.",
            AggregateException aggregate when aggregate.InnerExceptions.Count == 1 => Describe(aggregate.InnerExceptions[0]),
            _ when exception.InnerException is { } inner => Describe(inner),
            _ => null,
        };
    }
}
