using System.Data;
using System.Diagnostics;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Ledger.Projections.Rebuilds;
using Ledger.Projections.Schema;
using Marten;
using Marten.Services;
using Npgsql;

namespace Ledger.Projections.Reconciliation;

/// <summary>
/// Reconciliation by replay: inside one REPEATABLE READ snapshot, reads Marten's whole log (or the part up
/// to <c>asOf</c>) once, recomputes every balance, compares it with the balances view as of the view's
/// own checkpoint and with the write side's snapshots, checks that each currency sums to zero and that
/// every transfer has its two legs, and stores the report.
/// </summary>
public sealed class Reconciler(IDocumentStore store, NpgsqlDataSource dataSource, LedgerSchema schema, ReconciliationReports reports, TimeProvider clock)
{
    public async Task<ReconciliationReport> RunAsync(DateTimeOffset? asOf, CancellationToken ct)
    {
        var started = clock.GetUtcNow();
        var timer = Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);

        var viewCheckpoint = await TakeSnapshotAsync(connection, tx, ct);
        var replay = new LedgerReplay();
        Dictionary<Guid, Standing>? atViewCheckpoint = null;
        await using var session = store.QuerySession(SessionOptions.ForTransaction(tx));
        // Per account, the replay stops at its first event after asOf, so each account is a prefix of its stream.
        var pastAsOf = new HashSet<Guid>();
        await foreach (var recorded in ReadLogAsync(session, ct))
        {
            if (asOf is { } instant && (pastAsOf.Contains(recorded.StreamId)
                || (recorded.Data is Domain.Accounts.IAccountEvent e && Store.LedgerEvents.InstantOf(e) > instant && pastAsOf.Add(recorded.StreamId))))
                continue;
            if (atViewCheckpoint is null && recorded.Sequence > viewCheckpoint) atViewCheckpoint = replay.Balances();
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
        var pending = replay.PendingByCurrency();
        var legs = replay.LegProblems();
        var balanced = mismatches.Count == 0 && legs.Count == 0 && totals.Values.All(t => t == 0) && pending.Values.All(p => p == 0);
        var report = new ReconciliationReport(Guid.CreateVersion7(started), asOf, started, replay.EventsReplayed, replay.Accounts.Count,
            mismatches, totals, legs, balanced, timer.ElapsedMilliseconds, pending);
        await reports.SaveAsync(report, ct);
        return report;
    }

    /// <summary>One mismatch per account and differing figure; a pending total's names its member in the source.</summary>
    private static IEnumerable<BalanceMismatch> Compare(Dictionary<Guid, Standing> stored, Dictionary<Guid, Standing> replayed, string source)
    {
        foreach (var (id, replay) in replayed)
        {
            var projected = stored.GetValueOrDefault(id);
            if (!stored.ContainsKey(id) || projected.Balance != replay.Balance)
                yield return new BalanceMismatch(id, projected.Balance, replay.Balance, source);
            if (projected.PendingDebits != replay.PendingDebits)
                yield return new BalanceMismatch(id, projected.PendingDebits, replay.PendingDebits, source + ".pendingDebits");
            if (projected.PendingCredits != replay.PendingCredits)
                yield return new BalanceMismatch(id, projected.PendingCredits, replay.PendingCredits, source + ".pendingCredits");
        }
        foreach (var (id, projected) in stored)
            if (!replayed.ContainsKey(id)) yield return new BalanceMismatch(id, projected.Balance, 0, source);
    }

    /// <summary>
    /// Takes the transaction's snapshot while the balances projection's gate is closed, so no live batch
    /// commits in between: the checkpoint read then is exactly the one the snapshot's balances view is at.
    /// </summary>
    private async Task<long> TakeSnapshotAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var gateConnection = await dataSource.OpenConnectionAsync(ct);
        await using var gateTx = await gateConnection.BeginTransactionAsync(ct);
        await new ProjectionGate(schema, ProjectionNames.Balances).CloseAsync(gateConnection, gateTx, ct);
        await using (var snapshot = new NpgsqlCommand("SELECT 1", connection, tx)) await snapshot.ExecuteScalarAsync(ct);
        var checkpoint = await store.Advanced.ProjectionProgressFor(ShardName.Compose(ProjectionNames.Balances), token: ct);
        await gateTx.CommitAsync(ct);
        return checkpoint;
    }

    /// <summary>The log in sequence order, a page at a time, through Marten inside the snapshot.</summary>
    private static async IAsyncEnumerable<IEvent> ReadLogAsync(
        IQuerySession session, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        const int pageSize = 20_000;
        var after = 0L;
        while (true)
        {
            var page = await session.Events.QueryAllRawEvents().Where(e => e.Sequence > after)
                .OrderBy(e => e.Sequence).Take(pageSize).ToListAsync(ct);
            foreach (var recorded in page) yield return recorded;
            if (page.Count < pageSize) yield break;
            after = page[^1].Sequence;
        }
    }

    private async Task<Dictionary<Guid, Standing>> ReadBalancesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string table, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(schema.Sql($"SELECT id, balance, pending_debits, pending_credits FROM {{schema}}.{table}"), connection, tx);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var balances = new Dictionary<Guid, Standing>();
        while (await reader.ReadAsync(ct)) balances[reader.GetGuid(0)] = new Standing(reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        return balances;
    }
}
