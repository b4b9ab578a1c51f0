namespace Agent.Runtime.Hosting;

/// <summary>Reads process environment variables; replaced in tests to simulate keys being set or missing.</summary>
public sealed record EnvironmentVariables(Func<string, string?> Read)
{
    public static EnvironmentVariables Process { get; } = new(Environment.GetEnvironmentVariable);
}
