using JasperFx.Events;
using Ledger.Api.Writes;
using Ledger.Domain.Accounts;
using Ledger.Projections.Rebuilds;
using Ledger.Projections.Schema;
using Ledger.Tests.Infrastructure;
using Marten;
using Marten.Events;
using Npgsql;

namespace Ledger.Tests.Store;

/// <summary>
/// Set-based appends run straight on Marten, past the write pipeline and its snapshots, so the tests
/// that use them work on accounts of their own.
/// </summary>
internal static class SetBasedAppends
{
    public static StreamAppend Stream(Guid id, long loadedAt, params IAccountEvent[] events) =>
        new(id, loadedAt, events.Select(e => new EventToAppend(Guid.CreateVersion7(), e)).ToList());

    public static AccountOpened Opened(Guid id) => new(id, "USD", "set-based", false, false, DateTimeOffset.UtcNow);

    public static AccountCredited Credited(Guid id, long amountMinor, long balanceAfterMinor) =>
        new(id, Guid.NewGuid(), amountMinor, Guid.NewGuid(), balanceAfterMinor, "set-based", DateTimeOffset.UtcNow);

    /// <summary>One set-based append in a transaction of Marten's own session, committed by the save.</summary>
    public static async Task<IReadOnlyList<IEvent>> AppendAsync(this IDocumentStore store, params StreamAppend[] streams)
    {
        await using var session = store.LightweightSession();
        return await QueueAndSaveAsync(store, session, streams);
    }

    /// <summary>One set-based append in the caller's transaction, which the caller commits or rolls back.</summary>
    public static async Task<IReadOnlyList<IEvent>> AppendAsync(this IDocumentStore store, NpgsqlTransaction tx, params StreamAppend[] streams)
    {
        await using var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(tx));
        return await QueueAndSaveAsync(store, session, streams);
    }

    /// <summary>
    /// One set-based append that foresees its first sequence number as the writer does: under the append
    /// lock, from the sequence itself. <paramref name="foresee"/> turns the true next number into the one passed.
    /// </summary>
    public static async Task<IReadOnlyList<IEvent>> AppendForeseeingAsync(this LedgerApiFactory api, Func<long, long> foresee, params StreamAppend[] streams)
    {
        var store = api.Service<IDocumentStore>();
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using (var locked = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, tx))
        {
            locked.Parameters.Add(new NpgsqlParameter { Value = SessionLock.KeyFor(api.Service<LedgerSchema>(), "append") });
            await locked.ExecuteNonQueryAsync();
        }
        await using var read = new NpgsqlCommand(
            $"SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM {api.Schema}.mt_events_sequence", connection, tx);
        var next = (long)(await read.ExecuteScalarAsync())!;
        await using var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(tx));
        var appended = await QueueAndSaveAsync(store, session, streams, foresee(next));
        await tx.CommitAsync();
        return appended;
    }

    private static async Task<IReadOnlyList<IEvent>> QueueAndSaveAsync(IDocumentStore store, IDocumentSession session, StreamAppend[] streams, long? firstSequence = null)
    {
        var append = new SetBasedAppend((EventGraph)store.Options.Events, streams, firstSequence);
        session.QueueOperation(append);
        await session.SaveChangesAsync();
        return append.Events;
    }
}
