using System.Text.Json;
using Ledger.EventStore.Serialization;
using Npgsql;

namespace Ledger.EventStore;

public sealed partial class EventStore
{
    private const string EventColumns = "seq, tx_id, id, stream_id, version, type, data, metadata, timestamp";

    /// <summary>Reads one stream in version order, optionally only up to a version and/or an instant.</summary>
    public async Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(
        Guid streamId, long? toVersion = null, DateTimeOffset? toInstant = null, CancellationToken ct = default)
    {
        var sql = $"SELECT {EventColumns} FROM {{schema}}.events WHERE stream_id = $1"
                  + (toVersion is null ? "" : " AND version <= $2")
                  + (toInstant is null ? "" : " AND timestamp <= $3")
                  + " ORDER BY version";
        await using var command = dataSource.CreateCommand(schema.Sql(sql));
        command.Parameters.Add(new NpgsqlParameter { Value = streamId });
        command.Parameters.Add(new NpgsqlParameter { Value = toVersion ?? 0L });
        command.Parameters.Add(new NpgsqlParameter { Value = (toInstant ?? DateTimeOffset.UnixEpoch).ToUniversalTime() });
        return await ReadAllRowsAsync(command, ct);
    }

    /// <summary>
    /// Reads committed events after a position, in (transaction, sequence) order, never returning an event
    /// while a transaction that might still commit an event before it is in flight. By default only
    /// transactions below the snapshot's xmin count as finished, so whatever of them is visible is all
    /// there will ever be. When appends are serialised, an in-flight append holds the lock and every
    /// sequence it has taken is above every committed one, so every visible event is final.
    /// Without <paramref name="withMetadata"/> every event carries <see cref="EventMetadata.Empty"/>: for
    /// bulk replays that fold only the data, where fetching and parsing the metadata took a third of the
    /// read time (measured over a million events).
    /// </summary>
    public async Task<IReadOnlyList<RecordedEvent>> ReadCommittedAfterAsync(
        LogPosition after, int limit, NpgsqlConnection? connection = null, CancellationToken ct = default, bool withMetadata = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var columns = withMetadata ? EventColumns : EventColumns.Replace("metadata", "NULL::jsonb", StringComparison.Ordinal);
        var sql = schema.Sql("SELECT " + columns + " FROM {schema}.events WHERE (tx_id, seq) > ($1, $2)"
            + (serializeAppends ? "" : " AND tx_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            + " ORDER BY tx_id, seq LIMIT $3");
        await using var command = connection is null ? dataSource.CreateCommand(sql) : new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = after.TransactionId });
        command.Parameters.Add(new NpgsqlParameter { Value = after.Sequence });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        return await ReadAllRowsAsync(command, ct);
    }

    /// <summary>The position of the newest committed event, or <see cref="LogPosition.Start"/> for an empty log.</summary>
    public async Task<LogPosition> ReadHeadAsync(CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand(schema.Sql(
            "SELECT tx_id, seq FROM {schema}.events ORDER BY tx_id DESC, seq DESC LIMIT 1"));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new LogPosition(reader.GetInt64(0), reader.GetInt64(1)) : LogPosition.Start;
    }

    private async Task<IReadOnlyList<RecordedEvent>> ReadAllRowsAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var events = new List<RecordedEvent>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var type = reader.GetString(5);
            events.Add(new RecordedEvent(
                Sequence: reader.GetInt64(0),
                TransactionId: reader.GetInt64(1),
                EventId: reader.GetGuid(2),
                StreamId: reader.GetGuid(3),
                Version: reader.GetInt64(4),
                Type: type,
                Data: types.Deserialize(type, reader.GetString(6)),
                Metadata: reader.IsDBNull(7)
                    ? EventMetadata.Empty
                    : JsonSerializer.Deserialize(reader.GetString(7), EventStoreJsonContext.Default.EventMetadata) ?? EventMetadata.Empty,
                Timestamp: reader.GetFieldValue<DateTimeOffset>(8)));
        }
        return events;
    }
}
