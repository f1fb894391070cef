using Ledger.Projections.Schema;
using Ledger.Projections.Store;
using Npgsql;

namespace Ledger.Projections.History;

/// <summary>Reads an account's history newest first; the cursor is the last row's stream version.</summary>
public sealed class TransactionHistory(NpgsqlDataSource dataSource, LedgerSchema schema)
{
    public async Task<IReadOnlyList<HistoryRow>> ReadAsync(Guid accountId, long beforeVersion, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(schema.Sql("""
            SELECT account_id, version, transfer_id, direction, amount, counterparty_id, balance_after, reference, timestamp
            FROM {schema}.transactions WHERE account_id = $1 AND version < $2 ORDER BY version DESC LIMIT $3
            """));
        command.Parameters.Add(new NpgsqlParameter { Value = accountId });
        command.Parameters.Add(new NpgsqlParameter { Value = beforeVersion });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var rows = new List<HistoryRow>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add(new HistoryRow(reader.GetGuid(0), reader.GetInt64(1), reader.GetGuid(2), reader.GetString(3), reader.GetInt64(4),
                reader.GetGuid(5), reader.GetInt64(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetFieldValue<DateTimeOffset>(8)));
        return rows;
    }
}
