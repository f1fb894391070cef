using Ledger.Projections.Schema;
using Ledger.Projections.Store;
using Ledger.Projections.Accounts;
using Npgsql;

namespace Ledger.Api.Reads;

/// <summary>Queries over the async <c>balances</c> view.</summary>
public sealed class AccountViews(NpgsqlDataSource dataSource, LedgerSchema schema)
{
    private readonly AccountStateTable _balances = AccountStateTable.Balances(schema);

    public async Task<AccountRow?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await _balances.LoadAsync(connection, null, [id], lockRows: false, ct);
        return rows.GetValueOrDefault(id);
    }

    /// <summary>One account's view row (null before the view has it) and the position of its last write; null for an unknown account.</summary>
    public async Task<(AccountRow? Row, LogPosition LastWrite)?> FindBesideLastWriteAsync(Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(_balances.SelectBesideLastWriteSql());
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var lastWrite = new LogPosition(reader.GetInt64(15));
        return (reader.IsDBNull(0) ? null : AccountStateTable.Read(reader), lastWrite);
    }

    /// <summary>Oldest first by the position of the opening event; the cursor is the last row's opening position.</summary>
    public async Task<IReadOnlyList<AccountRow>> ListAsync(string? currency, LogPosition after, int limit, CancellationToken ct)
    {
        var sql = _balances.SelectAllSql("WHERE opened_seq > $1"
            + (currency is null ? "" : " AND currency = $3") + " ORDER BY opened_seq LIMIT $2");
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = after.Sequence });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        command.Parameters.Add(new NpgsqlParameter { Value = currency ?? "" });
        var rows = await AccountStateTable.ReadRowsAsync(command, ct);
        return rows.Values.OrderBy(r => r.OpenedAt).ToList();
    }
}
