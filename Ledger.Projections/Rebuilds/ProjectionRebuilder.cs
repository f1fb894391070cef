using System.Data;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Ledger.Projections.Schema;
using Marten;
using Npgsql;

namespace Ledger.Projections.Rebuilds;

/// <summary>Progress of a rebuild: events applied to the shadow table so far, of about how many.</summary>
public readonly record struct RebuildProgress(long ProcessedEvents, long TotalEvents);

/// <summary>
/// Rebuilds a projection from the start of Marten's log into a shadow table while the live view keeps
/// answering, then swaps it in atomically:
/// 1. bulk phase, no locks: replay the log in large pages into <c>{table}_rebuild</c>, its indexes built
///    once at the end, up to where the live projection has got to (never past it);
/// 2. swap phase, one transaction: close the projection's gate (waits out the live batch in flight and
///    holds the next), read the live checkpoint, replay up to exactly it, swap the tables by renaming.
/// The live projection then carries on from its own checkpoint in the rebuilt table, so no event is
/// applied twice or skipped, and Marten's progression is never touched by us. Readers wait for the swap
/// at most; they never see a half-built view. One rebuild per projection at a time (advisory lock).
/// </summary>
/// <remarks>
/// Replaying past the live checkpoint was the bug behind "event account.debited.v1 has version 40,
/// expected 46" in the store this replaced: the swapped-in table already held the events of the live
/// batch in flight, which then failed and retried against rows ahead of it.
/// </remarks>
public sealed class ProjectionRebuilder(IDocumentStore store, NpgsqlDataSource dataSource, LedgerSchema schema, int pageSize = 20_000)
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
        var lease = await SessionLock.TryAcquireAsync(dataSource, LockKey(projection.Name), ct);
        return lease is null ? null : new ProjectionRebuild(this, projection, lease);
    }

    /// <summary>Whether some process rebuilds this projection now: its rebuild lock lives exactly as long as that process's session.</summary>
    public async Task<bool> IsRunningAnywhereAsync(string projectionName, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT " + SessionLock.HeldSql("$1"));
        command.Parameters.Add(new NpgsqlParameter { Value = LockKey(projectionName) });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    private long LockKey(string projectionName) => SessionLock.KeyFor(schema, "rebuild:" + projectionName);

    internal async Task RunAsync(IRebuildableProjection projection, SessionLock exclusive, IProgress<RebuildProgress>? progress, CancellationToken ct)
    {
        var connection = exclusive.Connection;
        var live = projection.Table;
        var shadow = live + "_rebuild";
        await ExecuteAsync(connection, null, $"DROP TABLE IF EXISTS {{schema}}.{shadow}; CREATE TABLE {{schema}}.{shadow} (LIKE {{schema}}.{live} INCLUDING ALL)", ct);
        try
        {
            var total = (await store.Advanced.FetchEventStoreStatistics(token: ct)).EventCount;
            var session = projection.StartRebuild(shadow);
            var indexes = await SetIndexesAsideAsync(connection, shadow, ct);
            var position = 0L;
            long processed = 0;
            // The live projection moves on meanwhile: follow it until the gap is small, then swap.
            for (var lap = 0; lap < 3; lap++)
            {
                var target = await LiveCheckpointAsync(projection, ct);
                if (target - position < pageSize && lap > 0) break;
                (position, processed) = await ReplayAsync(session, connection, null, position, target, processed, total, progress, ct);
            }
            foreach (var create in indexes) await ExecuteAsync(connection, null, create, ct);
            await session.FlushAsync(connection, null, ct);

            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            await new ProjectionGate(schema, projection.Name).CloseAsync(connection, tx, ct);
            var checkpoint = await LiveCheckpointAsync(projection, ct);
            (position, processed) = await ReplayAsync(session, connection, tx, position, checkpoint, processed, total, progress, ct);
            await session.FlushAsync(connection, tx, ct);
            await ExecuteAsync(connection, tx, $$"""
                ALTER TABLE {schema}.{{live}} RENAME TO {{live}}_old;
                ALTER TABLE {schema}.{{shadow}} RENAME TO {{live}};
                DROP TABLE {schema}.{{live}}_old;
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

    /// <summary>The live projection's committed progression in Marten (0 before it ever ran).</summary>
    private async Task<long> LiveCheckpointAsync(IRebuildableProjection projection, CancellationToken ct) =>
        await store.Advanced.ProjectionProgressFor(ShardName.Compose(projection.Name), token: ct);

    /// <summary>
    /// Replays the log after <paramref name="from"/> up to <paramref name="to"/> into the session. The next
    /// page is read on a second session while this one writes the current page, so the database's read,
    /// Marten's deserialising and the shadow table's writes overlap instead of taking turns.
    /// </summary>
    private async Task<(long Position, long Processed)> ReplayAsync(IRebuildSession session, NpgsqlConnection connection, NpgsqlTransaction? tx,
        long from, long to, long processed, long total, IProgress<RebuildProgress>? progress, CancellationToken ct)
    {
        if (from >= to) return (from, processed);
        await using var reader = store.QuerySession();
        var position = from;
        var next = ReadPageAsync(reader, position, to, ct);
        try
        {
            IReadOnlyList<IEvent> page;
            while ((page = await next).Count > 0)
            {
                position = page[^1].Sequence;
                next = ReadPageAsync(reader, position, to, ct);
                await session.ApplyAsync(connection, tx, page, ct);
                processed += page.Count;
                progress?.Report(new RebuildProgress(processed, Math.Max(total, processed)));
            }
        }
        finally
        {
            // A failed apply leaves a read in flight: let it end before its session goes.
            await Task.WhenAny(next);
        }
        // Gaps (rolled-back appends) have no events: the replay has covered everything up to the target.
        return (to, processed);
    }

    private async Task<IReadOnlyList<IEvent>> ReadPageAsync(IQuerySession reader, long after, long upTo, CancellationToken ct) =>
        after >= upTo
            ? []
            : await reader.Events.QueryAllRawEvents()
                .Where(e => e.Sequence > after && e.Sequence <= upTo)
                .OrderBy(e => e.Sequence)
                .Take(pageSize)
                .ToListAsync(ct);

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
        await using (var command = new NpgsqlCommand(schema.Sql("""
            SELECT CASE WHEN c.oid IS NULL THEN pg_get_indexdef(i.indexrelid)
                        ELSE format('ALTER TABLE %s ADD CONSTRAINT %I %s', i.indrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) END,
                   CASE WHEN c.oid IS NULL THEN format('DROP INDEX %s', i.indexrelid::regclass)
                        ELSE format('ALTER TABLE %s DROP CONSTRAINT %I', i.indrelid::regclass, c.conname) END
            FROM pg_index i
            LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x')
            WHERE i.indrelid = $1::regclass
            """), connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = $"{schema.Name}.{shadow}" });
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

    private async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(schema.Sql(sql), connection, tx);
        await command.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>A started rebuild holding its projection's rebuild lock until disposed.</summary>
public sealed class ProjectionRebuild : IAsyncDisposable
{
    private readonly ProjectionRebuilder _rebuilder;
    private readonly IRebuildableProjection _projection;
    private readonly SessionLock _lease;

    internal ProjectionRebuild(ProjectionRebuilder rebuilder, IRebuildableProjection projection, SessionLock lease) =>
        (_rebuilder, _projection, _lease) = (rebuilder, projection, lease);

    public Task RunAsync(IProgress<RebuildProgress>? progress, CancellationToken ct) => _rebuilder.RunAsync(_projection, _lease, progress, ct);

    public ValueTask DisposeAsync() => _lease.DisposeAsync();
}
