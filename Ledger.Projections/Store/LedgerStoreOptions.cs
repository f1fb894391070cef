using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Ledger.Projections.Balances;
using Ledger.Projections.History;
using Ledger.Projections.Schema;
using Marten;
using Npgsql;
using Weasel.Core;

namespace Ledger.Projections.Store;

/// <summary>The one place Marten is configured: event storage, names, serialization, projections and the daemon.</summary>
public static class LedgerStoreOptions
{
    /// <summary>
    /// A rolled-back append burns the sequence numbers it took. Writers are serialized by the append lock,
    /// so such a hole can only be a rollback once no writer is live: with transaction evidence on, the
    /// daemon still waits for any live transaction, and skips a hole left by a finished one after this.
    /// </summary>
    public static readonly TimeSpan StaleSequenceThreshold = TimeSpan.FromMilliseconds(500);

    public static StoreOptions Create(
        NpgsqlDataSource dataSource, LedgerSchema schema, int projectionBatchSize, BalanceProjection balances, TransactionHistoryProjection history)
    {
        var opts = new StoreOptions();
        opts.Connection(dataSource);
        opts.DatabaseSchemaName = schema.Name;
        opts.Events.DatabaseSchemaName = schema.Name;
        opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);

        opts.Events.StreamIdentity = StreamIdentity.AsGuid;
        // Quick append lets Marten's high-water mark probe see a live appender (marten #5327); Rich would defeat it.
        // The writer appends with its own set-based statement (SetBasedAppend), which writes the rows Quick does.
        opts.Events.AppendMode = EventAppendMode.Quick;
        LedgerEvents.Map(opts.Events);

        // A projection never drops an event: anything it cannot apply stops it, visibly (GET /admin/projections).
        foreach (var errors in new[] { opts.Projections.Errors, opts.Projections.RebuildErrors })
        {
            errors.SkipApplyErrors = false;
            errors.SkipSerializationErrors = false;
            errors.SkipUnknownEvents = false;
        }
        // Never set SkipStaleGapsDespiteLiveTransactionsAfter, and keep the evidence on: either change lost a
        // slow writer's event on the prototype (see docs/daemon.md).
        opts.Projections.UseTransactionEvidenceForGapSkipping = true;
        opts.Projections.StaleSequenceThreshold = StaleSequenceThreshold;
        // Under writes the high-water mark is polled this often: it bounds how soon a read sees its own write.
        opts.Projections.FastPollingTime = TimeSpan.FromMilliseconds(50);
        // And this often while idle (default 1 s): a rolled-back append's hole is skipped at the first poll
        // after StaleSequenceThreshold, so the two together bound how long a rollback stalls the views.
        opts.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);
        // Marten's leader lock is database-wide by default; every ledger schema elects its own leader.
        opts.Projections.DaemonLockId = DaemonLockId(schema);
        // How often a standby tries to take over (default 5 s): the two-instances chaos scenario measured
        // a 5.2 s take-over after kill -9 of the leader with the default.
        opts.Projections.LeadershipPollingTime = 1000;

        opts.Projections.Add(new AccountAtInstantAggregation(), ProjectionLifecycle.Live);
        opts.Projections.Add(balances, ProjectionLifecycle.Async, ProjectionNames.Balances,
            async => async.BatchSize = projectionBatchSize);
        opts.Projections.Add(history, ProjectionLifecycle.Async, ProjectionNames.Transactions,
            async => async.BatchSize = projectionBatchSize);
        return opts;
    }

    /// <summary>FNV-1a over the schema name: stable across processes and releases.</summary>
    public static int DaemonLockId(LedgerSchema schema)
    {
        var hash = 2166136261u;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes($"ledger.daemon:{schema.Name}")) hash = (hash ^ b) * 16777619u;
        return (int)(hash & 0x7fffffff);
    }
}
