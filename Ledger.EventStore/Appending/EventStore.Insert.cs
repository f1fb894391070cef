using System.Text.Json;
using Ledger.EventStore.Appending;
using Ledger.EventStore.Serialization;
using Npgsql;

namespace Ledger.EventStore;

public sealed partial class EventStore
{
    /// <summary>
    /// Inserts all events with one multi-row statement and notifies listeners, which PostgreSQL delivers
    /// only if and when the transaction commits.
    /// </summary>
    private async Task<IReadOnlyList<RecordedEvent>> InsertEventsAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<StreamAppend> streams,
        Dictionary<Guid, long> firstVersions, List<NpgsqlBatchCommand> versionCommands, AppendContext context, CancellationToken ct)
    {
        var count = streams.Sum(s => s.Events.Count);
        var ids = new Guid[count];
        var streamIds = new Guid[count];
        var versions = new long[count];
        var typeNames = new string[count];
        var data = new string[count];
        var payloads = new object[count];
        var metadata = new EventMetadata[count];
        var metadataJson = new string[count];
        var i = 0;
        foreach (var stream in streams)
        {
            var version = firstVersions[stream.StreamId];
            foreach (var @event in stream.Events)
            {
                ids[i] = @event.EventId;
                streamIds[i] = stream.StreamId;
                versions[i] = version++;
                typeNames[i] = types.NameOf(@event.Data);
                data[i] = types.Serialize(@event.Data);
                payloads[i] = @event.Data;
                metadata[i] = @event.Metadata ?? context.Metadata;
                metadataJson[i] = JsonSerializer.Serialize(metadata[i], EventStoreJsonContext.Default.EventMetadata);
                i++;
            }
        }

        await using var batch = new NpgsqlBatch(connection, tx);
        foreach (var command in versionCommands) batch.BatchCommands.Add(command);
        var insert = new NpgsqlBatchCommand(schema.Sql("""
            INSERT INTO {schema}.events (id, stream_id, version, type, data, metadata, timestamp, tx_id)
            SELECT e.id, e.stream_id, e.version, e.type, e.data::jsonb, e.metadata::jsonb, $7, pg_current_xact_id()::text::bigint
            FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS e(id, stream_id, version, type, data, metadata, ord)
            ORDER BY e.ord
            RETURNING id, seq, tx_id
            """));
        insert.Parameters.Add(new NpgsqlParameter { Value = ids });
        insert.Parameters.Add(new NpgsqlParameter { Value = streamIds });
        insert.Parameters.Add(new NpgsqlParameter { Value = versions });
        insert.Parameters.Add(new NpgsqlParameter { Value = typeNames });
        insert.Parameters.Add(new NpgsqlParameter { Value = data });
        insert.Parameters.Add(new NpgsqlParameter { Value = metadataJson });
        insert.Parameters.Add(new NpgsqlParameter { Value = context.Timestamp });
        batch.BatchCommands.Add(insert);
        var notify = new NpgsqlBatchCommand("SELECT pg_notify($1, '')");
        notify.Parameters.Add(new NpgsqlParameter { Value = schema.EventsChannel });
        batch.BatchCommands.Add(notify);

        var positions = new Dictionary<Guid, (long Seq, long Tx)>(count);
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(ct);
            if (versionCommands.Count > 0) FirstVersions(streams, await ReadVersionsAsync(reader, versionCommands.Count, ct));
            while (await reader.ReadAsync(ct)) positions[reader.GetGuid(0)] = (reader.GetInt64(1), reader.GetInt64(2));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "events_stream_version_unique")
        {
            // The streams row normally prevents this; the constraint is the last line of defence.
            var stream = streams.FirstOrDefault(s => e.Detail?.Contains(s.StreamId.ToString(), StringComparison.Ordinal) ?? false) ?? streams[0];
            throw new ConcurrencyException(stream.StreamId, stream.Expected, "another writer appended the same version");
        }

        var recorded = new RecordedEvent[count];
        for (var j = 0; j < count; j++)
        {
            var (seq, txId) = positions[ids[j]];
            recorded[j] = new RecordedEvent(seq, txId, ids[j], streamIds[j], versions[j], typeNames[j], payloads[j], metadata[j], context.Timestamp);
        }
        return recorded;
    }
}
