using Ledger.EventStore.Appending;
using Ledger.EventStore.Serialization;
using Npgsql;

namespace Ledger.EventStore;

/// <summary>
/// Appends events to streams with optimistic concurrency and reads them back. Every append announces
/// the commit on the events channel; whatever must commit with the events the caller writes in its own
/// transaction (see the overload that takes one).
/// </summary>
/// <remarks>
/// With <paramref name="serializeAppends"/>, every append first takes one transaction-scoped advisory
/// lock per schema, so appending transactions commit one after another in the order they got their
/// sequence numbers. The global read can then return every visible event in order without waiting for
/// unrelated transactions elsewhere on the server to finish (see docs/daemon.md). A caller that writes
/// anything before appending in the same transaction must take <see cref="AppendLockCommand"/> first,
/// because the lock must come before the transaction's id is assigned.
/// </remarks>
public sealed partial class EventStore(
    NpgsqlDataSource dataSource,
    EventStoreSchema schema,
    EventTypeRegistry types,
    bool serializeAppends = false)
{
    private readonly long _appendLockKey = AppendLockKey(schema);

    public bool SerializesAppends => serializeAppends;

    /// <summary>The statement that takes this schema's append lock; held until the transaction ends (reentrant).</summary>
    public NpgsqlBatchCommand AppendLockCommand()
    {
        var command = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = _appendLockKey });
        return command;
    }

    /// <summary>FNV-1a over the schema name: stable across processes, distinct from other locks' keys.</summary>
    private static long AppendLockKey(EventStoreSchema schema)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes($"eventstore.append:{schema.Name}"))
            hash = (hash ^ b) * 1099511628211UL;
        return unchecked((long)hash);
    }

    public EventStoreSchema Schema => schema;
    public EventTypeRegistry Types => types;
    public NpgsqlDataSource DataSource => dataSource;

    /// <summary>Appends in a transaction of its own; nothing is written unless every stream is at its expected version.</summary>
    public async Task<IReadOnlyList<RecordedEvent>> AppendAsync(
        IReadOnlyList<StreamAppend> streams, AppendContext context, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var recorded = await AppendAsync(connection, tx, streams, context, ct);
        await tx.CommitAsync(ct);
        return recorded;
    }

    /// <summary>
    /// Appends inside the caller's transaction. On any exception the transaction is unusable and the
    /// caller must roll it back; nothing of this append survives that.
    /// </summary>
    public async Task<IReadOnlyList<RecordedEvent>> AppendAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<StreamAppend> streams, AppendContext context, CancellationToken ct = default)
    {
        if (streams.Count == 0) return [];
        if (streams.Select(s => s.StreamId).Distinct().Count() != streams.Count)
            throw new ArgumentException("Each stream may appear once per append.", nameof(streams));
        if (streams.Any(s => s.Events.Count == 0))
            throw new ArgumentException("Every stream in an append needs at least one event.", nameof(streams));

        var timestamp = context.Timestamp.ToUniversalTime();
        context = context with { Timestamp = timestamp };
        var versionCommands = VersionCommands(streams, timestamp);
        if (serializeAppends) versionCommands.Insert(0, AppendLockCommand());
        IReadOnlyList<RecordedEvent> recorded;
        if (streams.Any(s => s.Expected.IsAny))
        {
            // An "any" stream's versions are known only once its row answers: two round trips.
            Dictionary<Guid, long> newVersions;
            await using (var versions = new NpgsqlBatch(connection, tx))
            {
                foreach (var command in versionCommands) versions.BatchCommands.Add(command);
                await using var reader = await versions.ExecuteReaderAsync(ct);
                newVersions = await ReadVersionsAsync(reader, versionCommands.Count, ct);
            }
            recorded = await InsertEventsAsync(connection, tx, streams, FirstVersions(streams, newVersions), [], context, ct);
        }
        else
        {
            // Every version is known up front: move the streams and insert the events in one round trip,
            // then check. A mismatch throws and the caller's rollback removes whatever was inserted.
            var expectedFirst = streams.ToDictionary(s => s.StreamId, s => s.Expected.IsNoStream ? 1 : s.Expected.Value + 1);
            recorded = await InsertEventsAsync(connection, tx, streams, expectedFirst, versionCommands, context, ct);
        }
        return recorded;
    }
}
