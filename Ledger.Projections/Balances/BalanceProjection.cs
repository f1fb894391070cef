using Ledger.EventStore;
using Ledger.EventStore.Daemon;
using Ledger.Projections.Accounts;
using Npgsql;

namespace Ledger.Projections.Balances;

/// <summary>
/// The read side's balance of every account, fed by the daemon. It folds events with the domain's own
/// Evolve, so it cannot drift from the write side's rules, and it refuses an out-of-order version.
/// </summary>
public sealed class BalanceProjection(EventStoreSchema schema) : IRebuildableProjection
{
    private readonly AccountStateTable _table = AccountStateTable.Balances(schema);

    public string Name => ProjectionNames.Balances;

    public string Table => _table.Table;

    public Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> events, CancellationToken ct) =>
        _table.ApplyAsync(connection, transaction, events, ct);

    public IRebuildSession StartRebuild(string shadowTable) => new RebuildSession(new AccountStateTable(schema, shadowTable));

    /// <summary>Folds the whole log in memory (one row per account) and writes each changed row once per flush.</summary>
    private sealed class RebuildSession(AccountStateTable shadow) : IRebuildSession
    {
        private const int RowsPerStatement = 5000;
        private readonly Dictionary<Guid, AccountRow> _rows = [];
        private readonly HashSet<Guid> _dirty = [];

        public Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<RecordedEvent> events, CancellationToken ct)
        {
            foreach (var row in AccountProjector.Project(_rows, events))
            {
                _rows[row.State.Id] = row;
                _dirty.Add(row.State.Id);
            }
            return Task.CompletedTask;
        }

        public async Task FlushAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct)
        {
            foreach (var chunk in _dirty.Chunk(RowsPerStatement))
            {
                await using var batch = new NpgsqlBatch(connection, transaction);
                batch.BatchCommands.Add(shadow.UpsertCommand(chunk.Select(id => _rows[id]).ToList()));
                await batch.ExecuteNonQueryAsync(ct);
            }
            _dirty.Clear();
        }
    }
}
