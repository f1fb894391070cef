using Ledger.EventStore;
using Ledger.Projections.Accounts;
using Npgsql;

namespace Ledger.Api.Reads;

/// <summary>Queries over the async <c>balances</c> view.</summary>
public sealed class AccountViews(EventStore.EventStore store)
{
    private readonly AccountStateTable _balances = AccountStateTable.Balances(store.Schema);

    public async Task<AccountRow?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(ct);
        var rows = await _balances.LoadAsync(connection, null, [id], lockRows: false, ct);
        return rows.GetValueOrDefault(id);
    }

    /// <summary>Oldest first by the position of the opening event; the cursor is the last row's opening position.</summary>
    public async Task<IReadOnlyList<AccountRow>> ListAsync(string? currency, LogPosition after, int limit, CancellationToken ct)
    {
        var sql = _balances.SelectAllSql("WHERE (opened_tx_id, opened_seq) > ($1, $2)"
            + (currency is null ? "" : " AND currency = $4") + " ORDER BY opened_tx_id, opened_seq LIMIT $3");
        await using var command = store.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = after.TransactionId });
        command.Parameters.Add(new NpgsqlParameter { Value = after.Sequence });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        command.Parameters.Add(new NpgsqlParameter { Value = currency ?? "" });
        var rows = await AccountStateTable.ReadRowsAsync(command, ct);
        return rows.Values.OrderBy(r => r.OpenedAt).ToList();
    }
}
