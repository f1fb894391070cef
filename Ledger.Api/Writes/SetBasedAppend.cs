using System.Data.Common;
using System.Diagnostics;
using JasperFx.Events;
using Ledger.Projections.Store;
using Marten.Events;
using Marten.Exceptions;
using NpgsqlTypes;
using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Storage;

namespace Ledger.Api.Writes;

/// <summary>
/// Appends every stream of a batch to Marten's event store in one statement, where Marten's Quick mode
/// calls <c>mt_quick_append_events</c> once per stream (2.3× the database time of a set-based insert,
/// docs/benchmarks.md). It writes Marten's own <c>mt_streams</c> and <c>mt_events</c> rows as Quick
/// append does, so Marten reads, projects and rebuilds them as its own; it is written for one Marten
/// version (<see cref="WrittenForMarten"/>, pinned in Directory.Packages.props).
/// </summary>
/// <remarks>
/// Marten's daemon tells a live appender's hole in the sequence from a rolled-back one by transaction
/// evidence: a RowExclusiveLock on <c>mt_events</c>, an open transaction that ran a statement after
/// the numbers were taken, an in-progress xid. Like Quick append, this takes Marten's sequence numbers
/// with <c>nextval</c> inside the very statement that inserts the events, in the caller's transaction,
/// so the evidence exists from the moment a number is taken until the commit. Reserving numbers in an
/// earlier statement (as Rich mode does) would leave a window without it.
/// <para>
/// A refused batch raises Marten's own exception from the result, before anything commits, the way
/// Marten's Rich append reports a version it did not find: whoever owns the transaction rolls back the
/// stream rows the statement did move (Marten's session its own, the writer by never committing).
/// </para>
/// </remarks>
public sealed class SetBasedAppend : Marten.Internal.Operations.IStorageOperation
{
    /// <summary>The Marten release whose tables, columns and sequence this statement was written against.</summary>
    public static readonly Version WrittenForMarten = new(9, 59, 0, 0);

    // One row per event in append order (streams one after another, each in version order). Stream rows
    // are derived from it, so a stream's bump can never disagree with its events' versions. A stream that
    // is not where the caller expected it (moved, missing, archived, or already there when new) is
    // refused: then no event of the batch is inserted, and the result names the first such stream. The
    // events are read from a materialized CTE in array order, so nextval numbers them in append order.
    private const string Sql = """
        WITH appended AS MATERIALIZED (
            SELECT * FROM unnest(?::uuid[], ?::uuid[], ?::bigint[], ?::text[], ?::text[], ?::jsonb[], ?::timestamptz[])
                WITH ORDINALITY AS a(stream_id, id, version, type, dotnet_type, data, stamped, ord)
        ), streams AS (
            SELECT stream_id, min(version) - 1 AS expected, max(version) AS version, min(ord) AS ord
            FROM appended GROUP BY stream_id
        ), started AS (
            INSERT INTO {schema}.mt_streams (id, type, version, timestamp, tenant_id)
            SELECT stream_id, NULL, version, now(), ? FROM streams WHERE expected = 0
            ON CONFLICT (id) DO NOTHING
            RETURNING id
        ), bumped AS (
            UPDATE {schema}.mt_streams AS m SET version = s.version, timestamp = now()
            FROM streams AS s
            WHERE m.id = s.stream_id AND s.expected > 0 AND m.version = s.expected AND m.is_archived IS NOT TRUE
            RETURNING m.id
        ), refused AS MATERIALIZED (
            SELECT stream_id, expected, ord FROM streams
            WHERE stream_id NOT IN (SELECT id FROM started UNION ALL SELECT id FROM bumped)
        ), inserted AS (
            INSERT INTO {schema}.mt_events (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived)
            SELECT nextval('{schema}.mt_events_sequence'), id, stream_id, version, data, type, ?, stamped, dotnet_type, false
            FROM appended
            WHERE NOT EXISTS (SELECT FROM refused)
            RETURNING seq_id, id
        )
        SELECT w.ids, w.sequences, f.stream_id, f.expected, f.actual, f.archived
        FROM (SELECT array_agg(id ORDER BY seq_id) AS ids, array_agg(seq_id ORDER BY seq_id) AS sequences FROM inserted) AS w
        LEFT JOIN LATERAL (
            SELECT r.stream_id, r.expected, m.version AS actual, m.is_archived AS archived
            FROM (SELECT stream_id, expected FROM refused ORDER BY ord LIMIT 1) AS r
            LEFT JOIN {schema}.mt_streams AS m ON m.id = r.stream_id
        ) AS f ON true
        """;

    private readonly string _sql;
    private readonly IEvent[] _events;

