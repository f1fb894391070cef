using System.Text.Json;
using Ledger.Domain.Holds;
using Ledger.Projections.Schema;
using Ledger.Projections.Store;
using Npgsql;

namespace Ledger.Projections.Holds;

/// <summary>A hold's state, the client's metadata of its transfer, and the position of its stream's last event.</summary>
public sealed record HoldRow(TransferHold State, IReadOnlyDictionary<string, string>? Metadata, LogPosition LastAt);

/// <summary>
/// The write side's state of every two-phase transfer: its own stream folded in the same transaction as
/// the events (as <c>account_snapshots</c> is for accounts), so a post, a void or an expiry locks and
/// reads one row, and <c>GET /transfers/{id}</c> and the expiry sweep read it too.
/// </summary>
public sealed class HoldTable(LedgerSchema schema)
{
    private const string Columns =
        "transfer_id, from_account_id, to_account_id, amount, currency, reference, metadata::text, expires_at, placed_at, status, requested_post, posted_amount, version, last_seq";

    /// <summary>The rows of these holds, locked in id order when <paramref name="lockRows"/> (every writer takes them in that order).</summary>
    public NpgsqlBatchCommand LoadCommand(IEnumerable<Guid> ids, bool lockRows)
    {
        var command = new NpgsqlBatchCommand(schema.Sql(
            $"SELECT {Columns} FROM unnest($1::uuid[]) AS wanted(transfer_id) JOIN {{schema}}.holds USING (transfer_id) ORDER BY transfer_id"
            + (lockRows ? " FOR UPDATE OF holds" : "")));
        command.Parameters.Add(new NpgsqlParameter { Value = ids.Distinct().Order().ToArray() });
        return command;
    }

    public async Task<HoldRow?> FindAsync(NpgsqlDataSource dataSource, Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(schema.Sql($"SELECT {Columns} FROM {{schema}}.holds WHERE transfer_id = $1"));
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>The account's pending holds, on either side, oldest first; the partial indexes on both sides serve it.</summary>
    public async Task<IReadOnlyList<HoldRow>> OpenForAccountAsync(NpgsqlDataSource dataSource, Guid accountId, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(schema.Sql(
            $"SELECT {Columns} FROM {{schema}}.holds WHERE status = 'pending' AND (from_account_id = $1 OR to_account_id = $1) ORDER BY placed_at, transfer_id LIMIT $2"));
        command.Parameters.Add(new NpgsqlParameter { Value = accountId });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<HoldRow>();
        while (await reader.ReadAsync(ct)) rows.Add(Read(reader));
        return rows;
    }

    /// <summary>Ids of the pending holds due at or before the instant, oldest first.</summary>
    public async Task<IReadOnlyList<Guid>> DueAsync(NpgsqlDataSource dataSource, DateTimeOffset at, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(schema.Sql(
            "SELECT transfer_id FROM {schema}.holds WHERE status = 'pending' AND expires_at <= $1 ORDER BY expires_at LIMIT $2"));
        command.Parameters.Add(new NpgsqlParameter { Value = at.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
        return ids;
    }

    public static async Task<Dictionary<Guid, HoldRow>> ReadRowsAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        var rows = new Dictionary<Guid, HoldRow>();
        while (await reader.ReadAsync(ct))
        {
            var row = Read(reader);
            rows[row.State.TransferId] = row;
        }
        return rows;
    }

    private static HoldRow Read(NpgsqlDataReader r) => new(
        new TransferHold(
            TransferId: r.GetGuid(0),
            FromAccountId: r.GetGuid(1),
            ToAccountId: r.GetGuid(2),
            AmountMinor: r.GetInt64(3),
            Currency: r.GetString(4),
            Reference: r.IsDBNull(5) ? null : r.GetString(5),
            ExpiresAt: r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7),
            PlacedAt: r.GetFieldValue<DateTimeOffset>(8),
            Status: ParseStatus(r.GetString(9)),
            RequestedPostAmountMinor: r.IsDBNull(10) ? null : r.GetInt64(10),
            PostedAmountMinor: r.IsDBNull(11) ? null : r.GetInt64(11),
            Version: r.GetInt64(12)),
        r.IsDBNull(6) ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(6)),
        new LogPosition(r.GetInt64(13)));

    /// <summary>Inserts or replaces the rows with one statement.</summary>
    public NpgsqlBatchCommand UpsertCommand(IReadOnlyCollection<HoldRow> rows)
    {
        var command = new NpgsqlBatchCommand(schema.Sql("""
            INSERT INTO {schema}.holds (transfer_id, from_account_id, to_account_id, amount, currency, reference, metadata, expires_at,
                                        placed_at, status, requested_post, posted_amount, version, last_seq)
            SELECT h.id, h.from_id, h.to_id, h.amount, h.currency, h.reference, h.metadata::jsonb, h.expires_at, h.placed_at, h.status,
                   h.requested_post, h.posted_amount, h.version, h.last_seq
            FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::timestamptz[],
                        $9::timestamptz[], $10::text[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[])
                 AS h(id, from_id, to_id, amount, currency, reference, metadata, expires_at, placed_at, status, requested_post, posted_amount, version, last_seq)
            ORDER BY h.id
            ON CONFLICT (transfer_id) DO UPDATE SET
                status = excluded.status, requested_post = excluded.requested_post, posted_amount = excluded.posted_amount,
                version = excluded.version, last_seq = excluded.last_seq
            """));
        object[] values =
        [
            rows.Select(r => r.State.TransferId).ToArray(),
            rows.Select(r => r.State.FromAccountId).ToArray(),
            rows.Select(r => r.State.ToAccountId).ToArray(),
            rows.Select(r => r.State.AmountMinor).ToArray(),
            rows.Select(r => r.State.Currency).ToArray(),
            rows.Select(r => r.State.Reference).ToArray(),
            rows.Select(r => r.Metadata is null ? null : JsonSerializer.Serialize(r.Metadata)).ToArray(),
            rows.Select(r => r.State.ExpiresAt?.ToUniversalTime()).ToArray(),
            rows.Select(r => r.State.PlacedAt.ToUniversalTime()).ToArray(),
            rows.Select(r => StatusText(r.State.Status)).ToArray(),
            rows.Select(r => r.State.RequestedPostAmountMinor).ToArray(),
            rows.Select(r => r.State.PostedAmountMinor).ToArray(),
            rows.Select(r => r.State.Version).ToArray(),
            rows.Select(r => r.LastAt.Sequence).ToArray(),
        ];
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }

    public static string StatusText(HoldStatus status) => status switch
    {
        HoldStatus.Pending => "pending",
        HoldStatus.Posted => "posted",
        HoldStatus.Voided => "voided",
        HoldStatus.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    private static HoldStatus ParseStatus(string text) => text switch
    {
        "pending" => HoldStatus.Pending,
        "posted" => HoldStatus.Posted,
        "voided" => HoldStatus.Voided,
        "expired" => HoldStatus.Expired,
        _ => throw new InvalidOperationException($"Stored hold status '{text}' is unknown."),
    };
}
