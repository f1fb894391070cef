using Ledger.EventStore;
using Ledger.EventStore.Appending;
using Ledger.Domain.Accounts;
using Npgsql;

namespace Ledger.Projections.Accounts;

/// <summary>
/// The write side's current state of every account, updated in the same transaction as the events so
/// the write pipeline can lock and read one row instead of replaying a stream.
/// </summary>
public sealed class AccountSnapshotProjection(EventStoreSchema schema) : IInlineProjection
{
    private readonly AccountStateTable _table = AccountStateTable.Snapshots(schema);

    public string Name => "account_snapshots";

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> events, CancellationToken ct)
    {
        var ids = events.Select(e => e.Data).OfType<IAccountEvent>().Select(e => e.AccountId).Distinct().ToList();
        if (ids.Count == 0) return;
        var before = await _table.LoadAsync(connection, transaction, ids, lockRows: false, ct);
        var after = AccountProjector.Project(before, events);
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(_table.UpsertCommand(after));
        await batch.ExecuteNonQueryAsync(ct);
    }
}
