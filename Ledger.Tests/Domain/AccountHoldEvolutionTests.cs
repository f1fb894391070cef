using Ledger.Domain.Accounts;
using static Ledger.Tests.Domain.DomainSpec;

namespace Ledger.Tests.Domain;

public class AccountHoldEvolutionTests
{
    [Fact]
    public void a_held_debit_reserves_without_moving_the_balance() =>
        GivenPendingHold(200).StateOf(Alice)!.ShouldSatisfyAllConditions(
            state => state.BalanceMinor.ShouldBe(500),
            state => state.PendingDebitsMinor.ShouldBe(200),
            state => state.AvailableBalanceMinor.ShouldBe(300),
            state => state.PendingCreditsMinor.ShouldBe(0),
            state => state.Version.ShouldBe(3));

    [Fact]
    public void a_held_credit_announces_without_moving_the_balance_or_what_may_be_spent() =>
        GivenPendingHold(200).StateOf(Bob)!.ShouldSatisfyAllConditions(
            state => state.BalanceMinor.ShouldBe(0),
            state => state.PendingCreditsMinor.ShouldBe(200),
            state => state.AvailableBalanceMinor.ShouldBe(0));

    [Fact]
    public void a_posted_hold_leaves_only_the_posted_amount_moved()
    {
        var history = GivenPostedHold(requested: 150);
        (history.StateOf(Alice)!.BalanceMinor, history.StateOf(Alice)!.PendingDebitsMinor, history.StateOf(Alice)!.AvailableBalanceMinor)
            .ShouldBe((350L, 0L, 350L));
        (history.StateOf(Bob)!.BalanceMinor, history.StateOf(Bob)!.PendingCreditsMinor).ShouldBe((150L, 0L));
    }

    [Fact]
    public void a_voided_hold_gives_everything_back() =>
        GivenVoidedHold().StateOf(Alice)!.ShouldSatisfyAllConditions(
            state => state.BalanceMinor.ShouldBe(500),
            state => state.PendingDebitsMinor.ShouldBe(0),
            state => state.AvailableBalanceMinor.ShouldBe(500));

    [Fact]
    public void releasing_more_than_is_held_throws() =>
        Should.Throw<InvalidOperationException>(() =>
                GivenPendingHold(200, expiresAt: null, new AccountDebitHoldReleased(Alice, TransferId, 201, -1, HoldRelease.Voided, Now))
                    .StateOf(Alice))
            .Message.ShouldContain("releases more");

    [Fact]
    public void a_held_debit_whose_pending_total_after_does_not_match_throws() =>
        Should.Throw<InvalidOperationException>(() =>
                Given(Opened(Alice), Funded(Alice, 500), DebitHeld(200, pendingAfter: 100)).StateOf(Alice))
            .Message.ShouldContain(nameof(AccountDebitHeld));

    [Fact]
    public void a_held_credit_whose_pending_total_after_does_not_match_throws() =>
        Should.Throw<InvalidOperationException>(() => Given(Opened(Bob), CreditHeld(200, pendingAfter: 0)).StateOf(Bob))
            .Message.ShouldContain(nameof(AccountCreditHeld));

    [Fact]
    public void a_hold_beyond_what_an_account_that_may_not_go_negative_has_throws() =>
        Should.Throw<InvalidOperationException>(() =>
                Given(Opened(Alice), Funded(Alice, 100), DebitHeld(200, pendingAfter: 200)).StateOf(Alice))
            .Message.ShouldContain("-100 available");

    [Fact]
    public void a_debit_of_money_that_is_held_throws() =>
        Should.Throw<InvalidOperationException>(() =>
            GivenPendingHold(200, expiresAt: null, Debited(Alice, 400, balanceAfter: 100, Now)).StateOf(Alice));

    [Fact]
    public void an_overdraft_account_may_hold_more_than_it_has() =>
        Given(Opened(Alice, allowNegative: true), DebitHeld(200, pendingAfter: 200)).StateOf(Alice)!
            .AvailableBalanceMinor.ShouldBe(-200);

    [Fact]
    public void a_credit_beyond_what_announced_credits_leave_room_for_throws() =>
        Should.Throw<InvalidOperationException>(() =>
            GivenPendingHold(200, expiresAt: null, Funded(Bob, long.MaxValue)).StateOf(Bob));

    [Fact]
    public void closing_an_account_with_open_holds_throws()
    {
        Should.Throw<InvalidOperationException>(() =>
            GivenPendingHold(200, expiresAt: null, new AccountClosed(Bob, Now)).StateOf(Bob)).Message.ShouldContain("open holds");
        Should.Throw<InvalidOperationException>(() =>
            GivenPendingHold(200, expiresAt: null, new AccountClosed(Alice, Now)).StateOf(Alice));
    }
}
