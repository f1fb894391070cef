using Npgsql;

namespace Ledger.EventStore.Daemon;

/// <summary>
/// Where a projection stands. <paramref name="LagEvents"/> counts committed events after the checkpoint
/// (including any still behind the readable horizon); <paramref name="LagMs"/> is how old the first of them
/// is, 0 when caught up.
/// </summary>
public sealed record ProjectionStatus(
    string Name, LogPosition Position, LogPosition Head, long LagEvents, long LagMs, string Status, string? LastError, LogPosition? ErrorPosition);

/// <summary>
/// Reads projection status for health checks and operators. Read-only; needs no daemon in this process.
/// A projection is <c>rebuilding</c> while any process holds its rebuild lock, so a rebuild whose process
/// died stops showing at once.
/// </summary>
public sealed class ProjectionStatusReader(EventStore store)
{
    /// <summary>One status per name, in the order asked; a projection that never ran is stopped at the start.</summary>
    public async Task<IReadOnlyList<ProjectionStatus>> ReadAsync(IEnumerable<string> names, DateTimeOffset now, CancellationToken ct)
    {
        var asked = names.ToArray();
        if (asked.Length == 0) return [];
        var head = await store.ReadHeadAsync(ct);
        // Counting is linear in the lag; fine for a status page, and cheap exactly when all is well.
        await using var command = store.DataSource.CreateCommand(store.Schema.Sql("""
            SELECT n.name, p.tx_id, p.seq,
                   CASE WHEN {held} THEN 'rebuilding' ELSE coalesce(p.status, 'stopped') END,
                   p.last_error, p.error_tx_id, p.error_seq,
                   (SELECT count(*) FROM {schema}.events e
                     WHERE (e.tx_id, e.seq) > (coalesce(p.tx_id, 0), coalesce(p.seq, 0))),
                   (SELECT e.timestamp FROM {schema}.events e
                     WHERE (e.tx_id, e.seq) > (coalesce(p.tx_id, 0), coalesce(p.seq, 0))
                     ORDER BY e.tx_id, e.seq LIMIT 1)
              FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS n(name, rebuild_lock, ord)
              LEFT JOIN {schema}.event_progression p ON p.name = n.name
             ORDER BY n.ord
            """).Replace("{held}", Leadership.HeldSql("n.rebuild_lock"), StringComparison.Ordinal));
        command.Parameters.Add(new NpgsqlParameter { Value = asked });
        command.Parameters.Add(new NpgsqlParameter { Value = asked.Select(name => ProjectionRebuilder.LockKey(store.Schema, name)).ToArray() });
        var statuses = new List<ProjectionStatus>(asked.Length);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var position = reader.IsDBNull(1) ? LogPosition.Start : new LogPosition(reader.GetInt64(1), reader.GetInt64(2));
            var lagEvents = reader.GetInt64(7);
            var lagMs = lagEvents == 0 || reader.IsDBNull(8)
                ? 0
                : Math.Max(0, (long)(now - reader.GetFieldValue<DateTimeOffset>(8)).TotalMilliseconds);
            statuses.Add(new ProjectionStatus(
                reader.GetString(0), position, head, lagEvents, lagMs, reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : new LogPosition(reader.GetInt64(5), reader.GetInt64(6))));
        }
        return statuses;
    }
}
