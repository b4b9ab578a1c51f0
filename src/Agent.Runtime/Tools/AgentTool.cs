using System.Globalization;
using System.Text.Json;
using Agent.Domain.Tools;
using Microsoft.Extensions.AI;

namespace Agent.Runtime.Tools;

/// <summary>A refusal or failure a tool reports to the model as an error result (never a crash of the loop).</summary>
public sealed class ToolException(string message) : Exception(message);

/// <summary>An <see cref="AIFunction"/> with an explicit JSON schema, its effects and its source.</summary>
public sealed class AgentTool(
    string name,
    string description,
    string parametersSchemaJson,
    ToolSource source,
    ToolEffects effects,
    Func<AIFunctionArguments, CancellationToken, ValueTask<object?>> invoke) : AIFunction
{
    private readonly JsonElement schema = JsonDocument.Parse(parametersSchemaJson).RootElement.Clone();

    public override string Name => name;

    public override string Description => description;

    public override JsonElement JsonSchema => schema;

    public string ParametersSchemaJson => parametersSchemaJson;

    public ToolSource Source => source;

    public ToolEffects Effects => effects;

    /// <summary>How long one call may take; null: Agent:Tools:CallTimeoutSeconds (ask_agent waits for its member's own time limit).</summary>
    public TimeSpan? CallTimeout { get; init; }

    protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
        invoke(arguments, cancellationToken);

    /// <summary>A required string argument (JSON strings, or any scalar written as text).</summary>
    public static string RequiredString(AIFunctionArguments arguments, string key) =>
        OptionalString(arguments, key) ?? throw new ToolException($"The argument '{key}' is required.");

    public static string? OptionalString(AIFunctionArguments arguments, string key)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (!arguments.TryGetValue(key, out var value) || value is null)
        {
            return null;
        }

        return value switch
        {
            string s => s,
            JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
            JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
            JsonElement e => e.GetRawText(),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
    }
}
