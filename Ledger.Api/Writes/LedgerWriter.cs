using JasperFx.Events;
using Ledger.Domain.Risk;
using Ledger.Projections.Accounts;
using Ledger.Domain.Holds;
using Ledger.Projections.Audit;
using Ledger.Projections.Holds;
using Ledger.Projections.Rebuilds;
using Ledger.Projections.Schema;
using Ledger.Projections.Store;
using Marten;
using Npgsql;
using Wolverine;

namespace Ledger.Api.Writes;

/// <summary>
/// Commits a batch of writes in one PostgreSQL transaction: take the append lock and the audit head
/// (which fix this transaction's place in the log), read the idempotency ids already used, lock the
/// accounts in id order, decide in arrival order, append the events through one Marten session on the
/// same transaction with expected versions, then in one round trip fold them into the account snapshots
/// and store outcomes and audit entries; commit. Either all of it commits or none of it does.
/// </summary>
/// <remarks>
/// The audit trail is not a Marten projection: it also records rejections and idempotency conflicts,
/// which produce no events, so it is written here, in the same transaction as the events.
/// </remarks>
public sealed partial class LedgerWriter(
    IDocumentStore store, NpgsqlDataSource dataSource, LedgerSchema schema, AuditTrail audit, RiskLimits limits, Wolverine.Runtime.IWolverineRuntime messaging,
    Observability.RecentStats stats)
{
    private readonly AccountStateTable _snapshots = AccountStateTable.Snapshots(schema);
    private readonly AccountSnapshotProjection _snapshotProjection = new(schema);
    private readonly CommandRecords _records = new(schema);
    private readonly HoldTable _holds = new(schema);
    private readonly long _appendLockKey = SessionLock.KeyFor(schema, "append");
    private readonly Marten.Events.EventGraph _events = (Marten.Events.EventGraph)store.Options.Events;

    public async Task<IReadOnlyList<WriteOutcome>> ExecuteAsync(IReadOnlyList<LedgerWrite> writes, DateTimeOffset now, CancellationToken ct)
    {
        var units = WriteUnits.Of(writes);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);

        var (head, known, loaded, holds) = await LockAndReadAsync(connection, tx, units.Items, ct);
        var plan = Plan(units, known, new BatchDecisions(loaded, holds, limits, now));

        var changedHolds = plan.Decisions.ChangedHolds().ToList();
        var recorded = await AppendAsync(tx, plan.Decisions.Appends(), Expiries(changedHolds), ct);
        var positions = recorded.ToDictionary(e => e.Id, e => new LogPosition(e.Sequence));
        var outcomes = Respond(plan, positions, loaded, now);

        await using var batch = new NpgsqlBatch(connection, tx);
        if (_snapshotProjection.Apply(loaded, recorded) is { } snapshots) batch.BatchCommands.Add(snapshots);
        if (changedHolds.Count > 0) batch.BatchCommands.Add(_holds.UpsertCommand(HoldRows(changedHolds, recorded)));
        var decided = plan.Owners.Select(i => ((IdempotentWrite)units.Items[i], outcomes[i]!)).ToList();
        var deposits = InitialDeposits(plan, outcomes!, now);
        if (decided.Count + deposits.Count > 0) batch.BatchCommands.Add(_records.InsertCommand(decided, deposits, now));
        if (plan.AuditDrafts.Count > 0) batch.BatchCommands.Add(audit.Append(head, plan.AuditDrafts, now).Command);
        if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        CountTransfers(units.Items, outcomes!);
        return units.Assemble(outcomes!);
    }

    /// <summary>
    /// Opens the settlement account of every currency that lacks one, so each supported currency has its
    /// account from the start. Runs under the append lock, so processes starting together agree.
    /// </summary>
    public async Task OpenSettlementAccountsAsync(IEnumerable<string> currencies, DateTimeOffset now, CancellationToken ct)
    {
        var ids = currencies.ToDictionary(Domain.Accounts.SettlementAccounts.IdFor);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var batch = new NpgsqlBatch(connection, tx))
        {
            batch.BatchCommands.Add(AppendLockCommand());
            await batch.ExecuteNonQueryAsync(ct);
        }
        var loaded = await _snapshots.LoadAsync(connection, tx, ids.Keys, lockRows: true, ct);
        var decisions = new BatchDecisions(loaded, new Dictionary<Guid, HoldRow>(), limits, now);
        foreach (var currency in ids.Values) decisions.EnsureSettlement(currency);
        var appends = decisions.Appends();
        if (appends.Count > 0)
        {
            var recorded = await AppendAsync(tx, appends, [], ct);
            await using var snapshots = new NpgsqlBatch(connection, tx) { BatchCommands = { _snapshotProjection.Apply(loaded, recorded)! } };
            await snapshots.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Appends every stream in one statement (<see cref="SetBasedAppend"/>), queued on a Marten session
    /// enlisted in our transaction (it does not commit), each at the version it was loaded at: a stream
    /// that moved since fails the whole transaction. The statement hands back each event's sequence,
    /// which are the writes' positions.
    /// </summary>
    /// <remarks>
    /// Each new hold's expiry is a Wolverine message scheduled through the same session, so it is stored in
    /// the same transaction as the hold: no committed hold without its expiry, no expiry of a hold that
    /// was never committed.
    /// </remarks>
    private async Task<IReadOnlyList<IEvent>> AppendAsync(
        NpgsqlTransaction tx, IReadOnlyList<StreamAppend> appends, IReadOnlyList<Jobs.HoldDue> expiries, CancellationToken ct)
    {
        if (appends.Count == 0) return [];
        await using var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(tx));
        var append = new SetBasedAppend(_events, appends);
        session.QueueOperation(append);
        if (expiries.Count > 0)
        {
            var outbox = new Wolverine.Marten.MartenOutbox(messaging, session);
            foreach (var due in expiries) await outbox.ScheduleAsync(due, due.ExpiresAt);
        }
        await session.SaveChangesAsync(ct);
        return append.Events;
    }

    /// <summary>The expiry to schedule for every hold this batch placed with a timeout.</summary>
    private static List<Jobs.HoldDue> Expiries(IEnumerable<(TransferHold Hold, IReadOnlyDictionary<string, string>? Metadata)> changed) =>
        changed.Where(c => c.Hold is { Version: 1, ExpiresAt: not null })
            .Select(c => new Jobs.HoldDue(c.Hold.TransferId, c.Hold.ExpiresAt!.Value)).ToList();

    /// <summary>Each changed hold's row, at the position of its stream's last event.</summary>
    private static List<HoldRow> HoldRows(
        IEnumerable<(TransferHold Hold, IReadOnlyDictionary<string, string>? Metadata)> changed, IReadOnlyList<IEvent> recorded)
    {
        var last = recorded.GroupBy(e => e.StreamId).ToDictionary(g => g.Key, g => g.Max(e => e.Sequence));
        return changed.Select(c => new HoldRow(c.Hold, c.Metadata, new LogPosition(last[c.Hold.TransferId]))).ToList();
    }

    /// <summary>
    /// The schema's append lock, held until the transaction ends. Waiting on an advisory lock assigns no
    /// transaction id, so appenders take their sequence numbers in lock order and commit in that order:
    /// sequence order is commit order, and a hole in the sequence can only be a rolled-back append.
    /// </summary>
    private NpgsqlBatchCommand AppendLockCommand()
    {
        var command = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = _appendLockKey });
        return command;
    }

    /// <summary>The deposit that booked each accepted initial balance, as a transfer GET /transfers/{id} can return.</summary>
    private static List<TransferResult> InitialDeposits(BatchPlan plan, IReadOnlyList<WriteOutcome> outcomes, DateTimeOffset now)
    {
        var deposits = new List<TransferResult>();
        for (var i = 0; i < outcomes.Count; i++)
        {
            if (plan.Decided[i] is not { Refusal: null, InitialDeposit: { } d } || outcomes[i] is not Committed { Replayed: false, Result: AccountResult opened }) continue;
            deposits.Add(new TransferResult(d.TransferId, d.FromAccountId, d.ToAccountId, d.AmountMinor, d.Currency, d.Reference, null, now, opened.Position));
        }
        return deposits;
    }

    private void CountTransfers(IReadOnlyList<DecidedWrite> units, IReadOnlyList<WriteOutcome> outcomes)
    {
        for (var i = 0; i < units.Count; i++)
        {
            if (units[i] is not TransferWrite transfer) continue;
            var kind = new KeyValuePair<string, object?>("kind", transfer.Operation);
            if (outcomes[i] is Committed { Replayed: false })
            {
                Observability.LedgerTelemetry.TransfersCommitted.Add(1, kind);
                stats.TransferCommitted();
            }
            else if (outcomes[i] is Refused refused)
            {
                Observability.LedgerTelemetry.TransfersRejected.Add(1, kind, new KeyValuePair<string, object?>("code", refused.Code));
                stats.TransferRejected(refused.Code);
            }
        }
    }

    /// <summary>
    /// One round trip: takes the schema's append lock first (every appender takes it before writing, so
    /// Marten's sequence numbers are taken, and committed, in lock order; a row lock alone does not
    /// guarantee that), then the audit head, reads
    /// what earlier requests stored under the batch's idempotency ids (no one else can store one until we
    /// commit), and locks the accounts involved in id order.
    /// </summary>
    private async Task<(AuditHead Head, Dictionary<Guid, CommandRecord> Known, Dictionary<Guid, AccountRow> Loaded, Dictionary<Guid, HoldRow> Holds)> LockAndReadAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<DecidedWrite> units, CancellationToken ct)
    {
        var keyed = units.OfType<IdempotentWrite>().Select(w => w.Id).Distinct().ToList();
        await using var batch = new NpgsqlBatch(connection, tx);
        batch.BatchCommands.Add(AppendLockCommand());
        batch.BatchCommands.Add(audit.LockHeadCommand());
        if (keyed.Count > 0) batch.BatchCommands.Add(_records.ReadKnownCommand(keyed));
        var accounts = new NpgsqlBatchCommand(_snapshots.SelectSql(lockRows: true));
        accounts.Parameters.Add(new NpgsqlParameter { Value = units.SelectMany(u => u.Accounts).Distinct().Order().ToArray() });
        batch.BatchCommands.Add(accounts);
        var holdIds = units.SelectMany(u => u.Holds).Distinct().ToList();
        if (holdIds.Count > 0) batch.BatchCommands.Add(_holds.LoadCommand(holdIds, lockRows: true));

        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct); // the append lock
        var head = await AuditTrail.ReadHeadAsync(reader, ct);
        await reader.NextResultAsync(ct);
        var known = new Dictionary<Guid, CommandRecord>();
        if (keyed.Count > 0)
        {
            while (await reader.ReadAsync(ct)) known[reader.GetGuid(0)] = CommandRecords.Read(reader);
            await reader.NextResultAsync(ct);
        }
        var loaded = await AccountStateTable.ReadRowsAsync(reader, ct);
        var holds = holdIds.Count > 0 && await reader.NextResultAsync(ct) ? await HoldTable.ReadRowsAsync(reader, ct) : [];
        return (head, known, loaded, holds);
    }
}
