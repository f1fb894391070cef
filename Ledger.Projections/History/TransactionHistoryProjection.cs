using Ledger.Domain.Accounts;
using Ledger.Projections.Schema;
using Ledger.Projections.Store;
using JasperFx.Events;
using Ledger.Projections.Rebuilds;
using Marten;
using Marten.Events.Projections;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Projections.History;

/// <summary>
/// One row per account per transfer leg, keyed by the account's stream version, run by Marten's async
/// daemon. Rows are inserted from the events alone (no read), queued into Marten's batch transaction.
/// </summary>
public sealed class TransactionHistoryProjection(LedgerSchema schema) : IProjection, IRebuildableProjection
{
    private const string Columns = "account_id, version, transfer_id, direction, amount, counterparty_id, balance_after, reference, timestamp";

    private readonly ProjectionGate _gate = new(schema, ProjectionNames.Transactions);

    public string Name => ProjectionNames.Transactions;

    public string Table => "transactions";

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        _gate.EnterShared(operations);
        var legs = Legs(events);
        if (legs.Count == 0) return Task.CompletedTask;
        // A repeat of a (account, version) would mean an event applied twice: let the key fail loudly.
        operations.QueueSqlCommand(schema.Sql($"""
            INSERT INTO {"{schema}"}.transactions ({Columns})
            SELECT * FROM unnest(?::uuid[], ?::bigint[], ?::uuid[], ?::text[], ?::bigint[], ?::uuid[], ?::bigint[], ?::text[], ?::timestamptz[])
            """),
            legs.Select(l => l.AccountId).ToArray(),
            legs.Select(l => l.Version).ToArray(),
            legs.Select(l => l.TransferId).ToArray(),
            legs.Select(l => l.Direction).ToArray(),
            legs.Select(l => l.AmountMinor).ToArray(),
            legs.Select(l => l.CounterpartyId).ToArray(),
            legs.Select(l => l.BalanceAfterMinor).ToArray(),
            legs.Select(l => l.Reference).ToArray(),
            legs.Select(l => l.Timestamp.ToUniversalTime()).ToArray());
        return Task.CompletedTask;
    }

    public IRebuildSession StartRebuild(string shadowTable) => new RebuildSession(schema, shadowTable);

    private static List<HistoryRow> Legs(IReadOnlyList<IEvent> events) => events.Select(Leg).OfType<HistoryRow>().ToList();

    private static HistoryRow? Leg(IEvent e) => e.Data switch
    {
        AccountDebited d => new HistoryRow(d.AccountId, e.Version, d.TransferId, "debit", d.AmountMinor, d.CounterpartyId, d.BalanceAfterMinor, d.Reference, d.DebitedAt),
        AccountCredited c => new HistoryRow(c.AccountId, e.Version, c.TransferId, "credit", c.AmountMinor, c.CounterpartyId, c.BalanceAfterMinor, c.Reference, c.CreditedAt),
        _ => null,
    };

    /// <summary>Streams every page of legs into the shadow table with binary COPY: no per-row round trip.</summary>
    private sealed class RebuildSession(LedgerSchema schema, string shadow) : IRebuildSession
    {
        public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<IEvent> events, CancellationToken ct)
        {
            var legs = Legs(events);
            if (legs.Count == 0) return;
            await using var copy = await connection.BeginBinaryImportAsync(schema.Sql($"COPY {"{schema}"}.{shadow} ({Columns}) FROM STDIN (FORMAT BINARY)"), ct);
            foreach (var leg in legs)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(leg.AccountId, NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(leg.Version, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(leg.TransferId, NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(leg.Direction, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(leg.AmountMinor, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(leg.CounterpartyId, NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(leg.BalanceAfterMinor, NpgsqlDbType.Bigint, ct);
                if (leg.Reference is null) await copy.WriteNullAsync(ct);
                else await copy.WriteAsync(leg.Reference, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(leg.Timestamp.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
            }
            await copy.CompleteAsync(ct);
        }

        public Task FlushAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct) => Task.CompletedTask;
    }
}

public sealed record HistoryRow(
    Guid AccountId, long Version, Guid TransferId, string Direction, long AmountMinor, Guid CounterpartyId,
    long BalanceAfterMinor, string? Reference, DateTimeOffset Timestamp);
