using System.Data;
using System.Text;
using Npgsql;

namespace Ledger.EventStore.Daemon;

/// <summary>
/// The right to run one projection, across every process on the database: a session-level advisory
/// lock held on a connection of its own. The runner also applies its batches on this connection, so the
/// lock and any in-flight batch live and die with the same session: when a process dies or its session
/// is killed, PostgreSQL frees the lock and rolls the batch back together, and a standby can take over.
/// </summary>
internal sealed class Leadership : IAsyncDisposable
{
    private readonly long _key;

    private Leadership(NpgsqlConnection connection, long key)
    {
        Connection = connection;
        _key = key;
    }

    /// <summary>Kept open for as long as this process leads; returning it to the pool would reset the session and drop the lock.</summary>
    public NpgsqlConnection Connection { get; }

    public bool IsAlive => Connection.State == ConnectionState.Open && !Connection.FullState.HasFlag(ConnectionState.Broken);

    /// <summary>Leadership, or null when another session holds it. Never waits for the lock.</summary>
    public static async Task<Leadership?> TryAcquireAsync(NpgsqlDataSource dataSource, long key, CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = key });
            if ((bool)(await command.ExecuteScalarAsync(ct))!) return new Leadership(connection, key);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    /// <summary>
    /// A stable 64-bit key from schema and projection name (FNV-1a over UTF-8). Stable across processes and
    /// .NET versions, unlike string.GetHashCode; 64 bits make an accidental clash with another lock negligible.
    /// </summary>
    public static long KeyFor(EventStoreSchema schema, string projection)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes($"eventstore.projection:{schema.Name}:{projection}"))
            hash = (hash ^ b) * 1099511628211UL;
        return unchecked((long)hash);
    }

    /// <summary>
    /// SQL that is true while a session on this database holds the advisory lock whose bigint key is the
    /// SQL expression <paramref name="key"/>. pg_locks shows a bigint key as its high and low 32 bits.
    /// </summary>
    public static string HeldSql(string key) =>
        "EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
        + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        + $" AND l.classid = ((({key}) >> 32) & 4294967295)::oid AND l.objid = (({key}) & 4294967295)::oid)";

    /// <summary>Unlocks explicitly, then closes. If the session is already gone, so is the lock.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (IsAlive)
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", Connection);
                command.Parameters.Add(new NpgsqlParameter { Value = _key });
                await command.ExecuteScalarAsync();
            }
        }
        catch (NpgsqlException)
        {
            // The session broke while unlocking; closing it below ends the session, which frees the lock.
        }
        finally
        {
            await Connection.DisposeAsync();
        }
    }
}
