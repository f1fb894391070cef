using Ledger.Projections.Schema;
using Ledger.Projections.Store;
using Marten;
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

    /// <summary>Links the drafts onto the head and queues, on the writer's Marten session, the statement that stores them and moves the head.</summary>
    public void Append(IDocumentOperations operations, AuditHead head, IReadOnlyList<AuditDraft> drafts, DateTimeOffset at)
    {
        var entries = new List<AuditEntry>(drafts.Count);
        foreach (var draft in drafts)
        {
            var entry = AuditChain.Link(head, draft, at);
            entries.Add(entry);
            head = new AuditHead(entry.Sequence, entry.Hash);
        }

        // Subject ids travel as one comma-separated text per entry because PostgreSQL has no array of arrays.
        var sql = schema.Sql("""
            WITH inserted AS (
                INSERT INTO {schema}.audit_entries (sequence, at, actor, operation, subject_ids, outcome, code, detail, previous_hash, hash)
                SELECT e.sequence, ?, e.actor, e.operation, string_to_array(e.subjects, ',')::uuid[], e.outcome, e.code, e.detail, e.previous_hash, e.hash
                FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                     AS e(sequence, actor, operation, subjects, outcome, code, detail, previous_hash, hash)
                RETURNING 1
            )
            UPDATE {schema}.audit_head SET sequence = ?, hash = ? WHERE id = 1
            """);
        operations.QueueSqlCommand(sql,
            AuditChain.Truncate(at),
            entries.Select(e => e.Sequence).ToArray(),
            entries.Select(e => e.Actor).ToArray(),
            entries.Select(e => e.Operation).ToArray(),
            entries.Select(e => string.Join(',', e.SubjectIds)).ToArray(),
            entries.Select(e => e.Outcome).ToArray(),
            entries.Select(e => e.Code).ToArray(),
            entries.Select(e => e.Detail).ToArray(),
            entries.Select(e => e.PreviousHash).ToArray(),
            entries.Select(e => e.Hash).ToArray(),
            head.Sequence,
            head.Hash);
    }
}
