using Ledger.Domain.Money;

namespace Ledger.Domain.Accounts;

public static class AccountDecider
{
    private static readonly Accepted NoChange = new([]);

    public static Decision Decide(IAccountCommand command, AccountState? state)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state is not null && state.Id != command.AccountId)
        {
            throw new ArgumentException($"{command} was routed to the state of another account: {state}.", nameof(state));
        }

        return (command, state) switch
        {
            (OpenAccount open, null) => Open(open),
            (OpenAccount open, not null) => Rejections.Reject(
                RejectionCode.AccountAlreadyExists, $"Account {open.AccountId} already exists."),

            (FreezeAccount freeze, null) => Rejections.AccountNotFound(freeze.AccountId),
            (FreezeAccount freeze, { Status: AccountStatus.Active }) =>
                Emit(new AccountFrozen(freeze.AccountId, freeze.Now)),
            (FreezeAccount, { Status: AccountStatus.Frozen }) => NoChange,
            (FreezeAccount freeze, { Status: AccountStatus.Closed }) => Rejections.AccountClosed(freeze.AccountId),

            (UnfreezeAccount unfreeze, null) => Rejections.AccountNotFound(unfreeze.AccountId),
            (UnfreezeAccount unfreeze, { Status: AccountStatus.Frozen }) =>
                Emit(new AccountUnfrozen(unfreeze.AccountId, unfreeze.Now)),
            (UnfreezeAccount, { Status: AccountStatus.Active }) => NoChange,
            (UnfreezeAccount unfreeze, { Status: AccountStatus.Closed }) => Rejections.AccountClosed(unfreeze.AccountId),

            (CloseAccount close, null) => Rejections.AccountNotFound(close.AccountId),
            (CloseAccount, { Status: AccountStatus.Closed }) => NoChange,
            (CloseAccount close, { BalanceMinor: not 0 } account) => Rejections.Reject(
                RejectionCode.AccountNotEmpty,
                $"Account {close.AccountId} still holds {account.BalanceMinor} {account.Currency} minor units; only an empty account can be closed."),
            (CloseAccount close, { } holding) when holding.PendingDebitsMinor != 0 || holding.PendingCreditsMinor != 0 =>
                Rejections.Reject(
                    RejectionCode.AccountNotEmpty,
                    $"Account {close.AccountId} has open holds ({holding.PendingDebitsMinor} {holding.Currency} minor units to debit, {holding.PendingCreditsMinor} to credit); only an account without holds can be closed."),
            (CloseAccount close, { IsSettlement: true }) => Rejections.Reject(
                RejectionCode.SettlementAccount,
                $"Account {close.AccountId} is a settlement account and cannot be closed."),
            (CloseAccount close, { Status: AccountStatus.Active or AccountStatus.Frozen }) =>
                Emit(new AccountClosed(close.AccountId, close.Now)),

            _ => throw new InvalidOperationException(
                $"No rule for command {command.GetType().Name} on state {state?.GetType().Name ?? "null"} ({state?.Status.ToString() ?? "no account"})."),
        };
    }

    private static Accepted Open(OpenAccount open)
    {
        // Currency shape is validated at the edge; a malformed code reaching here is a bug.
        if (!Currencies.IsWellFormed(open.Currency))
        {
            throw new ArgumentException($"{open} has a malformed currency code.", nameof(open));
        }

        return Emit(new AccountOpened(
            open.AccountId, open.Currency, open.Name, open.AllowNegative, open.IsSettlement, open.Now));
    }

    private static Accepted Emit(IAccountEvent @event) => new([@event]);
}
