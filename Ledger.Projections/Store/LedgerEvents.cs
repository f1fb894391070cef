using Ledger.Domain.Accounts;
using Ledger.Domain.Holds;
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
        events.MapEventType<AccountDebitHeld>("account.debit_held.v1");
        events.MapEventType<AccountCreditHeld>("account.credit_held.v1");
        events.MapEventType<AccountDebitHoldReleased>("account.debit_hold_released.v1");
        events.MapEventType<AccountCreditHoldReleased>("account.credit_hold_released.v1");
        events.MapEventType<HoldPlaced>("hold.placed.v1");
        events.MapEventType<HoldPosted>("hold.posted.v1");
        events.MapEventType<HoldVoided>("hold.voided.v1");
        events.MapEventType<HoldExpired>("hold.expired.v1");
    }

    /// <summary>
    /// When the event happened, as the domain decided it: the instant the ledger answered with (a transfer's
    /// <c>timestamp</c>, an account's <c>openedAt</c>). The writer stores it as Marten's row timestamp too.
    /// </summary>
    public static DateTimeOffset InstantOf(IAccountEvent @event) => @event switch
    {
        AccountOpened e => e.OpenedAt,
        AccountCredited e => e.CreditedAt,
        AccountDebited e => e.DebitedAt,
        AccountFrozen e => e.FrozenAt,
        AccountUnfrozen e => e.UnfrozenAt,
        AccountClosed e => e.ClosedAt,
        AccountDebitHeld e => e.HeldAt,
        AccountCreditHeld e => e.HeldAt,
        AccountDebitHoldReleased e => e.ReleasedAt,
        AccountCreditHoldReleased e => e.ReleasedAt,
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "No instant for this event."),
    };

    /// <summary>The instant of any ledger event: an account's, or one of a hold's own stream.</summary>
    public static DateTimeOffset InstantOf(object @event) => @event switch
    {
        IAccountEvent e => InstantOf(e),
        HoldPlaced e => e.PlacedAt,
        HoldPosted e => e.PostedAt,
        HoldVoided e => e.VoidedAt,
        HoldExpired e => e.ExpiredAt,
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "No instant for this event."),
    };
}
