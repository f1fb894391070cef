using Ledger.Projections.Schema;
using Ledger.Projections.Store;
using Npgsql;

namespace Ledger.Projections.Audit;

public sealed record AuditVerification(bool Valid, long EntriesChecked, long? FirstInvalidSequence);

/// <summary>Reads the audit trail and checks its chain.</summary>
public sealed class AuditLog(NpgsqlDataSource dataSource, LedgerSchema schema)
{
    private const string Columns = "sequence, at, actor, operation, subject_ids, outcome, code, detail, previous_hash, hash";

    /// <summary>Oldest first, after a sequence, optionally only entries naming one account.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(Guid? accountId, long afterSequence, int limit, CancellationToken ct)
    {
        var sql = $"SELECT {Columns} FROM {{schema}}.audit_entries WHERE sequence > $1"
                  + (accountId is null ? "" : " AND subject_ids @> ARRAY[$3::uuid]")
                  + " ORDER BY sequence LIMIT $2";
        await using var command = dataSource.CreateCommand(schema.Sql(sql));
        command.Parameters.Add(new NpgsqlParameter { Value = afterSequence });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        command.Parameters.Add(new NpgsqlParameter { Value = accountId ?? Guid.Empty });
        var entries = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) entries.Add(Read(reader));
        return entries;
    }

    /// <summary>
    /// Walks the whole chain in sequence order: sequences must run 1, 2, 3…, each entry must name its
    /// predecessor's hash and hash to its stored value, and the chain must end exactly at the head row
    /// (read first, in the same snapshot): an entry past the head, a last entry whose hash the head does
    /// not name, or a chain shorter than the head says are all tampering, reported at the first bad sequence.
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // One snapshot for the head and the walk, so a concurrent writer cannot look like tampering.
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        AuditHead head;
        await using (var headQuery = new NpgsqlCommand(schema.Sql("SELECT sequence, hash FROM {schema}.audit_head WHERE id = 1"), connection, tx))
        await using (var headReader = await headQuery.ExecuteReaderAsync(ct))
            head = await AuditTrail.ReadHeadAsync(headReader, ct);

        var previous = new AuditHead(0, AuditHead.GenesisHash);
        long checkedCount = 0;
        await using (var command = new NpgsqlCommand(schema.Sql($"SELECT {Columns} FROM {{schema}}.audit_entries ORDER BY sequence"), connection, tx))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var entry = Read(reader);
                checkedCount++;
                var expected = previous.Sequence + 1;
                var linked = entry.Sequence == expected && entry.PreviousHash == previous.Hash && AuditChain.Compute(entry) == entry.Hash;
                var withinHead = entry.Sequence < head.Sequence || (entry.Sequence == head.Sequence && entry.Hash == head.Hash);
                if (!linked || !withinHead) return new AuditVerification(false, checkedCount, Math.Min(expected, entry.Sequence));
                previous = new AuditHead(entry.Sequence, entry.Hash);
            }
        }
        return previous == head
            ? new AuditVerification(true, checkedCount, null)
            : new AuditVerification(false, checkedCount, previous.Sequence + 1);
    }

    private static AuditEntry Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3), r.GetFieldValue<Guid[]>(4),
        r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetString(7), r.GetString(8), r.GetString(9));
}
