using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Agent.ProviderEmulator;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Tests.Shared;

// Counting store calls for the turn-start bench (tests/Agent.Benchmarks/TurnStartBench.cs) and the store-call budget
// test (tests/Agent.Web.Tests/TurnStartBudgetTests.cs). Linked into each project that uses it (see its .csproj).

/// <summary>
/// One call on a Domain store interface: the interface, the method, whether it is one of Agent.Domain.Storage, when it
/// was made and when its task completed (ms after <see cref="StoreCallCounter.Start"/>; null when it had not completed
/// by <see cref="StoreCallCounter.Stop"/>), and the app method that made it (the nearest Agent.* frame on the stack).
/// </summary>
public sealed record StoreCall(string Interface, string Method, bool IsStorage, double StartMs, double? EndMs, string Caller)
{
    public string Name => $"{Interface}.{Method}";
}

/// <summary>The calls recorded between <see cref="StoreCallCounter.Start"/> and <see cref="StoreCallCounter.Stop"/>, in call order.</summary>
public sealed record StoreCallSnapshot(IReadOnlyList<StoreCall> Calls)
{
    /// <summary>Calls on the interfaces of Agent.Domain.Storage: the figure the budget is about.</summary>
    public int StorageCount => Calls.Count(c => c.IsStorage);

    /// <summary>Calls on the other Domain interfaces that Agent.Data implements (approvals, tenant ownership, memory recall).</summary>
    public int OtherCount => Calls.Count(c => !c.IsStorage);

