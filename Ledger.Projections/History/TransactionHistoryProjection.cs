using Ledger.Domain.Accounts;
using Ledger.EventStore;
using Ledger.EventStore.Daemon;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Projections.History;

/// <summary>One row per account per transfer leg, keyed by the account's stream version.</summary>
public sealed class TransactionHistoryProjection(EventStoreSchema schema) : IRebuildableProjection
{
    private const string Columns = "account_id, version, transfer_id, direction, amount, counterparty_id, balance_after, reference, timestamp";

    public string Name => ProjectionNames.Transactions;

    public string Table => "transactions";

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> events, CancellationToken ct)
    {
        var legs = Legs(events);
        if (legs.Count == 0) return;
        // A repeat of a (account, version) would mean the daemon applied an event twice: let the key fail loudly.
        await using var command = new NpgsqlCommand(schema.Sql($"""
            INSERT INTO {"{schema}"}.transactions ({Columns})
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

    public IRebuildSession StartRebuild(string shadowTable) => new RebuildSession(schema, shadowTable);

    private static List<HistoryRow> Legs(IReadOnlyList<RecordedEvent> events) => events.Select(Leg).OfType<HistoryRow>().ToList();

    private static HistoryRow? Leg(RecordedEvent e) => e.Data switch
    {
        AccountDebited d => new HistoryRow(d.AccountId, e.Version, d.TransferId, "debit", d.AmountMinor, d.CounterpartyId, d.BalanceAfterMinor, d.Reference, d.DebitedAt),
        AccountCredited c => new HistoryRow(c.AccountId, e.Version, c.TransferId, "credit", c.AmountMinor, c.CounterpartyId, c.BalanceAfterMinor, c.Reference, c.CreditedAt),
        _ => null,
    };

    /// <summary>Streams every page of legs into the shadow table with binary COPY: no per-row round trip.</summary>
    private sealed class RebuildSession(EventStoreSchema schema, string shadow) : IRebuildSession
    {
        public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<RecordedEvent> events, CancellationToken ct)
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