    /// <param name="events">Marten's event graph: the stored names and the schema come from it, as for Marten's own appends.</param>
    /// <param name="appends">One entry per stream, each at the version it was loaded at (0: a new stream).</param>
    public SetBasedAppend(EventGraph events, IReadOnlyList<StreamAppend> appends)
    {
        if (appends.Count == 0 || appends.Any(a => a.Events.Count == 0))
            throw new ArgumentException("Every stream of a set-based append needs at least one event.", nameof(appends));
        if (appends.DistinctBy(a => a.StreamId).Count() != appends.Count)
            throw new ArgumentException("A stream may appear only once in a set-based append.", nameof(appends));

        _sql = Sql.Replace("{schema}", events.DatabaseSchemaName, StringComparison.Ordinal);
        _events = appends.SelectMany(append => append.Events.Select((e, i) =>
        {
            var wrapped = events.BuildEvent(e.Data);
            wrapped.Id = e.Id;
            wrapped.StreamId = append.StreamId;
            wrapped.Version = append.ExpectedVersion + i + 1;
            // The instant the ledger answered with, so Marten's time travel (asOf) reads by it; at the
            // microsecond PostgreSQL keeps, so the event handed back equals the event read back.
            var instant = LedgerEvents.InstantOf(e.Data);
            wrapped.Timestamp = instant.AddTicks(-(instant.Ticks % 10));
            return wrapped;
        })).ToArray();
    }

    /// <summary>Every event in append order; the sequence is filled in once the statement ran.</summary>
    public IReadOnlyList<IEvent> Events => _events;

    public Type DocumentType => typeof(IEvent);

    public OperationRole Role() => OperationRole.Events;

    public void ConfigureCommand(Weasel.Postgresql.ICommandBuilder builder, IStorageSession session)
    {
        foreach (var e in _events) e.TenantId = session.TenantId;
        var parameters = builder.AppendWithParameters(_sql);
        Bind(parameters[0], _events.Select(e => e.StreamId).ToArray(), NpgsqlDbType.Uuid);
        Bind(parameters[1], _events.Select(e => e.Id).ToArray(), NpgsqlDbType.Uuid);
        Bind(parameters[2], _events.Select(e => e.Version).ToArray(), NpgsqlDbType.Bigint);
        Bind(parameters[3], _events.Select(e => e.EventTypeName).ToArray(), NpgsqlDbType.Text);
        Bind(parameters[4], _events.Select(e => e.DotNetTypeName).ToArray(), NpgsqlDbType.Text);
        // The store's serializer, configured once in LedgerStoreOptions, is what Marten's own appends use.
        Bind(parameters[5], _events.Select(e => session.Serializer.ToJson(e.Data)).ToArray(), NpgsqlDbType.Jsonb);
        Bind(parameters[6], _events.Select(e => e.Timestamp.ToUniversalTime()).ToArray(), NpgsqlDbType.TimestampTz);
        parameters[7].Value = session.TenantId;
        parameters[8].Value = session.TenantId;
    }

    public async Task PostprocessAsync(DbDataReader reader, IList<Exception> exceptions, CancellationToken token)
    {
        if (!await reader.ReadAsync(token)) throw new UnreachableException("The set-based append returned no row.");
        if (!await reader.IsDBNullAsync(2, token))
        {
            exceptions.Add(await RefusalAsync(reader, token));
            return;
        }
        var ids = await reader.GetFieldValueAsync<Guid[]>(0, token);
        var sequences = await reader.GetFieldValueAsync<long[]>(1, token);
        // The versions of a stream must follow its sequence numbers, or Marten's daemon would fold them out of order.
        if (!ids.SequenceEqual(_events.Select(e => e.Id)))
            throw new UnreachableException("Marten's sequence numbers were not taken in append order.");
        for (var i = 0; i < _events.Length; i++) _events[i].Sequence = sequences[i];
    }

    /// <summary>The exception Marten's own append raises for the first stream that was not where the caller expected it.</summary>
    private static async Task<Exception> RefusalAsync(DbDataReader reader, CancellationToken token)
    {
        var stream = await reader.GetFieldValueAsync<Guid>(2, token);
        var expected = await reader.GetFieldValueAsync<long>(3, token);
        var actual = await reader.IsDBNullAsync(4, token) ? 0 : await reader.GetFieldValueAsync<long>(4, token);
        var archived = !await reader.IsDBNullAsync(5, token) && await reader.GetFieldValueAsync<bool>(5, token);
        // Marten passes the stream's aggregate type, which ledger streams never have (annotated non-null, null in practice).
        if (expected == 0) return new Marten.Exceptions.ExistingStreamIdCollisionException(stream, null!);
        if (archived) return new InvalidStreamOperationException($"Stream '{stream}' is archived; no event can be appended to it.");
        return new EventStreamUnexpectedMaxEventIdException(stream, null, expected, actual);
    }

    private static void Bind<T>(Npgsql.NpgsqlParameter parameter, T[] values, NpgsqlDbType elementType)
    {
        parameter.Value = values;
        parameter.NpgsqlDbType = NpgsqlDbType.Array | elementType;
    }
}
