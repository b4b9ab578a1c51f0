using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Agent.Data;

/// <summary>
/// Sets <c>synchronous=NORMAL</c> on every connection the app opens (the setting is per connection, not kept in the file).
/// In WAL journal mode (<see cref="AgentDatabase"/>) a commit is then written to the -wal file without an fsync; the
/// fsync happens at checkpoints. A killed process (kill -9) loses nothing committed: the OS holds the written pages.
/// A power cut or OS crash can lose the last commits since the last checkpoint sync, never corrupt the file.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=NORMAL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
