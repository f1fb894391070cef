using System.Data;
using System.Text;
using Npgsql;

using Ledger.Projections.Schema;

namespace Ledger.Projections.Rebuilds;

/// <summary>
/// An exclusive right across every process on the database (one rebuild of a projection at a time): a
/// session-level advisory lock held on a connection of its own. The rebuild also works on this
/// connection, so the lock and its work live and die with the same session: when a process dies,
/// PostgreSQL frees the lock, and the half-built work of a rebuild that died is never swapped in.
/// </summary>
public sealed class SessionLock : IAsyncDisposable
{
    private readonly long _key;

    private SessionLock(NpgsqlConnection connection, long key)
    {
        Connection = connection;
        _key = key;
    }

    /// <summary>Kept open for as long as the lock is held; returning it to the pool would reset the session and drop the lock.</summary>
    public NpgsqlConnection Connection { get; }

    public bool IsAlive => Connection.State == ConnectionState.Open && !Connection.FullState.HasFlag(ConnectionState.Broken);

    /// <summary>The lock, or null when another session holds it. Never waits for the lock.</summary>
    public static async Task<SessionLock?> TryAcquireAsync(NpgsqlDataSource dataSource, long key, CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = key });
            if ((bool)(await command.ExecuteScalarAsync(ct))!) return new SessionLock(connection, key);
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
    /// A stable 64-bit key from schema and name (FNV-1a over UTF-8). Stable across processes and .NET
    /// versions, unlike string.GetHashCode; 64 bits make an accidental clash with another lock negligible.
    /// </summary>
    public static long KeyFor(LedgerSchema schema, string name)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes($"ledger.lock:{schema.Name}:{name}"))
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