    /// <summary>Calls per interface method, most called first, then by name, with the app methods that made them.</summary>
    public IReadOnlyList<(string Name, int Count, bool IsStorage, string Callers)> ByMethod =>
        Calls.GroupBy(c => (c.Name, c.IsStorage))
            .Select(g => (g.Key.Name, g.Count(), g.Key.IsStorage, string.Join(", ", g.GroupBy(c => c.Caller).Select(c => c.Count() == 1 ? c.Key : $"{c.Key} x{c.Count()}"))))
            .OrderByDescending(g => g.Item2)
            .ThenBy(g => g.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>Milliseconds during which at least one store call was in flight (overlapping calls counted once).</summary>
    public double BusyMs
    {
        get
        {
            double busy = 0, reach = double.NegativeInfinity;
            foreach (var call in Calls.Where(c => c.EndMs is not null).OrderBy(c => c.StartMs))
            {
                var start = Math.Max(call.StartMs, reach);
                if (call.EndMs!.Value > start)
                {
                    busy += call.EndMs.Value - start;
                }

                reach = Math.Max(reach, call.EndMs.Value);
            }

            return busy;
        }
    }

    /// <summary>One line per call: when it started, how long it took (ms), its name.</summary>
    public IReadOnlyList<string> Timeline() =>
        Calls.Select(c => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{c.StartMs,8:0.0} ms  {(c.EndMs is { } end ? (end - c.StartMs).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " ms" : "in flight"),10}  {c.Name}  <- {c.Caller}"))
        .ToList();

    /// <summary>"ISessionStore.FindAsync x2, IMessageStore.AddAsync, ..." in call order, repeats folded.</summary>
    public string Sequence()
    {
        var parts = new List<string>();
        for (var i = 0; i < Calls.Count;)
        {
            var run = 1;
            while (i + run < Calls.Count && Calls[i + run].Name == Calls[i].Name)
            {
                run++;
            }

            parts.Add(run == 1 ? Calls[i].Name : $"{Calls[i].Name} x{run}");
            i += run;
        }

        return string.Join(", ", parts);
    }
}

/// <summary>
/// Counts every call on the store interfaces the app registers: each interface of Agent.Domain.Storage, and the other
/// Domain interfaces whose implementations are database stores (<see cref="OtherStoreInterfaces"/>). <see cref="AddTo"/>
/// wraps each registered implementation in a <see cref="DispatchProxy"/> (same lifetime, same instance underneath);
/// calls are recorded only between <see cref="Start"/> and <see cref="Stop"/>. Register it last, after the app's own
/// services (WebApplicationFactory's ConfigureServices runs after Program's).
/// </summary>
public sealed class StoreCallCounter
{
    public const string StorageNamespace = "Agent.Domain.Storage";

    /// <summary>Domain interfaces outside Agent.Domain.Storage that Agent.Data implements over the database.</summary>
    public static readonly IReadOnlySet<string> OtherStoreInterfaces = new HashSet<string>(StringComparer.Ordinal)
    {
        "Agent.Domain.Tools.IToolApprovalStore",
        "Agent.Domain.Runtime.ITenantOwnership",
        "Agent.Domain.Memory.IMemoryRecall",
    };

    private readonly ConcurrentQueue<Entry> calls = new();
    private volatile bool counting;
    private long startedAt;

    /// <summary>Decorates the store registrations of <paramref name="services"/>; returns the counter (also registered as a singleton).</summary>
    public static StoreCallCounter AddTo(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var counter = new StoreCallCounter();
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (IsStoreInterface(descriptor.ServiceType) && !descriptor.IsKeyedService)
            {
                services[i] = Decorate(descriptor, counter);
            }
        }

        services.AddSingleton(counter);
        return counter;
    }

    public static bool IsStoreInterface(Type type) =>
        type.IsInterface && !type.IsGenericType
        && (type.Namespace == StorageNamespace || OtherStoreInterfaces.Contains(type.FullName ?? ""));

    /// <summary>Forgets what was recorded and records from now on.</summary>
    public void Start()
    {
        calls.Clear();
        startedAt = Stopwatch.GetTimestamp();
        counting = true;
    }

    /// <summary>Stops recording and returns what was recorded since <see cref="Start"/>.</summary>
    public StoreCallSnapshot Stop()
    {
        counting = false;
        return new StoreCallSnapshot([.. calls.Select(c => new StoreCall(c.Interface, c.Method, c.IsStorage, Ms(c.Start), c.End is { } end ? Ms(end) : null, c.Caller))]);
    }

    /// <summary>Records a call (when counting) and, for a Task result, when it completes.</summary>
    internal object? Record(Type serviceType, MethodInfo method, Func<object?> call)
    {
        if (!counting)
        {
            return call();
        }

        var caller = CallerOf(new StackTrace(1, false));
        var entry = new Entry(serviceType.Name, method.Name, serviceType.Namespace == StorageNamespace, caller, Stopwatch.GetTimestamp());
        calls.Enqueue(entry);
        var result = call();
        if (result is Task task)
        {
            task.ContinueWith(static (_, state) => ((Entry)state!).Complete(), entry, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else
        {
            entry.Complete();
        }

        return result;
    }

    /// <summary>
    /// The nearest app method on the stack ("ChatCoordinator.SendAsync"): the first frame in an Agent.* assembly other
    /// than this helper's, with an async state machine or a lambda named after the method it belongs to.
    /// </summary>
    private static string CallerOf(StackTrace stack)
    {
        foreach (var frame in stack.GetFrames())
        {
            var method = frame.GetMethod();
            var type = method?.DeclaringType;
            if (method is null || type is null
                || (type.Assembly == typeof(StoreCallCounter).Assembly && type.Namespace == typeof(StoreCallCounter).Namespace)
                || type.Assembly.GetName().Name is not { } assembly || !assembly.StartsWith("Agent.", StringComparison.Ordinal))
            {
                continue;
            }

            // Compiler-generated types and methods carry the source method's name in angle brackets: <SendAsync>d__12
            // (an async state machine), <<SendAsync>b__0>d (an async lambda), <SendAsync>b__0 (a lambda in <>c__DisplayClass).
            var name = method.Name;
            while (type.DeclaringType is { } outer && type.Name.StartsWith('<'))
            {
                if (SourceName(type.Name) is { Length: > 0 } source)
                {
                    name = source;
                }

                type = outer;
            }

            if (SourceName(name) is { Length: > 0 } sourceMethod)
            {
                name = sourceMethod;
            }

            return $"{type.Name}.{name}";
        }

        return "?";
    }

    private static string? SourceName(string generated)
    {
        var trimmed = generated.TrimStart('<');
        var close = trimmed.IndexOf('>', StringComparison.Ordinal);
        return trimmed.Length == generated.Length || close < 0 ? null : trimmed[..close];
    }

    private double Ms(long timestamp) => Stopwatch.GetElapsedTime(startedAt, timestamp).TotalMilliseconds;

    private sealed class Entry(string @interface, string method, bool isStorage, string caller, long start)
    {
        private long end;

        public string Interface => @interface;

        public string Method => method;

        public bool IsStorage => isStorage;

        public string Caller => caller;

        public long Start => start;

        public long? End => Interlocked.Read(ref end) is var at && at != 0 ? at : null;

        public void Complete() => Interlocked.Exchange(ref end, Stopwatch.GetTimestamp());
    }

    private static ServiceDescriptor Decorate(ServiceDescriptor descriptor, StoreCallCounter counter)
    {
        Func<IServiceProvider, object> inner = descriptor switch
        {
            { ImplementationInstance: { } instance } => _ => instance,
            { ImplementationFactory: { } factory } => factory,
            { ImplementationType: { } type } => sp => ActivatorUtilities.CreateInstance(sp, type),
            _ => throw new InvalidOperationException($"Cannot decorate the registration of {descriptor.ServiceType}."),
        };
        var serviceType = descriptor.ServiceType;
        return new ServiceDescriptor(serviceType, sp => CountingProxy.Create(serviceType, inner(sp), counter), descriptor.Lifetime);
    }
}

/// <summary>
/// The proxy behind each decorated store. Not sealed: <see cref="DispatchProxy"/> generates a subclass of it at run time.
/// </summary>
public class CountingProxy : DispatchProxy
{
    private object target = null!;
    private Type serviceType = null!;
    private StoreCallCounter counter = null!;

    public static object Create(Type serviceType, object target, StoreCallCounter counter)
    {
        var proxy = (CountingProxy)DispatchProxy.Create(serviceType, typeof(CountingProxy));
        proxy.target = target;
        proxy.serviceType = serviceType;
        proxy.counter = counter;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        try
        {
            return counter.Record(serviceType, targetMethod, () => targetMethod.Invoke(target, args));
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }
}

/// <summary>What happened between a send and the provider receiving its request.</summary>
public sealed record TurnStartSample(TimeSpan Elapsed, StoreCallSnapshot StoreCalls, long SkillFilesRead);

/// <summary>
/// Measures the span from a send (the call of <c>ChatCoordinator.SendAsync</c>, or the POST of the messages route) to
/// the moment the provider emulator has read the provider request: the store calls made in it (by
/// <see cref="StoreCallCounter"/>), the SKILL.md files read in it, and its length. The span ends on the emulator's own
/// request thread (<see cref="RequestLog.Received"/>), so calls made after the request left are not counted.
/// </summary>
public sealed class TurnStartProbe : IDisposable
{
    private readonly StoreCallCounter counter;
    private readonly RequestLog requests;
    private readonly Func<long> skillFilesRead;
    private TaskCompletionSource<TurnStartSample>? armed;
    private long startedAt;
    private long readsAtStart;

    public TurnStartProbe(StoreCallCounter counter, RequestLog requests, Func<long> skillFilesRead)
    {
        this.counter = counter;
        this.requests = requests;
        this.skillFilesRead = skillFilesRead;
        requests.Received += OnReceived;
    }

    /// <summary>Runs <paramref name="send"/> and waits until the provider has its request; the send's result comes back beside the sample.</summary>
    public async Task<(TurnStartSample Sample, T Result)> MeasureAsync<T>(Func<Task<T>> send, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(send);
        var received = new TaskCompletionSource<TurnStartSample>(TaskCreationOptions.RunContinuationsAsynchronously);
        readsAtStart = skillFilesRead();
        counter.Start();
        startedAt = Stopwatch.GetTimestamp();
        Volatile.Write(ref armed, received);
        var result = await send();
        var sample = await received.Task.WaitAsync(timeout);
        return (sample, result);
    }

    public void Dispose() => requests.Received -= OnReceived;

    private void OnReceived(RecordedRequest request)
    {
        var at = Stopwatch.GetTimestamp();
        if (Interlocked.Exchange(ref armed, null) is { } received)
        {
            var calls = counter.Stop();
            received.TrySetResult(new TurnStartSample(Stopwatch.GetElapsedTime(startedAt, at), calls, skillFilesRead() - readsAtStart));
        }
    }
}
