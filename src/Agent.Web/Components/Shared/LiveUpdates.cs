using Agent.Domain.Tools;
using Agent.Runtime.Mcp;
using Agent.Runtime.Runtime;
using Agent.Runtime.Services;
using Agent.Runtime.Tools;

namespace Agent.Web.Components.Shared;

/// <summary>
/// A kind of change pages follow: where it comes from and whose tenant it belongs to (null: a change every tenant
/// shares, such as an install-wide MCP server).
/// </summary>
public sealed record LiveTopic<T>(string Name, Func<T, string?> TenantOf, Func<IServiceProvider, Action<T>, IDisposable> Attach);

public static class LiveTopics
{
    /// <summary>Every lifecycle change and WAL entry of an execution (runs, member tasks, uploads, replies).</summary>
    public static LiveTopic<ExecutionChange> Executions { get; } =
        new("executions", c => c.Execution.TenantId, (services, publish) => services.GetRequiredService<ExecutionFeed>().Subscribe(publish));

    /// <summary>A tool call asked the person, or was decided.</summary>
    public static LiveTopic<ToolApprovalRequest> Approvals { get; } =
        new("approvals", r => r.TenantId, (services, publish) => services.GetRequiredService<ToolApprovalService>().Subscribe(publish));

    /// <summary>A session was created, renamed, pinned, moved between shelves or given another model, agent or settings.</summary>
    public static LiveTopic<SessionRecordChange> Sessions { get; } =
        new("sessions", c => c.TenantId, (services, publish) =>
        {
            var sessions = services.GetRequiredService<SessionService>();
            sessions.Changed += publish;
            return new Detach(() => sessions.Changed -= publish);
        });

    /// <summary>An MCP server started, failed, stopped, or was imported, enabled or removed.</summary>
    public static LiveTopic<McpServersChange> McpServers { get; } =
        new("mcp-servers", c => c.TenantId, (services, publish) =>
        {
            var manager = services.GetRequiredService<McpServerManager>();
            manager.Changed += publish;
            return new Detach(() => manager.Changed -= publish);
        });

    private sealed class Detach(Action detach) : IDisposable
    {
        public void Dispose() => detach();
    }
}

/// <summary>
/// The one live-update channel of the app. It follows each source once (on the first subscription to its topic) and
/// hands each change only to the subscribers of that change's tenant, so a component never sees another tenant's
/// events (a change every tenant shares goes to all). A subscriber gets the changes in batches, at most one call per interval (the first change at once), off the
/// publisher's thread; disposing the subscription stops the calls, including a batch that was waiting.
/// </summary>
public sealed class LiveUpdates(IServiceProvider services, TimeProvider time, ILogger<LiveUpdates> logger) : IDisposable
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, IDisposable> sources = [];

    public IDisposable Subscribe<T>(LiveTopic<T> topic, string tenantId, TimeSpan interval, Func<IReadOnlyList<T>, Task> onChanges, Func<T, bool>? relevant = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        Source<T> source;
        lock (gate)
        {
            if (!sources.TryGetValue(topic.Name, out var existing))
            {
                var created = new Source<T>(topic, logger);
                created.Attach(services);
                sources[topic.Name] = existing = created;
            }

            source = (Source<T>)existing;
        }

        var subscriber = new Subscriber<T>(source, tenantId, interval, onChanges, relevant, time, logger);
        source.Add(subscriber);
        return subscriber;
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var source in sources.Values)
            {
                source.Dispose();
            }

            sources.Clear();
        }
    }

    private sealed class Source<T>(LiveTopic<T> topic, ILogger logger) : IDisposable
    {
        private readonly Lock gate = new();
        private readonly Dictionary<string, List<Subscriber<T>>> byTenant = new(StringComparer.Ordinal);
        private IDisposable? attachment;

        public void Attach(IServiceProvider services) => attachment = topic.Attach(services, Publish);

        public void Add(Subscriber<T> subscriber)
        {
            lock (gate)
            {
                if (!byTenant.TryGetValue(subscriber.TenantId, out var list))
                {
                    byTenant[subscriber.TenantId] = list = [];
                }

                list.Add(subscriber);
            }
        }

        public void Remove(Subscriber<T> subscriber)
        {
            lock (gate)
            {
                if (byTenant.TryGetValue(subscriber.TenantId, out var list) && list.Remove(subscriber) && list.Count == 0)
                {
                    byTenant.Remove(subscriber.TenantId);
                }
            }
        }

        private void Publish(T change)
        {
            Subscriber<T>[] snapshot;
            try
            {
                var tenant = topic.TenantOf(change);
                lock (gate)
                {
                    snapshot = tenant is null ? [.. byTenant.Values.SelectMany(list => list)]
                        : byTenant.TryGetValue(tenant, out var list) ? [.. list]
                        : [];
                }

                foreach (var subscriber in snapshot)
                {
                    subscriber.Post(change);
                }
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Handing a {Topic} change to its subscribers failed", topic.Name);
            }
        }

        public void Dispose() => attachment?.Dispose();
    }

    private sealed class Subscriber<T>(
        Source<T> source, string tenantId, TimeSpan interval, Func<IReadOnlyList<T>, Task> onChanges, Func<T, bool>? relevant, TimeProvider time, ILogger logger) : IDisposable
    {
        private readonly Lock gate = new();
        private readonly CancellationTokenSource disposed = new();
        private List<T> pending = [];
        private bool scheduled;
        private long? lastDelivery;

        public string TenantId => tenantId;

        public void Post(T change)
        {
            if (relevant is not null && !relevant(change))
            {
                return;
            }

            TimeSpan wait;
            lock (gate)
            {
                if (disposed.IsCancellationRequested)
                {
                    return;
                }

                pending.Add(change);
                if (scheduled)
                {
                    return;
                }

                scheduled = true;
                wait = lastDelivery is { } last ? interval - time.GetElapsedTime(last) : TimeSpan.Zero;
            }

            _ = DeliverAsync(wait, disposed.Token);
        }

        private async Task DeliverAsync(TimeSpan wait, CancellationToken cancellationToken)
        {
            try
            {
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken);
                }
                else
                {
                    await Task.Yield();
                }

                List<T> batch;
                lock (gate)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        return;
                    }

                    batch = pending;
                    pending = [];
                    scheduled = false;
                    lastDelivery = time.GetTimestamp();
                }

                await onChanges(batch);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException && cancellationToken.IsCancellationRequested)
            {
                // Unsubscribed while the batch waited, or the circuit ended during the call.
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "A live-update subscriber of tenant {TenantId} failed", tenantId);
            }
        }

        public void Dispose()
        {
            source.Remove(this);
            lock (gate)
            {
                if (disposed.IsCancellationRequested)
                {
                    return;
                }

                disposed.Cancel();
                pending = [];
            }
        }
    }
}
