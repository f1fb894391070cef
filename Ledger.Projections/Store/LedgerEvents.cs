using Ledger.Domain.Accounts;
using Marten.Events;

namespace Ledger.Projections.Store;

/// <summary>The stored, versioned name of every ledger event. A new shape gets a new name (…v2), never an edit.</summary>
public static class LedgerEvents
{
    /// <summary>Marten's aggregate type name for account streams.</summary>
    public const string AccountStream = "account";

    public static void Map(IEventStoreOptions events)
    {
        events.MapEventType<AccountOpened>("account.opened.v1");
        events.MapEventType<AccountCredited>("account.credited.v1");
        events.MapEventType<AccountDebited>("account.debited.v1");
        events.MapEventType<AccountFrozen>("account.frozen.v1");
        events.MapEventType<AccountUnfrozen>("account.unfrozen.v1");
        events.MapEventType<AccountClosed>("account.closed.v1");
    }
}
