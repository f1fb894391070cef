using Ledger.Domain.Accounts;
using Ledger.Domain.Risk;

namespace Ledger.Domain.Transfers;

public static class TransferDecider
{
    public static Decision Decide(TransferFunds command, AccountState? from, AccountState? to, RiskLimits limits)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(limits);
        TransferChecks.RequireEdgeValidated(command, from, to);

        if (from is null)
        {
            return Rejections.AccountNotFound(command.FromAccountId);
        }

        if (to is null)
        {
            return Rejections.AccountNotFound(command.ToAccountId);
        }

        return TransferChecks.Check(command, from, to, limits)
            ?? TransferChecks.CheckRange(command, from, balanceDelta: -command.AmountMinor)
            ?? TransferChecks.CheckRange(command, to, balanceDelta: command.AmountMinor)
            ?? Post(command, from, to);
    }

    private static Decision Post(TransferFunds command, AccountState from, AccountState to) =>
        new Accepted(
        [
            new AccountDebited(
                from.Id, command.TransferId, command.AmountMinor, to.Id, checked(from.BalanceMinor - command.AmountMinor),
                command.Reference, command.Now),
            new AccountCredited(
                to.Id, command.TransferId, command.AmountMinor, from.Id, checked(to.BalanceMinor + command.AmountMinor),
                command.Reference, command.Now),
        ]);
}
