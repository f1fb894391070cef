using Ledger.EventStore;
using Ledger.EventStore.Appending;
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

    public Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> events, CancellationToken ct) =>
        _table.ApplyAsync(connection, transaction, events, ct);
}
