using JasperFx.Events;
using Ledger.Projections.Schema;
using Npgsql;

namespace Ledger.Projections.Accounts;

/// <summary>
/// The write side's current state of every account, written in the same transaction as the events so
/// the write pipeline can lock and read one row instead of replaying a stream.
/// </summary>
/// <remarks>
/// The writer has just locked and read the rows these events touch, so it hands them in: folding onto
/// them saves reading the same rows a second time, and the upsert travels in the writer's last round
/// trip before the commit.
/// </remarks>
public sealed class AccountSnapshotProjection(LedgerSchema schema)
{
    private readonly AccountStateTable _table = AccountStateTable.Snapshots(schema);

    /// <summary>The upsert of every row the events change, or null when they change none.</summary>
    public NpgsqlBatchCommand? Apply(IReadOnlyDictionary<Guid, AccountRow> lockedRows, IReadOnlyList<IEvent> events)
    {
        var rows = AccountProjector.Project(lockedRows, events);
        return rows.Count == 0 ? null : _table.UpsertCommand(rows);
    }
}
