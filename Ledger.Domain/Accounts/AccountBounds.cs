namespace Ledger.Domain.Accounts;

/// <summary>
/// Every amount an account can show fits in a long: its balance, its pending totals, what it may spend
/// (balance − pending debits) and what it will hold once every announced credit posts (balance + pending
/// credits). Deciders refuse a movement that would leave this range; evolution asserts it after every event.
/// The last two keep a post from ever overflowing, so a post needs no funds or overflow check of its own.
/// </summary>
internal static class AccountBounds
{
    public static bool Fit(AccountState account, long balanceDelta = 0, long pendingDebitsDelta = 0, long pendingCreditsDelta = 0)
    {
        // Int128 so that the sums of two longs are exact and the comparison is the whole check.
        var balance = (Int128)account.BalanceMinor + balanceDelta;
        var pendingDebits = (Int128)account.PendingDebitsMinor + pendingDebitsDelta;
        var pendingCredits = (Int128)account.PendingCreditsMinor + pendingCreditsDelta;
        return InLong(balance)
            && pendingDebits >= 0 && pendingDebits <= long.MaxValue
            && pendingCredits >= 0 && pendingCredits <= long.MaxValue
            && balance - pendingDebits >= long.MinValue
            && balance + pendingCredits <= long.MaxValue;
    }

    private static bool InLong(Int128 value) => value >= long.MinValue && value <= long.MaxValue;
}
