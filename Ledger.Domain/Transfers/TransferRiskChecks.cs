using Ledger.Domain.Accounts;
using Ledger.Domain.Risk;

namespace Ledger.Domain.Transfers;

// Risk limits concern customer accounts: a settlement account is exempt on its own side,
// but its customer counterparty is still checked.
internal static class TransferRiskChecks
{
    public static Rejected? Check(TransferFunds command, AccountState from, AccountState to, RiskLimits limits) =>
        CheckBlocked(from, limits)
        ?? CheckBlocked(to, limits)
        ?? CheckTransferMaximum(command, from, to, limits)
        ?? CheckDailyDebit(command, from, limits);

    private static Rejected? CheckBlocked(AccountState account, RiskLimits limits) =>
        !account.IsSettlement && limits.BlockedAccountIds.Contains(account.Id)
            ? Rejections.Reject(RejectionCode.LimitExceeded, $"Account {account.Id} is blocked by risk controls.")
            : null;

    private static Rejected? CheckTransferMaximum(
        TransferFunds command, AccountState from, AccountState to, RiskLimits limits)
    {
        var involvesCustomer = !from.IsSettlement || !to.IsSettlement;
        if (!involvesCustomer || !limits.MaxTransferMinorByCurrency.TryGetValue(command.Currency, out var maximum))
        {
            return null;
        }

        return command.AmountMinor > maximum
            ? Rejections.Reject(
                RejectionCode.LimitExceeded,
                $"Transfer {command.TransferId} from account {from.Id} moves {command.AmountMinor} {command.Currency} minor units; the maximum per transfer is {maximum}.")
            : null;
    }

    private static Rejected? CheckDailyDebit(TransferFunds command, AccountState from, RiskLimits limits)
    {
        if (from.IsSettlement || !limits.MaxDailyDebitMinorByCurrency.TryGetValue(command.Currency, out var maximum))
        {
            return null;
        }

        // A debit on a later UTC day starts a fresh total. Open holds count as if debited today: each may post
        // today without a second check, so the day's debits plus what holds may still take never pass the maximum.
        var today = DateOnly.FromDateTime(command.Now.UtcDateTime);
        var alreadyDebited = from.DebitDay == today ? from.DebitedOnDayMinor : 0;

        // Int128 so that a huge running total counts as over the limit instead of wrapping.
        return (Int128)alreadyDebited + from.PendingDebitsMinor + command.AmountMinor > maximum
            ? Rejections.Reject(
                RejectionCode.LimitExceeded,
                $"Account {from.Id} has debited {alreadyDebited} {command.Currency} minor units today and holds {from.PendingDebitsMinor} for debit; {command.AmountMinor} more would exceed the daily maximum of {maximum}.")
            : null;
    }
}
