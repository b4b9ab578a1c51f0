using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Agent.Domain.Configuration;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Agent.Domain.Tools;
using Agent.Runtime.Mcp;
using Agent.Runtime.Tools;
using Agent.Tests.Shared;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Client;

// Overhead of one MCP tool call through our stack (namespaced AgentTool over McpServerConnection, and a whole agent-loop
// round: policy, approval check, invoke, trace, result to the model) versus a raw McpClient.CallToolAsync, against the
// same real server-everything process type over stdio.
var root = FindRoot();
var script = Path.Combine(root, "tests", "mcp-servers", "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");
var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 500;
const int Warmup = 50;
var callArgs = new Dictionary<string, object?> { ["message"] = "benchmark" };

await using var raw = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions { Name = "raw", Command = "node", Arguments = [script, "stdio"] }));

var spec = new McpServerSpec("everything", McpTransport.Stdio, "node", [script, "stdio"], new Dictionary<string, string>(), null, true);
await using var connection = new McpServerConnection(spec, _ => null, McpConnectionOptions.Default);
if (!await connection.StartAsync(default))
{
    throw new InvalidOperationException(connection.Error);
}

var tool = connection.AgentTools().Single(t => t.Name == "everything__echo");

var state = new MemoryStateStore();
var loop = new AgentLoop(new ToolApprovalService(new StateToolApprovalStore(state, TimeProvider.System), TimeProvider.System), new NullTraces(), TimeProvider.System, Options.Create(new AgentOptions()));
var toolSet = new ToolSet([new RegisteredTool(tool, new ToolSpec(tool.Name, tool.Description, tool.ParametersSchemaJson, ToolSource.Mcp, ToolEffects.None, ToolApproval.Always, true))]);
var request = new AgentLoopRequest("local", Guid.NewGuid(), null, toolSet, SessionToolMode.AskForWrites);
// The three paths are interleaved call by call so that noise of the shared machine hits them alike.
var (rawTimes, toolTimes, loopTimes) = await MeasureInterleaved(
    async () => await raw.CallToolAsync("echo", callArgs),
    async () => await tool.InvokeAsync(new AIFunctionArguments(callArgs)),
    async () =>
    {
        await foreach (var _ in loop.RunAsync(new OneCallClient(tool.Name, callArgs), [new ChatMessage(ChatRole.User, "go")], null, request, null, default))
        {
        }
    });

var rawMedian = Median(rawTimes);
var report = string.Join('\n',
[
    "# MCP tool call overhead",
    "",
    $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on this machine (2 cores shared), {iterations} calls after {Warmup} warm-up calls each, the paths interleaved call by call,",
    "server-everything `echo` over stdio (`dotnet run -c Release --project tests/Agent.Benchmarks.Mcp`).",
    "",
    "| path | median ms | mean ms | p95 ms | ratio to raw (median) |",
    "|---|---|---|---|---|",
    Row("raw McpClient.CallToolAsync", rawTimes, rawMedian),
    Row("our AgentTool (everything__echo) via McpServerConnection", toolTimes, rawMedian),
    Row("our agent loop round (policy, approval check, call, trace, result to a zero-cost model)", loopTimes, rawMedian),
    "",
]);
Console.WriteLine(report);
await File.WriteAllTextAsync(Path.Combine(root, "tests", "Agent.Benchmarks.Mcp", "RESULTS-mcp.md"), report);
return;

async Task<(List<double>, List<double>, List<double>)> MeasureInterleaved(Func<Task> a, Func<Task> b, Func<Task> c)
{
    var calls = new[] { a, b, c };
    var times = calls.Select(_ => new List<double>(iterations)).ToArray();
    for (var i = 0; i < Warmup + iterations; i++)
    {
        for (var k = 0; k < calls.Length; k++)
        {
            var start = Stopwatch.GetTimestamp();
            await calls[k]();
            if (i >= Warmup)
            {
                times[k].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
    }

    return (times[0], times[1], times[2]);
}

static double Median(List<double> times) => Percentile(times, 0.5);

static double Percentile(List<double> times, double p)
{
    var sorted = times.Order().ToList();
    return sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}

static string Row(string name, List<double> times, double rawMedian) =>
    string.Create(CultureInfo.InvariantCulture, $"| {name} | {Median(times):0.000} | {times.Average():0.000} | {Percentile(times, 0.95):0.000} | {Median(times) / rawMedian:0.00}x |");

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Agent.sln")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? throw new InvalidOperationException("Agent.sln not found.");
}

internal sealed class OneCallClient(string tool, Dictionary<string, object?> arguments) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        yield return messages.Any(m => m.Role == ChatRole.Tool)
            ? new ChatResponseUpdate(ChatRole.Assistant, "done")
            : new ChatResponseUpdate(ChatRole.Assistant, [new FunctionCallContent("c1", tool, arguments)]);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}

internal sealed class NullTraces : ITraceStore
{
    public Task AddAsync(TraceEvent traceEvent, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task AddRangeAsync(IReadOnlyCollection<TraceEvent> traceEvents, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<TraceEvent>> ListAsync(string tenantId, Guid? executionId, int take, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TraceEvent>>([]);
}

