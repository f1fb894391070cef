namespace Ledger.Bench.Idiomatic;

public sealed record AccountOpened(Guid AccountId, string Currency, long InitialBalanceMinor, DateTimeOffset OpenedAt);

public sealed record AccountDebited(Guid AccountId, Guid TransferId, long AmountMinor, DateTimeOffset DebitedAt);

public sealed record AccountCredited(Guid AccountId, Guid TransferId, long AmountMinor, DateTimeOffset CreditedAt);

/// <summary>
/// The write model of one account stream, folded by Marten's conventions (<c>Create</c>/<c>Apply</c>) and kept as an
/// inline snapshot, so <c>FetchForWriting</c> reads one document instead of replaying the stream.
/// </summary>
public sealed record Account(Guid Id, string Currency, long BalanceMinor)
{
    public static Account Create(AccountOpened e) => new(e.AccountId, e.Currency, e.InitialBalanceMinor);

    public static Account Apply(AccountDebited e, Account a) => a with { BalanceMinor = a.BalanceMinor - e.AmountMinor };

    public static Account Apply(AccountCredited e, Account a) => a with { BalanceMinor = a.BalanceMinor + e.AmountMinor };
}
