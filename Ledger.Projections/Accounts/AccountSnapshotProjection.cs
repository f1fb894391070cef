using JasperFx.Events;
using Ledger.Projections.Schema;
using Marten;

namespace Ledger.Projections.Accounts;

/// <summary>
/// The write side's current state of every account, written in the same transaction as the events so
/// the write pipeline can lock and read one row instead of replaying a stream.
/// </summary>
/// <remarks>
/// The writer has just locked and read the rows these events touch, so it hands them in: folding onto
/// them saves reading the same rows a second time, and the upsert is queued on the writer's Marten
/// session, so it travels in one round trip with the events.
/// </remarks>
public sealed class AccountSnapshotProjection(LedgerSchema schema)
{
    private readonly AccountStateTable _table = AccountStateTable.Snapshots(schema);

    /// <summary>Queues the upsert of every row the events change, if they change any.</summary>
    public void Apply(IDocumentOperations operations, IReadOnlyDictionary<Guid, AccountRow> lockedRows, IReadOnlyList<IEvent> events)
    {
        var rows = AccountProjector.Project(lockedRows, events);
        if (rows.Count == 0) return;
        var (sql, values) = _table.UpsertStatement(rows, '?');
        operations.QueueSqlCommand(sql, values);
    }
}
