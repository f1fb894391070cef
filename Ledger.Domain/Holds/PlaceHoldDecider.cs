using Ledger.Domain.Accounts;
using Ledger.Domain.Risk;
using Ledger.Domain.Transfers;

namespace Ledger.Domain.Holds;

public static class PlaceHoldDecider
{
    // Every check of the transfer is made here, once: a post later checks only that both accounts are active.
    public static HoldDecision Decide(PlaceHold command, AccountState? from, AccountState? to, RiskLimits limits)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(limits);
        var transfer = command.AsTransfer();
        TransferChecks.RequireEdgeValidated(transfer, from, to);
        if (command.TimeoutSeconds is < 1 or > PlaceHold.TimeoutSecondsMax)
        {
            throw new ArgumentException(
                $"{command} must time out after 1 to {PlaceHold.TimeoutSecondsMax} seconds, or never.", nameof(command));
        }

        if (from is null)
        {
            return new HoldRejected(Rejections.AccountNotFound(command.FromAccountId));
        }

        if (to is null)
        {
            return new HoldRejected(Rejections.AccountNotFound(command.ToAccountId));
        }

        var refused = TransferChecks.Check(transfer, from, to, limits)
            ?? TransferChecks.CheckRange(transfer, from, pendingDebitsDelta: command.AmountMinor)
            ?? TransferChecks.CheckRange(transfer, to, pendingCreditsDelta: command.AmountMinor);
        return refused is null ? Place(command, from, to) : new HoldRejected(refused);
    }

    private static HoldAccepted Place(PlaceHold command, AccountState from, AccountState to) =>
        new(
            new HoldPlaced(
                command.TransferId, from.Id, to.Id, command.AmountMinor, command.Currency, command.Reference,
                command.TimeoutSeconds is { } seconds ? command.Now.AddSeconds(seconds) : null, command.Now),
            [
                new AccountDebitHeld(
                    from.Id, command.TransferId, command.AmountMinor, to.Id,
                    checked(from.PendingDebitsMinor + command.AmountMinor), command.Reference, command.Now),
                new AccountCreditHeld(
                    to.Id, command.TransferId, command.AmountMinor, from.Id,
                    checked(to.PendingCreditsMinor + command.AmountMinor), command.Reference, command.Now),
            ]);
}
