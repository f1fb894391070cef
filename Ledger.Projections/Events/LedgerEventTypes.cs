using System.Text.Json.Serialization;
using Ledger.Domain.Accounts;
using Ledger.EventStore.Serialization;

namespace Ledger.Projections.Events;

/// <summary>The stored, versioned name of every ledger event. A new shape gets a new name (…v2), never an edit.</summary>
public static class LedgerEventTypes
{
    public const string AccountStream = "account";

    public static EventTypeRegistry CreateRegistry() => new EventTypeRegistry()
        .Register("account.opened.v1", LedgerEventsJsonContext.Default.AccountOpened)
        .Register("account.credited.v1", LedgerEventsJsonContext.Default.AccountCredited)
        .Register("account.debited.v1", LedgerEventsJsonContext.Default.AccountDebited)
        .Register("account.frozen.v1", LedgerEventsJsonContext.Default.AccountFrozen)
        .Register("account.unfrozen.v1", LedgerEventsJsonContext.Default.AccountUnfrozen)
        .Register("account.closed.v1", LedgerEventsJsonContext.Default.AccountClosed);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AccountOpened))]
[JsonSerializable(typeof(AccountCredited))]
[JsonSerializable(typeof(AccountDebited))]
[JsonSerializable(typeof(AccountFrozen))]
[JsonSerializable(typeof(AccountUnfrozen))]
[JsonSerializable(typeof(AccountClosed))]
internal sealed partial class LedgerEventsJsonContext : JsonSerializerContext;
