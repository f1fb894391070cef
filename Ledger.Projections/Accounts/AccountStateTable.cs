using Ledger.Domain.Accounts;
using Ledger.Projections.Schema;
using Ledger.Projections.Store;
using Npgsql;

namespace Ledger.Projections.Accounts;

/// <summary>
/// Reads and writes account state rows in one of the two tables of that shape: the write side's
/// <c>account_snapshots</c> and the read side's <c>balances</c>. All writes are one set-based statement.
/// </summary>
public sealed class AccountStateTable(LedgerSchema schema, string table)
{
    public static AccountStateTable Snapshots(LedgerSchema schema) => new(schema, "account_snapshots");
    public static AccountStateTable Balances(LedgerSchema schema) => new(schema, "balances");

    private const string Columns =
        "id, currency, name, status, allow_negative, is_settlement, balance, version, opened_at, debit_day, debited_on_day, opened_seq, last_seq, pending_debits, pending_credits";

    public string Table => table;

    /// <summary>Loads the rows for these ids; with <paramref name="lockRows"/>, locks them in id order so writers never deadlock.</summary>
    public async Task<Dictionary<Guid, AccountRow>> LoadAsync(
        NpgsqlConnection connection, NpgsqlTransaction? tx, IEnumerable<Guid> ids, bool lockRows, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(SelectSql(lockRows), connection, tx);
        command.Parameters.Add(new NpgsqlParameter { Value = ids.Distinct().Order().ToArray() });
        return await ReadRowsAsync(command, ct);
    }

    /// <remarks>
    /// A join with the unnested ids, not <c>id = ANY($1)</c>: with a hundred ids or more the planner
    /// scans the whole table for <c>ANY</c> (measured at 11-32 ms per batch under load, the largest
    /// cost of a write), while the join stays a primary-key lookup per id.
    /// </remarks>
    public string SelectSql(bool lockRows) =>
        schema.Sql($"SELECT {Columns} FROM unnest($1::uuid[]) AS wanted(id) JOIN {{schema}}.{table} USING (id) ORDER BY id"
            + (lockRows ? $" FOR UPDATE OF {table}" : ""));

    /// <summary>
    /// This table's row for one account (null columns when it has none) beside the write side's position
    /// of the account's last event, or no row when the account does not exist: a read knows in one
    /// statement whether the view has caught up with the account's own writes.
    /// </summary>
    public string SelectBesideLastWriteSql() =>
        schema.Sql($"SELECT {string.Join(", ", Columns.Split(", ").Select(c => "v." + c))}, w.last_seq FROM {{schema}}.account_snapshots w "
                   + $"LEFT JOIN {{schema}}.{table} v USING (id) WHERE w.id = $1");

    /// <summary>Every row, in the order the caller's <paramref name="tail"/> (WHERE, ORDER BY, LIMIT) gives.</summary>
    public string SelectAllSql(string tail) => schema.Sql($"SELECT {Columns} FROM {{schema}}.{table} {tail}");

    public static async Task<Dictionary<Guid, AccountRow>> ReadRowsAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await ReadRowsAsync(reader, ct);
    }

    public static async Task<Dictionary<Guid, AccountRow>> ReadRowsAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        var rows = new Dictionary<Guid, AccountRow>();
        while (await reader.ReadAsync(ct))
        {
            var row = Read(reader);
            rows[row.State.Id] = row;
        }
        return rows;
    }

    public static AccountRow Read(NpgsqlDataReader r) => new(
        new AccountState(
            Id: r.GetGuid(0),
            Currency: r.GetString(1),
            Name: r.IsDBNull(2) ? null : r.GetString(2),
            Status: AccountRow.ParseStatus(r.GetString(3)),
            AllowNegative: r.GetBoolean(4),
            IsSettlement: r.GetBoolean(5),
            BalanceMinor: r.GetInt64(6),
            Version: r.GetInt64(7),
            OpenedAt: r.GetFieldValue<DateTimeOffset>(8),
            DebitDay: r.GetFieldValue<DateOnly>(9),
            DebitedOnDayMinor: r.GetInt64(10),
            PendingDebitsMinor: r.GetInt64(13),
            PendingCreditsMinor: r.GetInt64(14)),
        new LogPosition(r.GetInt64(11)),
        new LogPosition(r.GetInt64(12)));

    /// <summary>Inserts or replaces the rows with one multi-row statement.</summary>
    public NpgsqlBatchCommand UpsertCommand(IReadOnlyCollection<AccountRow> rows)
    {
        var (sql, values) = UpsertStatement(rows, placeholder: null);
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }

    /// <summary>
    /// The upsert as text and values, with <c>$n</c> parameters, or with <paramref name="placeholder"/>
    /// for each one (Marten's queued SQL numbers them itself).
    /// </summary>
    public (string Sql, object[] Values) UpsertStatement(IReadOnlyCollection<AccountRow> rows, char? placeholder)
    {
        string P(int n, string type) => (placeholder is { } c ? c.ToString() : $"${n}") + $"::{type}[]";
        var sql = schema.Sql($$"""
            INSERT INTO {schema}.{{table}} ({{Columns}})
            SELECT * FROM unnest({{P(1, "uuid")}}, {{P(2, "text")}}, {{P(3, "text")}}, {{P(4, "text")}}, {{P(5, "boolean")}}, {{P(6, "boolean")}},
                                 {{P(7, "bigint")}}, {{P(8, "bigint")}}, {{P(9, "timestamptz")}}, {{P(10, "date")}}, {{P(11, "bigint")}},
                                 {{P(12, "bigint")}}, {{P(13, "bigint")}}, {{P(14, "bigint")}}, {{P(15, "bigint")}})
            ORDER BY 1
            ON CONFLICT (id) DO UPDATE SET
                name = excluded.name, status = excluded.status, allow_negative = excluded.allow_negative,
                balance = excluded.balance, version = excluded.version, debit_day = excluded.debit_day,
                debited_on_day = excluded.debited_on_day, last_seq = excluded.last_seq,
                pending_debits = excluded.pending_debits, pending_credits = excluded.pending_credits
            """);
        object[] values =
        [
            rows.Select(r => r.State.Id).ToArray(),
            rows.Select(r => r.State.Currency).ToArray(),
            rows.Select(r => r.State.Name).ToArray(),
            rows.Select(r => AccountRow.StatusText(r.State.Status)).ToArray(),
            rows.Select(r => r.State.AllowNegative).ToArray(),
            rows.Select(r => r.State.IsSettlement).ToArray(),
            rows.Select(r => r.State.BalanceMinor).ToArray(),
            rows.Select(r => r.State.Version).ToArray(),
            rows.Select(r => r.State.OpenedAt.ToUniversalTime()).ToArray(),
            rows.Select(r => r.State.DebitDay).ToArray(),
            rows.Select(r => r.State.DebitedOnDayMinor).ToArray(),
            rows.Select(r => r.OpenedAt.Sequence).ToArray(),
            rows.Select(r => r.LastAt.Sequence).ToArray(),
            rows.Select(r => r.State.PendingDebitsMinor).ToArray(),
            rows.Select(r => r.State.PendingCreditsMinor).ToArray(),
        ];
        return (sql, values);
    }
}
