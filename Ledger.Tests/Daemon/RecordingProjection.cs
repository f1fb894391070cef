using System.Collections.Concurrent;
using Ledger.EventStore;
using Ledger.EventStore.Daemon;
using Npgsql;

namespace Ledger.Tests.Daemon;

/// <summary>
/// Inserts every event's id into a table whose primary key makes a second delivery fail loudly, and
/// remembers the order it was given events in. <see cref="BeforeApply"/> lets a test make it fail.
/// </summary>
internal sealed class RecordingProjection(string schema, string name) : IAsyncProjection
{
    private int _calls;

    public string Name => name;
    public string Table => name;

    /// <summary>Runs first in every call, inside the daemon's transaction; throw from it to fail the batch.</summary>
    public Func<IReadOnlyList<RecordedEvent>, NpgsqlConnection, NpgsqlTransaction, Task>? BeforeApply { get; set; }

    /// <summary>Runs last in every call, after the insert, still inside the daemon's transaction.</summary>
    public Func<IReadOnlyList<RecordedEvent>, Task>? AfterApply { get; set; }

    /// <summary>Positions of the events of every batch that reached the insert, in delivery order.</summary>
    public ConcurrentQueue<LogPosition> Received { get; } = new();

    public int Calls => Volatile.Read(ref _calls);

    public static async Task<RecordingProjection> CreateAsync(DaemonFixture fixture, string name)
    {
        await fixture.ExecuteAsync($"CREATE TABLE {fixture.Schema}.{name} (id uuid PRIMARY KEY, tx_id bigint NOT NULL, seq bigint NOT NULL)");
        return new RecordingProjection(fixture.Schema, name);
    }

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> events, CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        if (BeforeApply is { } before) await before(events, connection, transaction);
        foreach (var e in events) Received.Enqueue(e.Position);
        await using var insert = new NpgsqlCommand(
            $"INSERT INTO {schema}.{name} (id, tx_id, seq) SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[])", connection, transaction);
        insert.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => e.EventId).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => e.TransactionId).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => e.Sequence).ToArray() });
        await insert.ExecuteNonQueryAsync(ct);
        if (AfterApply is { } after) await after(events);
    }
}
