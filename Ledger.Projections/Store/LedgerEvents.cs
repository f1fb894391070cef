using Ledger.Domain.Accounts;
using Marten.Events;

namespace Ledger.Projections.Store;

/// <summary>The stored, versioned name of every ledger event. A new shape gets a new name (…v2), never an edit.</summary>
public static class LedgerEvents
{
    public static void Map(IEventStoreOptions events)
    {
        events.MapEventType<AccountOpened>("account.opened.v1");
        events.MapEventType<AccountCredited>("account.credited.v1");
        events.MapEventType<AccountDebited>("account.debited.v1");
        events.MapEventType<AccountFrozen>("account.frozen.v1");
        events.MapEventType<AccountUnfrozen>("account.unfrozen.v1");
        events.MapEventType<AccountClosed>("account.closed.v1");
    }

    /// <summary>
    /// When the event happened, as the domain decided it. <c>asOf</c> reads by this instant, not by Marten's
    /// row timestamp: the append stamps rows with the appending transaction's server clock, which differs
    /// from the instant the ledger answered with (a transfer's <c>timestamp</c>, an account's <c>openedAt</c>).
    /// </summary>
    public static DateTimeOffset InstantOf(IAccountEvent @event) => @event switch
    {
        AccountOpened e => e.OpenedAt,
        AccountCredited e => e.CreditedAt,
        AccountDebited e => e.DebitedAt,
        AccountFrozen e => e.FrozenAt,
        AccountUnfrozen e => e.UnfrozenAt,
        AccountClosed e => e.ClosedAt,
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "No instant for this event."),
    };
}
