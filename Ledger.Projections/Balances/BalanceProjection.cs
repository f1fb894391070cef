using Ledger.Domain.Accounts;
using Ledger.EventStore;
using Ledger.EventStore.Daemon;
using Ledger.Projections.Accounts;
using Npgsql;

namespace Ledger.Projections.Balances;

/// <summary>
/// The read side's balance of every account, fed by the daemon. It folds events with the domain's own
/// Evolve, so it cannot drift from the write side's rules, and it refuses an out-of-order version.
/// </summary>
public sealed class BalanceProjection(EventStoreSchema schema) : IAsyncProjection
{
    private readonly AccountStateTable _table = AccountStateTable.Balances(schema);

    public string Name => ProjectionNames.Balances;

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
