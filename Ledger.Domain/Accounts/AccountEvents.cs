namespace Ledger.Domain.Accounts;

public interface IAccountEvent
{
    Guid AccountId { get; }
}

public sealed record AccountOpened(
    Guid AccountId,
    string Currency,
    string? Name,
    bool AllowNegative,
    bool IsSettlement,
    DateTimeOffset OpenedAt) : IAccountEvent;

public sealed record AccountCredited(
    Guid AccountId,
    Guid TransferId,
    long AmountMinor,
    Guid CounterpartyId,
    long BalanceAfterMinor,
    string? Reference,
    DateTimeOffset CreditedAt) : IAccountEvent;

public sealed record AccountDebited(
    Guid AccountId,
    Guid TransferId,
    long AmountMinor,
    Guid CounterpartyId,
    long BalanceAfterMinor,
    string? Reference,
    DateTimeOffset DebitedAt) : IAccountEvent;

// A hold reserves its amount on the debited account and announces it on the credited one; no balance moves
// until it posts (a release, then AccountDebited/AccountCredited for the posted amount). The transfer's own
// stream (Holds/TransferHold) decides that a hold is released, and only once; the account keeps totals only.
public sealed record AccountDebitHeld(
    Guid AccountId,
    Guid TransferId,
    long AmountMinor,
    Guid CounterpartyId,
    long PendingDebitsAfterMinor,
    string? Reference,
    DateTimeOffset HeldAt) : IAccountEvent;

public sealed record AccountCreditHeld(
    Guid AccountId,
    Guid TransferId,
    long AmountMinor,
    Guid CounterpartyId,
    long PendingCreditsAfterMinor,
    string? Reference,
    DateTimeOffset HeldAt) : IAccountEvent;

public sealed record AccountDebitHoldReleased(
    Guid AccountId,
    Guid TransferId,
    long AmountMinor,
    long PendingDebitsAfterMinor,
    HoldRelease Reason,
    DateTimeOffset ReleasedAt) : IAccountEvent;

public sealed record AccountCreditHoldReleased(
    Guid AccountId,
    Guid TransferId,
    long AmountMinor,
    long PendingCreditsAfterMinor,
    HoldRelease Reason,
    DateTimeOffset ReleasedAt) : IAccountEvent;

// Why a hold stopped counting, so an account's own stream tells a post from a void or an expiry.
public enum HoldRelease
{
    Posted,
    Voided,
    Expired,
}

public sealed record AccountFrozen(Guid AccountId, DateTimeOffset FrozenAt) : IAccountEvent;

public sealed record AccountUnfrozen(Guid AccountId, DateTimeOffset UnfrozenAt) : IAccountEvent;

public sealed record AccountClosed(Guid AccountId, DateTimeOffset ClosedAt) : IAccountEvent;

public enum AccountStatus
{
    Active,
    Frozen,
    Closed,
}

// Version counts the events applied to the stream.
// DebitDay / DebitedOnDayMinor: UTC day of the last debit and the total debited on that day,
// kept here so the daily risk limit needs no extra read.
// PendingDebitsMinor / PendingCreditsMinor: what the account's open holds may still take from it and bring
// to it; BalanceMinor counts posted money only. They default to zero so that readers of a stored row that
// has no holds yet construct the state as before.
public sealed record AccountState(
    Guid Id,
    string Currency,
    string? Name,
    AccountStatus Status,
    bool AllowNegative,
    bool IsSettlement,
    long BalanceMinor,
    long Version,
    DateTimeOffset OpenedAt,
    DateOnly DebitDay,
    long DebitedOnDayMinor,
    long PendingDebitsMinor = 0,
    long PendingCreditsMinor = 0)
{
    // What the account may still spend. It cannot overflow: AccountBounds keeps every decided state in range.
    public long AvailableBalanceMinor => BalanceMinor - PendingDebitsMinor;
}
