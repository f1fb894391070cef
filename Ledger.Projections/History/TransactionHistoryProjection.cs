using Ledger.Domain.Accounts;
using Ledger.EventStore;
using Ledger.EventStore.Daemon;
using Npgsql;

namespace Ledger.Projections.History;

/// <summary>One row per account per transfer leg, keyed by the account's stream version.</summary>
public sealed class TransactionHistoryProjection(EventStoreSchema schema) : IAsyncProjection
{
    public string Name => ProjectionNames.Transactions;

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> events, CancellationToken ct)
    {
        var legs = events.Select(Leg).OfType<HistoryRow>().ToList();
        if (legs.Count == 0) return;
        // A repeat of a (account, version) would mean the daemon applied an event twice: let the key fail loudly.
        await using var command = new NpgsqlCommand(schema.Sql("""
            INSERT INTO {schema}.transactions (account_id, version, transfer_id, direction, amount, counterparty_id, balance_after, reference, timestamp)
            SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::text[], $5::bigint[], $6::uuid[], $7::bigint[], $8::text[], $9::timestamptz[])
            """), connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = legs.Select(l => l.AccountId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = legs.Select(l => l.Version).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = legs.Select(l => l.TransferId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = legs.Select(l => l.Direction).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = legs.Select(l => l.AmountMinor).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = legs.Select(l => l.CounterpartyId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = legs.Select(l => l.BalanceAfterMinor).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = legs.Select(l => l.Reference).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = legs.Select(l => l.Timestamp.ToUniversalTime()).ToArray() });
        await command.ExecuteNonQueryAsync(ct);
    }

    private static HistoryRow? Leg(RecordedEvent e) => e.Data switch
    {
        AccountDebited d => new HistoryRow(d.AccountId, e.Version, d.TransferId, "debit", d.AmountMinor, d.CounterpartyId, d.BalanceAfterMinor, d.Reference, d.DebitedAt),
        AccountCredited c => new HistoryRow(c.AccountId, e.Version, c.TransferId, "credit", c.AmountMinor, c.CounterpartyId, c.BalanceAfterMinor, c.Reference, c.CreditedAt),
        _ => null,
    };
}

public sealed record HistoryRow(
    Guid AccountId, long Version, Guid TransferId, string Direction, long AmountMinor, Guid CounterpartyId,
    long BalanceAfterMinor, string? Reference, DateTimeOffset Timestamp);
