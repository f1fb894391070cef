using System.Data;
using Npgsql;

namespace Ledger.EventStore.Daemon;

/// <summary>Progress of a rebuild: events applied to the shadow table so far, of about how many.</summary>
public readonly record struct RebuildProgress(long ProcessedEvents, long TotalEvents);

/// <summary>
/// Rebuilds a projection from position zero into a shadow table while the live view keeps answering,
/// then swaps it in atomically:
/// 1. bulk phase, no locks: replay the log in large pages into <c>{table}_rebuild</c>, its indexes built
///    once at the end;
/// 2. swap phase, one transaction: lock the live table (waits out the runner's batch in flight) and the
///    checkpoint row, replay what arrived meanwhile, swap the tables by renaming, set the checkpoint.
/// The live runner's next conditional checkpoint update then finds the checkpoint moved, rolls back and
/// resumes from the rebuilt position, so no event is applied twice or skipped. Readers wait for the swap
/// at most; they never see a half-built view. One rebuild per projection at a time (advisory lock).
/// </summary>
public sealed class ProjectionRebuilder(EventStore store, int pageSize = 20_000)
{
    /// <summary>Rebuilds now, or throws <see cref="RebuildAlreadyRunningException"/>.</summary>
    public async Task RebuildAsync(IRebuildableProjection projection, IProgress<RebuildProgress>? progress, CancellationToken ct)
    {
        await using var rebuild = await TryStartAsync(projection, ct) ?? throw new RebuildAlreadyRunningException(projection.Name);
        await rebuild.RunAsync(progress, ct);
    }

    /// <summary>The right to rebuild this projection, or null when a rebuild of it runs anywhere already.</summary>
    public async Task<ProjectionRebuild?> TryStartAsync(IRebuildableProjection projection, CancellationToken ct)
    {
        var lease = await Leadership.TryAcquireAsync(store.DataSource, LockKey(store.Schema, projection.Name), ct);
        return lease is null ? null : new ProjectionRebuild(this, projection, lease);
    }

