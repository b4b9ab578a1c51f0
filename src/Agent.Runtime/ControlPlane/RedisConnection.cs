using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Agent.Runtime.ControlPlane;

/// <summary>
/// One lazily opened multiplexer for REDIS_URL with short timeouts. It never throws at connect: with
/// AbortOnConnectFail off it keeps reconnecting, and with the fail-fast backlog a command sent while Redis is
/// down fails at once instead of queueing until the timeout.
/// </summary>
public sealed class RedisConnection(IOptions<RuntimeAdminOptions> options) : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim gate = new(1, 1);
    private ConnectionMultiplexer? multiplexer;

    public async Task<IDatabase> GetDatabaseAsync(CancellationToken cancellationToken) => (await GetMultiplexerAsync(cancellationToken)).GetDatabase();

    /// <summary>A connected primary and the database number of REDIS_URL, for server commands such as SCAN.</summary>
    public async Task<(IServer Server, int Database)> GetPrimaryAsync(CancellationToken cancellationToken)
    {
        var open = await GetMultiplexerAsync(cancellationToken);
        var server = open.GetServers().FirstOrDefault(s => s.IsConnected && !s.IsReplica)
            ?? throw new RedisException("No connected Redis primary to scan: Redis is down or unreachable.");
        return (server, open.GetDatabase().Database);
    }

    private async Task<ConnectionMultiplexer> GetMultiplexerAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref multiplexer);
        if (current is not null)
        {
            return current;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (multiplexer is null)
            {
                var url = options.Value.RedisUrl ?? throw new InvalidOperationException($"{RuntimeAdminOptions.RedisUrlVariable} is not set.");
                if (!RedisUrl.TryParse(url, out var configuration, out var problem))
                {
                    throw new InvalidOperationException($"{RuntimeAdminOptions.RedisUrlVariable}: {problem}");
                }

                var milliseconds = (int)Timeout.TotalMilliseconds;
                configuration!.AbortOnConnectFail = false;
                configuration.ConnectTimeout = milliseconds;
                configuration.SyncTimeout = milliseconds;
                configuration.AsyncTimeout = milliseconds;
                configuration.ConnectRetry = 1;
                configuration.BacklogPolicy = BacklogPolicy.FailFast;
                configuration.ClientName = "personal-agent-chat";
                Volatile.Write(ref multiplexer, await ConnectionMultiplexer.ConnectAsync(configuration));
            }

            return multiplexer!;
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (multiplexer is { } open)
        {
            await open.DisposeAsync();
        }

        gate.Dispose();
    }
}
