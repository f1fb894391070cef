using Ledger.EventStore.Appending;
using Npgsql;

namespace Ledger.EventStore;

public sealed partial class EventStore
{
    /// <summary>
    /// One statement per kind of expectation, each moving its streams' versions forward and returning the
    /// new versions. The streams row is the lock that serialises writers of one stream.
    /// </summary>
    private List<NpgsqlBatchCommand> VersionCommands(IReadOnlyList<StreamAppend> streams, DateTimeOffset now)
    {
        var exact = streams.Where(s => s.Expected.IsExact).ToList();
        var fresh = streams.Where(s => s.Expected.IsNoStream).ToList();
        var any = streams.Where(s => s.Expected.IsAny).ToList();
        var commands = new List<NpgsqlBatchCommand>(3);
        if (exact.Count > 0)
            commands.Add(Command(schema.Sql("""
                UPDATE {schema}.streams s SET version = s.version + d.n, updated_at = $4
                FROM unnest($1::uuid[], $2::bigint[], $3::bigint[]) AS d(id, expected, n)
                WHERE s.id = d.id AND s.version = d.expected
                RETURNING s.id, s.version
                """), exact, s => s.Expected.Value, now));
        if (fresh.Count > 0)
            commands.Add(InsertStreams(fresh, now, "DO NOTHING"));
        if (any.Count > 0)
            commands.Add(InsertStreams(any, now, "DO UPDATE SET version = {schema}.streams.version + excluded.version, updated_at = excluded.updated_at"));
        return commands;
    }

    /// <summary>Creates the streams; <paramref name="onConflict"/> says what an existing stream means.</summary>
    private NpgsqlBatchCommand InsertStreams(List<StreamAppend> streams, DateTimeOffset now, string onConflict) =>
        Command(schema.Sql($"""
            INSERT INTO {"{schema}"}.streams (id, type, version, created_at, updated_at)
            SELECT d.id, t.type, d.n, $4, $4
            FROM unnest($1::uuid[], $2::bigint[], $3::bigint[]) WITH ORDINALITY AS d(id, unused, n, ord)
            JOIN unnest($5::text[]) WITH ORDINALITY AS t(type, ord) USING (ord)
            ORDER BY d.id
            ON CONFLICT (id) {onConflict}
            RETURNING id, version
            """), streams, _ => 0, now, streams.Select(s => s.StreamType).ToArray());

    /// <summary>Reads the new versions returned by <see cref="VersionCommands"/>, one result set per command.</summary>
    private static async Task<Dictionary<Guid, long>> ReadVersionsAsync(NpgsqlDataReader reader, int commands, CancellationToken ct)
    {
        var newVersions = new Dictionary<Guid, long>();
        for (var i = 0; i < commands; i++)
        {
            // The append lock's result set (one void column) carries no version.
            if (reader.FieldCount == 2)
                while (await reader.ReadAsync(ct)) newVersions[reader.GetGuid(0)] = reader.GetInt64(1);
            await reader.NextResultAsync(ct);
        }
        return newVersions;
    }

    /// <summary>The version of each stream's first new event; throws if any stream was not where it was expected.</summary>
    private static Dictionary<Guid, long> FirstVersions(IReadOnlyList<StreamAppend> streams, Dictionary<Guid, long> newVersions)
    {
        var firstVersions = new Dictionary<Guid, long>(streams.Count);
        foreach (var stream in streams)
        {
            if (!newVersions.TryGetValue(stream.StreamId, out var last) || last != Expected(stream, last))
                throw new ConcurrencyException(stream.StreamId, stream.Expected,
                    stream.Expected.IsNoStream ? "the stream already exists" : "the stream is at another version");
            firstVersions[stream.StreamId] = last - stream.Events.Count + 1;
        }
        return firstVersions;
    }

    private static long Expected(StreamAppend stream, long last) =>
        stream.Expected.IsExact ? stream.Expected.Value + stream.Events.Count
        : stream.Expected.IsNoStream ? stream.Events.Count
        : last;

    private static NpgsqlBatchCommand Command(
        string sql, List<StreamAppend> streams, Func<StreamAppend, long> expected, DateTimeOffset now, string[]? types = null)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = streams.Select(s => s.StreamId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = streams.Select(expected).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = streams.Select(s => (long)s.Events.Count).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        if (types is not null) command.Parameters.Add(new NpgsqlParameter { Value = types });
        return command;
    }
}
