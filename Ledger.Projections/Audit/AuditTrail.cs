using Ledger.Projections.Schema;
using Ledger.Projections.Store;
using Npgsql;

namespace Ledger.Projections.Audit;

/// <summary>
/// The inline audit projection: appends hash-chained entries in the writer's transaction. The head row
/// is locked first thing in every write transaction, so concurrent writers, in any process, take turns
/// and still produce one unbroken chain.
/// </summary>
public sealed class AuditTrail(LedgerSchema schema)
{
    public NpgsqlBatchCommand LockHeadCommand() =>
        new(schema.Sql("SELECT sequence, hash FROM {schema}.audit_head WHERE id = 1 FOR UPDATE"));

    public static async Task<AuditHead> ReadHeadAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        if (!await reader.ReadAsync(ct)) throw new InvalidOperationException("The audit head row is missing; the schema is damaged.");
        return new AuditHead(reader.GetInt64(0), reader.GetString(1));
    }

    /// <summary>Links the drafts onto the head and returns the statement that stores them and moves the head.</summary>
    public (IReadOnlyList<AuditEntry> Entries, NpgsqlBatchCommand Command) Append(AuditHead head, IReadOnlyList<AuditDraft> drafts, DateTimeOffset at)
    {
        var entries = new List<AuditEntry>(drafts.Count);
        foreach (var draft in drafts)
        {
            var entry = AuditChain.Link(head, draft, at);
            entries.Add(entry);
            head = new AuditHead(entry.Sequence, entry.Hash);
        }

        // Subject ids travel as one comma-separated text per entry because PostgreSQL has no array of arrays.
        var command = new NpgsqlBatchCommand(schema.Sql("""
            WITH inserted AS (
                INSERT INTO {schema}.audit_entries (sequence, at, actor, operation, subject_ids, outcome, code, detail, previous_hash, hash)
                SELECT e.sequence, $2, e.actor, e.operation, string_to_array(e.subjects, ',')::uuid[], e.outcome, e.code, e.detail, e.previous_hash, e.hash
                FROM unnest($1::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
                     AS e(sequence, actor, operation, subjects, outcome, code, detail, previous_hash, hash)
                RETURNING 1
            )
            UPDATE {schema}.audit_head SET sequence = $11, hash = $12 WHERE id = 1
            """));
        var atTruncated = AuditChain.Truncate(at);
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Sequence).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = atTruncated });
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Actor).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Operation).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => string.Join(',', e.SubjectIds)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Outcome).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Code).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Detail).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.PreviousHash).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Hash).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = head.Sequence });
        command.Parameters.Add(new NpgsqlParameter { Value = head.Hash });
        return (entries, command);
    }
}
