using Marten;
using Ledger.Projections.Schema;
using Npgsql;

namespace Ledger.Projections.Rebuilds;

/// <summary>
/// Keeps a rebuild's swap and the live projection's batches apart. Every live batch takes the gate
/// shared as the first statement of Marten's batch transaction; the swap takes it exclusively. While the
/// swap holds it no live batch can commit, so the live checkpoint the swap reads stays put, and the
/// rebuilt table replaces the live one at exactly that checkpoint: nothing applied twice, nothing missed.
/// </summary>
public sealed class ProjectionGate(LedgerSchema schema, string projection)
{
    private readonly long _key = SessionLock.KeyFor(schema, "gate:" + projection);

    /// <summary>Queues the shared lock ahead of the batch's own statements (they run in queue order).</summary>
    public void EnterShared(IDocumentOperations operations) => operations.QueueSqlCommand("SELECT pg_advisory_xact_lock_shared(?)", _key);

    /// <summary>Waits out the live batch in flight and holds every later one until the transaction ends.</summary>
    public async Task CloseAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, tx);
        command.Parameters.Add(new NpgsqlParameter { Value = _key });
        await command.ExecuteNonQueryAsync(ct);
    }
}
