using System.Text.Encodings.Web;
using System.Text.Json;
using Agent.Domain.Tools;
using Microsoft.Extensions.AI;

namespace Agent.Runtime.Tools;

/// <summary>A refusal or failure a tool reports to the model as an error result (never a crash of the loop).</summary>
public sealed class ToolException(string message) : Exception(message);

/// <summary>An <see cref="AIFunction"/> with its effects, its source and its own call time limit.</summary>
public sealed class AgentTool : DelegatingAIFunction
{
    // Schemas are shown to the person (Tools panel, API) as text: no \u0027 for quotes.
    private static readonly JsonSerializerOptions ReadableJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly AIJsonSchemaCreateOptions ClosedSchema = new() { TransformOptions = new AIJsonSchemaTransformOptions { DisallowAdditionalProperties = true } };

    /// <summary>A tool around <paramref name="function"/>, typed (<see cref="FromMethod"/>) or with a given schema.</summary>
    public AgentTool(AIFunction function, ToolSource source, ToolEffects effects)
        : base(function)
    {
        Source = source;
        Effects = effects;
        ParametersSchemaJson = function is SchemaFunction given ? given.ParametersSchemaJson : JsonSerializer.Serialize(function.JsonSchema, ReadableJson);
    }

    /// <summary>A tool whose schema is given as text (an MCP server's); it reads its own arguments.</summary>
    public AgentTool(
        string name,
        string description,
        string parametersSchemaJson,
        ToolSource source,
        ToolEffects effects,
        Func<AIFunctionArguments, CancellationToken, ValueTask<object?>> invoke)
        : this(new SchemaFunction(name, description, parametersSchemaJson, invoke), source, effects)
    {
    }

    public string ParametersSchemaJson { get; }

    public ToolSource Source { get; }

    public ToolEffects Effects { get; }

    /// <summary>How long one call may take; null: Agent:Tools:CallTimeoutSeconds (ask_agent waits for its member's own time limit).</summary>
    public TimeSpan? CallTimeout { get; init; }

    /// <summary>A tool from a typed method (see <see cref="FromMethod"/>).</summary>
    public static AgentTool Create(Delegate method, string name, string description, ToolSource source, ToolEffects effects) =>
        new(FromMethod(method, name, description), source, effects);

    /// <summary>
    /// <see cref="AIFunctionFactory"/> reads the method's parameters (names, types, defaults,
    /// <see cref="System.ComponentModel.DescriptionAttribute"/>) into a schema without additional properties and binds
    /// the model's arguments (and the call's <see cref="CancellationToken"/>) to them. The method's result goes back
    /// unserialized: the loop writes it as readable JSON, keeping nulls.
    /// </summary>
    public static AIFunction FromMethod(Delegate method, string name, string description) =>
        AIFunctionFactory.Create(method, new AIFunctionFactoryOptions
        {
            Name = name,
            Description = description,
            JsonSchemaCreateOptions = ClosedSchema,
            ExcludeResultSchema = true,
            MarshalResult = (result, _, _) => ValueTask.FromResult(result),
        });

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (UnderlyingMethod is null)
        {
            // A given schema (an MCP server's): the tool reads its own arguments.
            return await base.InvokeCoreAsync(arguments, cancellationToken);
        }

        // A null argument counts as not given: the factory would pass null to a required parameter (and fail on an
        // optional number) instead of its default, and it words a missing argument for programmers, not for the model.
        var given = arguments.Where(a => a.Value is not (null or JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined })).ToDictionary();
        if (RequiredArguments().FirstOrDefault(r => !given.ContainsKey(r)) is { } missing)
        {
            throw new ToolException($"The argument '{missing}' is required.");
        }

        try
        {
            return await base.InvokeCoreAsync(new AIFunctionArguments(given) { Context = arguments.Context, Services = arguments.Services }, cancellationToken);
        }
        catch (JsonException ex)
        {
            // Binding an argument to its parameter's type failed (the tools' own work reads no JSON).
            throw new ToolException($"The arguments do not fit the parameters of '{Name}' ({ex.Message.Split(" Path:")[0]}). Its parameters: {ParametersSchemaJson}");
        }
    }

    private IEnumerable<string> RequiredArguments() =>
        JsonSchema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array
            ? required.EnumerateArray().Select(r => r.GetString()).OfType<string>()
            : [];

    // AIFunctionFactory makes a schema from a method only; a schema known only at run time (an MCP server's) needs its own AIFunction.
    private sealed class SchemaFunction(
        string name,
        string description,
        string parametersSchemaJson,
        Func<AIFunctionArguments, CancellationToken, ValueTask<object?>> invoke) : AIFunction
    {
        private readonly JsonElement schema = JsonDocument.Parse(parametersSchemaJson).RootElement.Clone();

        public string ParametersSchemaJson => parametersSchemaJson;

        public override string Name => name;

        public override string Description => description;

        public override JsonElement JsonSchema => schema;

        protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
            invoke(arguments, cancellationToken);
    }
}
