using System.Data;
using System.Diagnostics;
using Ledger.EventStore;
using Npgsql;

namespace Ledger.Projections.Reconciliation;

/// <summary>
/// Reconciliation by replay: inside one REPEATABLE READ snapshot, streams the whole log (or the part up
/// to <c>asOf</c>) once, recomputes every balance, compares it with the balances view as of the view's
/// own checkpoint and with the write side's snapshots, checks that each currency sums to zero and that
/// every transfer has its two legs, and stores the report.
/// </summary>
public sealed class Reconciler(EventStore.EventStore store, ReconciliationReports reports, TimeProvider clock)
{
    public async Task<ReconciliationReport> RunAsync(DateTimeOffset? asOf, CancellationToken ct)
    {
        var started = clock.GetUtcNow();
        var timer = Stopwatch.StartNew();
        await using var connection = await store.DataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);

        var viewCheckpoint = await ReadCheckpointAsync(connection, tx, ct);
        var replay = new LedgerReplay();
        Dictionary<Guid, long>? atViewCheckpoint = null;
        await foreach (var recorded in ReadLogAsync(connection, tx, asOf, ct))
        {
            if (atViewCheckpoint is null && recorded.Position > viewCheckpoint) atViewCheckpoint = replay.Balances();
            replay.Apply(recorded);
        }
        atViewCheckpoint ??= replay.Balances();

        // Stored state is "now": comparing it with a replay that stops in the past would only report history.
        var mismatches = new List<BalanceMismatch>();
        if (asOf is null)
        {
            mismatches.AddRange(Compare(await ReadBalancesAsync(connection, tx, "balances", ct), atViewCheckpoint, "balances"));
            mismatches.AddRange(Compare(await ReadBalancesAsync(connection, tx, "account_snapshots", ct), replay.Balances(), "snapshots"));
        }
        await tx.CommitAsync(ct);

        var totals = replay.TotalsByCurrency();
        var legs = replay.LegProblems();
        var report = new ReconciliationReport(Guid.CreateVersion7(started), asOf, started, replay.EventsReplayed, replay.Accounts.Count,
            mismatches, totals, legs, mismatches.Count == 0 && legs.Count == 0 && totals.Values.All(t => t == 0), timer.ElapsedMilliseconds);
        await reports.SaveAsync(report, ct);
        return report;
    }

    private static IEnumerable<BalanceMismatch> Compare(Dictionary<Guid, long> stored, Dictionary<Guid, long> replayed, string source)
    {
        foreach (var (id, balance) in replayed)
            if (!stored.TryGetValue(id, out var projected) || projected != balance)
                yield return new BalanceMismatch(id, stored.GetValueOrDefault(id), balance, source);
        foreach (var (id, projected) in stored)
            if (!replayed.ContainsKey(id)) yield return new BalanceMismatch(id, projected, 0, source);
    }

    private async IAsyncEnumerable<RecordedEvent> ReadLogAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, DateTimeOffset? asOf, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        // One streaming statement, ordered like the daemon reads, so positions compare with its checkpoint.
        await using var command = new NpgsqlCommand(store.Schema.Sql(
            "SELECT seq, tx_id, id, stream_id, version, type, data, metadata, timestamp FROM {schema}.events"
            + (asOf is null ? "" : " WHERE timestamp <= $1") + " ORDER BY tx_id, seq"), connection, tx);
        command.Parameters.Add(new NpgsqlParameter { Value = (asOf ?? DateTimeOffset.UnixEpoch).ToUniversalTime() });
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        while (await reader.ReadAsync(ct))
        {
            var seq = reader.GetInt64(0);
            var txId = reader.GetInt64(1);
            var id = reader.GetGuid(2);
            var streamId = reader.GetGuid(3);
            var version = reader.GetInt64(4);
            var type = reader.GetString(5);
            var data = store.Types.Deserialize(type, reader.GetString(6));
            reader.GetString(7); // metadata is not needed to reconcile; SequentialAccess reads columns in order
            yield return new RecordedEvent(seq, txId, id, streamId, version, type, data,
                EventStore.Serialization.EventMetadata.Empty, reader.GetFieldValue<DateTimeOffset>(8));
        }
    }

    private async Task<LogPosition> ReadCheckpointAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(store.Schema.Sql("SELECT tx_id, seq FROM {schema}.event_progression WHERE name = $1"), connection, tx);
        command.Parameters.Add(new NpgsqlParameter { Value = ProjectionNames.Balances });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new LogPosition(reader.GetInt64(0), reader.GetInt64(1)) : LogPosition.Start;
    }

    private async Task<Dictionary<Guid, long>> ReadBalancesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string table, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(store.Schema.Sql($"SELECT id, balance FROM {{schema}}.{table}"), connection, tx);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var balances = new Dictionary<Guid, long>();
        while (await reader.ReadAsync(ct)) balances[reader.GetGuid(0)] = reader.GetInt64(1);
        return balances;
    }
}
