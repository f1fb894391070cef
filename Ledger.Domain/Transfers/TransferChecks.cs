using Ledger.Domain.Accounts;
using Ledger.Domain.Risk;

namespace Ledger.Domain.Transfers;

// The checks a transfer passes before it moves money or, as a hold, reserves it: the same code for both,
// so a hold is checked exactly like the transfer it will become. Rules run in a fixed order and the first
// failure wins, so callers get a stable answer when several rules fail at once.
internal static class TransferChecks
{
    // The edge rejects these; reaching the domain with them means a caller skipped validation.
    public static void RequireEdgeValidated(TransferFunds command, AccountState? from, AccountState? to)
    {
        if (command.AmountMinor <= 0)
        {
            throw new ArgumentException($"{command} must move a positive amount.", nameof(command));
        }

        if (command.FromAccountId == command.ToAccountId)
        {
            throw new ArgumentException($"{command} must move money between two different accounts.", nameof(command));
        }

        if (from is not null && from.Id != command.FromAccountId)
        {
            throw new ArgumentException($"{command} was given the state of another account as source: {from}.", nameof(from));
        }

        if (to is not null && to.Id != command.ToAccountId)
        {
            throw new ArgumentException($"{command} was given the state of another account as destination: {to}.", nameof(to));
        }
    }

    public static Rejected? Check(TransferFunds command, AccountState from, AccountState to, RiskLimits limits) =>
        CheckCurrency(command, from)
            ?? CheckCurrency(command, to)
            ?? CheckStatus(from, to)
            ?? TransferRiskChecks.Check(command, from, to, limits)
            ?? CheckFunds(command, from);

    public static Rejected? CheckStatus(AccountState from, AccountState to) =>
        from.Status == AccountStatus.Closed ? Rejections.AccountClosed(from.Id)
        : to.Status == AccountStatus.Closed ? Rejections.AccountClosed(to.Id)
        : from.Status == AccountStatus.Frozen ? Rejections.AccountFrozen(from.Id)
        : to.Status == AccountStatus.Frozen ? Rejections.AccountFrozen(to.Id)
        : null;

    // A movement that would take an account's amounts out of a long is refused like a limit, not thrown:
    // a settlement account can legitimately be driven there by enough traffic.
    public static Rejected? CheckRange(
        TransferFunds command, AccountState account, long balanceDelta = 0, long pendingDebitsDelta = 0, long pendingCreditsDelta = 0) =>
        AccountBounds.Fit(account, balanceDelta, pendingDebitsDelta, pendingCreditsDelta)
            ? null
            : Rejections.Reject(
                RejectionCode.LimitExceeded,
                $"Account {account.Id} has {account.BalanceMinor} {account.Currency} minor units ({account.PendingDebitsMinor} held to debit, {account.PendingCreditsMinor} to credit); moving {command.AmountMinor} would overflow its balance.");

    private static Rejected? CheckCurrency(TransferFunds command, AccountState account) =>
        string.Equals(command.Currency, account.Currency, StringComparison.Ordinal)
            ? null
            : Rejections.Reject(
                RejectionCode.CurrencyMismatch,
                $"Account {account.Id} holds {account.Currency}; the transfer is in {command.Currency}.");

    // Money reserved by open holds is not there to spend.
    private static Rejected? CheckFunds(TransferFunds command, AccountState from) =>
        from.AllowNegative || from.AvailableBalanceMinor >= command.AmountMinor
            ? null
            : Rejections.Reject(
                RejectionCode.InsufficientFunds,
                $"Account {from.Id} has {from.AvailableBalanceMinor} {from.Currency} minor units available; {command.AmountMinor} requested.");
}
