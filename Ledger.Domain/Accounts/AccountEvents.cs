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
    long DebitedOnDayMinor);
