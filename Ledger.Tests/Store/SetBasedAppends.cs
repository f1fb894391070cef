using JasperFx.Events;
using Ledger.Api.Writes;
using Ledger.Domain.Accounts;
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

    private static async Task<IReadOnlyList<IEvent>> QueueAndSaveAsync(IDocumentStore store, IDocumentSession session, StreamAppend[] streams)
    {
        var append = new SetBasedAppend((EventGraph)store.Options.Events, streams);
        session.QueueOperation(append);
        await session.SaveChangesAsync();
        return append.Events;
    }
}
