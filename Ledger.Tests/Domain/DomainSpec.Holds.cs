using Ledger.Domain.Accounts;
using Ledger.Domain.Holds;

namespace Ledger.Tests.Domain;

// The spec's hold: TransferId holds an amount on Alice (funded with 500) for Bob, placed yesterday, and the
// histories after each way it can end, so a spec of the state table reads in one line.
internal static partial class DomainSpec
{
    // Yesterday's hold with a one-hour timeout has been due since long before Now.
    public static readonly DateTimeOffset DueYesterday = Yesterday.AddHours(1);
    public static readonly DateTimeOffset DueLater = Now.AddMinutes(5);

    public static PlaceHold Hold(Guid from, Guid to, long amount, int? timeoutSeconds = null, string currency = "USD") =>
        new(TransferId, from, to, amount, currency, Reference: "rent", timeoutSeconds, Now);

    public static HoldPlaced Placed(long amount, DateTimeOffset? expiresAt = null) =>
        new(TransferId, Alice, Bob, amount, "USD", "rent", expiresAt, Yesterday);

    public static AccountDebitHeld DebitHeld(long amount, long pendingAfter) =>
        new(Alice, TransferId, amount, Bob, pendingAfter, "rent", Yesterday);

    public static AccountCreditHeld CreditHeld(long amount, long pendingAfter) =>
        new(Bob, TransferId, amount, Alice, pendingAfter, "rent", Yesterday);

    public static History GivenPendingHold(long amount = 200, DateTimeOffset? expiresAt = null, params IAccountEvent[] later) =>
        Given([Opened(Alice), Funded(Alice, 500), Opened(Bob), DebitHeld(amount, amount), CreditHeld(amount, amount), .. later])
            .And(Placed(amount, expiresAt));

    // Posted a minute before Now, asking for requested (null: all of the 200 held).
    public static History GivenPostedHold(long? requested)
    {
        var at = Now.AddMinutes(-1);
        var posted = requested ?? 200;
        return GivenPendingHold(
                200,
                expiresAt: null,
                new AccountDebitHoldReleased(Alice, TransferId, 200, 0, HoldRelease.Posted, at),
                new AccountDebited(Alice, TransferId, posted, Bob, 500 - posted, "rent", at),
                new AccountCreditHoldReleased(Bob, TransferId, 200, 0, HoldRelease.Posted, at),
                new AccountCredited(Bob, TransferId, posted, Alice, posted, "rent", at))
            .And(new HoldPosted(TransferId, requested, posted, at));
    }

    public static History GivenVoidedHold() =>
        GivenPendingHold(
                200,
                expiresAt: null,
                new AccountDebitHoldReleased(Alice, TransferId, 200, 0, HoldRelease.Voided, Now.AddMinutes(-1)),
                new AccountCreditHoldReleased(Bob, TransferId, 200, 0, HoldRelease.Voided, Now.AddMinutes(-1)))
            .And(new HoldVoided(TransferId, Now.AddMinutes(-1)));

    public static History GivenExpiredHold() =>
        GivenPendingHold(
                200,
                DueYesterday,
                new AccountDebitHoldReleased(Alice, TransferId, 200, 0, HoldRelease.Expired, DueYesterday),
                new AccountCreditHoldReleased(Bob, TransferId, 200, 0, HoldRelease.Expired, DueYesterday))
            .And(new HoldExpired(TransferId, DueYesterday));
}
