using Ledger.Domain.Accounts;
using Ledger.Domain.Risk;

namespace Ledger.Domain.Transfers;

public static class TransferDecider
{
    // Rules run in a fixed order and the first failure wins, so callers get a stable answer
    // when several rules fail at once.
    public static Decision Decide(TransferFunds command, AccountState? from, AccountState? to, RiskLimits limits)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(limits);
        RequireEdgeValidated(command, from, to);

        if (from is null)
        {
            return Rejections.AccountNotFound(command.FromAccountId);
        }

        if (to is null)
        {
            return Rejections.AccountNotFound(command.ToAccountId);
        }

        return CheckCurrency(command, from)
            ?? CheckCurrency(command, to)
            ?? CheckStatus(from, to)
            ?? TransferRiskChecks.Check(command, from, to, limits)
            ?? CheckFunds(command, from)
            ?? Post(command, from, to);
    }

    // The edge rejects these; reaching the domain with them means a caller skipped validation.
    private static void RequireEdgeValidated(TransferFunds command, AccountState? from, AccountState? to)
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

    private static Rejected? CheckCurrency(TransferFunds command, AccountState account) =>
        string.Equals(command.Currency, account.Currency, StringComparison.Ordinal)
            ? null
            : Rejections.Reject(
                RejectionCode.CurrencyMismatch,
                $"Account {account.Id} holds {account.Currency}; the transfer is in {command.Currency}.");

    private static Rejected? CheckStatus(AccountState from, AccountState to) =>
        from.Status == AccountStatus.Closed ? Rejections.AccountClosed(from.Id)
        : to.Status == AccountStatus.Closed ? Rejections.AccountClosed(to.Id)
        : from.Status == AccountStatus.Frozen ? Rejections.AccountFrozen(from.Id)
        : to.Status == AccountStatus.Frozen ? Rejections.AccountFrozen(to.Id)
        : null;

    private static Rejected? CheckFunds(TransferFunds command, AccountState from) =>
        from.AllowNegative || from.BalanceMinor >= command.AmountMinor
            ? null
            : Rejections.Reject(
                RejectionCode.InsufficientFunds,
                $"Account {from.Id} has {from.BalanceMinor} {from.Currency} minor units; {command.AmountMinor} requested.");

    private static Decision Post(TransferFunds command, AccountState from, AccountState to)
    {
        if (!TryAdd(from.BalanceMinor, -command.AmountMinor, out var fromAfter))
        {
            return BalanceOverflow(from, command);
        }

        if (!TryAdd(to.BalanceMinor, command.AmountMinor, out var toAfter))
        {
            return BalanceOverflow(to, command);
        }

        return new Accepted(
        [
            new AccountDebited(
                from.Id, command.TransferId, command.AmountMinor, to.Id, fromAfter, command.Reference, command.Now),
            new AccountCredited(
                to.Id, command.TransferId, command.AmountMinor, from.Id, toAfter, command.Reference, command.Now),
        ]);
    }

    private static Rejected BalanceOverflow(AccountState account, TransferFunds command) =>
        Rejections.Reject(
            RejectionCode.LimitExceeded,
            $"Account {account.Id} has {account.BalanceMinor} {account.Currency} minor units; moving {command.AmountMinor} would overflow its balance.");

    private static bool TryAdd(long balance, long delta, out long result)
    {
        try
        {
            result = checked(balance + delta);
            return true;
        }
        catch (OverflowException)
        {
            result = 0;
            return false;
        }
    }
}