    /// <summary>Whether some process rebuilds this projection now: its rebuild lock lives exactly as long as that process's session.</summary>
    public async Task<bool> IsRunningAnywhereAsync(string projectionName, CancellationToken ct)
    {
        await using var command = store.DataSource.CreateCommand("SELECT " + Leadership.HeldSql("$1"));
        command.Parameters.Add(new NpgsqlParameter { Value = LockKey(store.Schema, projectionName) });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    internal static long LockKey(EventStoreSchema schema, string projectionName) => Leadership.KeyFor(schema, "rebuild:" + projectionName);

    internal async Task RunAsync(IRebuildableProjection projection, Leadership exclusive, IProgress<RebuildProgress>? progress, CancellationToken ct)
    {
        var connection = exclusive.Connection;
        var live = projection.Table;
        var shadow = live + "_rebuild";
        await ExecuteAsync(connection, null, $"DROP TABLE IF EXISTS {{schema}}.{shadow}; CREATE TABLE {{schema}}.{shadow} (LIKE {{schema}}.{live} INCLUDING ALL)", ct);
        try
        {
            var total = await CountEventsAsync(connection, ct);
            var session = projection.StartRebuild(shadow);
            var indexes = await SetIndexesAsideAsync(connection, shadow, ct);
            var (position, processed) = await ReplayLogAsync(session, connection, total, progress, ct);
            foreach (var create in indexes) await ExecuteAsync(connection, null, create, ct);
            await session.FlushAsync(connection, null, ct);

            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            await ExecuteAsync(connection, tx, $"LOCK TABLE {{schema}}.{live} IN ACCESS EXCLUSIVE MODE", ct);
            await ExecuteAsync(connection, tx, $"SELECT 1 FROM {{schema}}.event_progression WHERE name = '{projection.Name}' FOR UPDATE", ct);
            IReadOnlyList<RecordedEvent> rest;
            while ((rest = await store.ReadCommittedAfterAsync(position, pageSize, connection, ct, withMetadata: false)).Count > 0)
            {
                await session.ApplyAsync(connection, tx, rest, ct);
                position = rest[^1].Position;
                processed += rest.Count;
            }
            await session.FlushAsync(connection, tx, ct);
            await ExecuteAsync(connection, tx, $$"""
                ALTER TABLE {schema}.{{live}} RENAME TO {{live}}_old;
                ALTER TABLE {schema}.{{shadow}} RENAME TO {{live}};
                DROP TABLE {schema}.{{live}}_old;
                INSERT INTO {schema}.event_progression (name, status) VALUES ('{{projection.Name}}', 'stopped') ON CONFLICT (name) DO NOTHING;
                UPDATE {schema}.event_progression SET tx_id = {{position.TransactionId}}, seq = {{position.Sequence}},
                    status = CASE WHEN status = 'faulted' THEN 'stopped' ELSE status END, last_error = NULL, error_tx_id = NULL, error_seq = NULL,
                    updated_at = now() WHERE name = '{{projection.Name}}';
                SELECT pg_notify('{{store.Schema.ProgressChannel}}', '{{projection.Name}}');
                """, ct);
            await tx.CommitAsync(ct);
            progress?.Report(new RebuildProgress(processed, processed));
        }
        catch
        {
            if (connection.State == ConnectionState.Open)
                await ExecuteAsync(connection, null, $"DROP TABLE IF EXISTS {{schema}}.{shadow}", CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// The bulk phase: replays the whole log into the session. The next page is read on a second
    /// connection while the session writes the current one, so the database's read, our deserialising
    /// and the shadow table's writes overlap instead of taking turns.
    /// </summary>
    private async Task<(LogPosition Position, long Processed)> ReplayLogAsync(
        IRebuildSession session, NpgsqlConnection connection, long total, IProgress<RebuildProgress>? progress, CancellationToken ct)
    {
        await using var readConnection = await store.DataSource.OpenConnectionAsync(ct);
        var position = LogPosition.Start;
        long processed = 0;
        var next = store.ReadCommittedAfterAsync(position, pageSize, readConnection, ct, withMetadata: false);
        try
        {
            IReadOnlyList<RecordedEvent> page;
            while ((page = await next).Count > 0)
            {
                position = page[^1].Position;
                next = store.ReadCommittedAfterAsync(position, pageSize, readConnection, ct, withMetadata: false);
                await session.ApplyAsync(connection, null, page, ct);
                processed += page.Count;
                progress?.Report(new RebuildProgress(processed, Math.Max(total, processed)));
            }
        }
        finally
        {
            // A failed apply leaves a read in flight on readConnection: let it end before the connection goes.
            await Task.WhenAny(next);
        }
        return (position, processed);
    }

    /// <summary>
    /// Drops the shadow table's indexes (and the constraints they back) and returns the statements that
    /// recreate them. Building an index once over the full table is several times faster than keeping
    /// it up to date row by row: over a million history rows, 3 s against 6.5 s for the writes alone
    /// (measured). A duplicate key then fails the rebuild when the index is built, as loudly as before.
    /// </summary>
    private async Task<List<string>> SetIndexesAsideAsync(NpgsqlConnection connection, string shadow, CancellationToken ct)
    {
        var creates = new List<string>();
        var drops = new List<string>();
        await using (var command = new NpgsqlCommand(store.Schema.Sql("""
            SELECT CASE WHEN c.oid IS NULL THEN pg_get_indexdef(i.indexrelid)
                        ELSE format('ALTER TABLE %s ADD CONSTRAINT %I %s', i.indrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) END,
                   CASE WHEN c.oid IS NULL THEN format('DROP INDEX %s', i.indexrelid::regclass)
                        ELSE format('ALTER TABLE %s DROP CONSTRAINT %I', i.indrelid::regclass, c.conname) END
            FROM pg_index i
            LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x')
            WHERE i.indrelid = $1::regclass
            """), connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = $"{store.Schema.Name}.{shadow}" });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                creates.Add(reader.GetString(0));
                drops.Add(reader.GetString(1));
            }
        }
        foreach (var drop in drops) await ExecuteAsync(connection, null, drop, ct);
        return creates;
    }

    private async Task<long> CountEventsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(store.Schema.Sql("SELECT count(*) FROM {schema}.events"), connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(store.Schema.Sql(sql), connection, tx);
        await command.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>A started rebuild holding its projection's rebuild lock until disposed.</summary>
public sealed class ProjectionRebuild : IAsyncDisposable
{
    private readonly ProjectionRebuilder _rebuilder;
    private readonly IRebuildableProjection _projection;
    private readonly Leadership _lease;

    internal ProjectionRebuild(ProjectionRebuilder rebuilder, IRebuildableProjection projection, Leadership lease) =>
        (_rebuilder, _projection, _lease) = (rebuilder, projection, lease);

    public Task RunAsync(IProgress<RebuildProgress>? progress, CancellationToken ct) => _rebuilder.RunAsync(_projection, _lease, progress, ct);

    public ValueTask DisposeAsync() => _lease.DisposeAsync();
}
