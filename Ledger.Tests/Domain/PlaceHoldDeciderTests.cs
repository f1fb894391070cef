using Ledger.Domain;
using Ledger.Domain.Accounts;
using Ledger.Domain.Holds;
using Ledger.Domain.Risk;
using static Ledger.Tests.Domain.DomainSpec;

namespace Ledger.Tests.Domain;

public class PlaceHoldDeciderTests
{
    [Fact]
    public void a_funded_hold_reserves_on_the_debited_account_and_announces_on_the_credited_one() =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob))
            .When(Hold(Alice, Bob, 200))
            .ShouldEmit(
                new HoldPlaced(TransferId, Alice, Bob, 200, "USD", "rent", ExpiresAt: null, Now),
                new AccountDebitHeld(Alice, TransferId, 200, Bob, PendingDebitsAfterMinor: 200, "rent", Now),
                new AccountCreditHeld(Bob, TransferId, 200, Alice, PendingCreditsAfterMinor: 200, "rent", Now));

    [Fact]
    public void a_hold_adds_to_what_earlier_holds_reserve_and_announce() =>
        GivenPendingHold(200)
            .When(Hold(Alice, Bob, 100) with { TransferId = EarlierTransferId })
            .ShouldEmit(
                new HoldPlaced(EarlierTransferId, Alice, Bob, 100, "USD", "rent", ExpiresAt: null, Now),
                new AccountDebitHeld(Alice, EarlierTransferId, 100, Bob, PendingDebitsAfterMinor: 300, "rent", Now),
                new AccountCreditHeld(Bob, EarlierTransferId, 100, Alice, PendingCreditsAfterMinor: 300, "rent", Now));

    [Fact]
    public void a_hold_with_a_timeout_expires_that_many_seconds_after_it_is_placed() =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob))
            .When(Hold(Alice, Bob, 200, timeoutSeconds: 90))
            .ShouldBeOfType<HoldAccepted>().HoldEvent.ShouldBeOfType<HoldPlaced>().ExpiresAt.ShouldBe(Now.AddSeconds(90));

    [Theory]
    [InlineData(1)]
    [InlineData(PlaceHold.TimeoutSecondsMax)]
    public void a_timeout_from_one_second_to_thirty_days_is_accepted(int timeoutSeconds) =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob))
            .When(Hold(Alice, Bob, 200, timeoutSeconds)).ShouldBeOfType<HoldAccepted>();

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(PlaceHold.TimeoutSecondsMax + 1)]
    public void a_timeout_outside_one_second_to_thirty_days_is_a_bug(int timeoutSeconds) =>
        Should.Throw<ArgumentException>(() =>
            Given(Opened(Alice), Funded(Alice, 500), Opened(Bob)).When(Hold(Alice, Bob, 200, timeoutSeconds)));

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void a_hold_of_a_non_positive_amount_is_a_bug(long amount) =>
        Should.Throw<ArgumentException>(() => Given(Opened(Alice), Opened(Bob)).When(Hold(Alice, Bob, amount)));

    [Fact]
    public void a_hold_on_the_same_account_is_a_bug() =>
        Should.Throw<ArgumentException>(() => Given(Opened(Alice), Funded(Alice, 500)).When(Hold(Alice, Alice, 1)));

    [Fact]
    public void a_hold_of_the_whole_available_balance_is_accepted() =>
        GivenPendingHold(200)
            .When(Hold(Alice, Bob, 300) with { TransferId = EarlierTransferId }).ShouldBeOfType<HoldAccepted>();

    [Fact]
    public void a_hold_beyond_the_available_balance_is_rejected_as_insufficient_funds() =>
        GivenPendingHold(200)
            .When(Hold(Alice, Bob, 301) with { TransferId = EarlierTransferId })
            .ShouldReject(RejectionCode.InsufficientFunds).Detail
            .ShouldBe($"Account {Alice} has 300 USD minor units available; 301 requested.");

    [Fact]
    public void an_account_allowed_to_go_negative_can_hold_more_than_it_has() =>
        Given(Opened(Alice, allowNegative: true), Opened(Bob))
            .When(Hold(Alice, Bob, 900)).ShouldBeOfType<HoldAccepted>();

    [Fact]
    public void a_hold_from_an_unknown_account_is_rejected_as_account_not_found() =>
        Given(Opened(Bob)).When(Hold(Nobody, Bob, 1))
            .ShouldReject(RejectionCode.AccountNotFound).Detail.ShouldContain(Nobody.ToString());

    [Fact]
    public void a_hold_for_an_unknown_account_is_rejected_as_account_not_found() =>
        Given(Opened(Alice), Funded(Alice, 500)).When(Hold(Alice, Nobody, 1))
            .ShouldReject(RejectionCode.AccountNotFound).Detail.ShouldContain(Nobody.ToString());

    [Fact]
    public void a_hold_in_another_currency_is_rejected_as_currency_mismatch() =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob, "EUR")).When(Hold(Alice, Bob, 1))
            .ShouldReject(RejectionCode.CurrencyMismatch).Detail.ShouldContain(Bob.ToString());

    [Fact]
    public void a_hold_on_a_frozen_account_is_rejected_as_account_frozen() =>
        Given(Opened(Alice), Funded(Alice, 500), new AccountFrozen(Alice, Yesterday), Opened(Bob)).When(Hold(Alice, Bob, 1))
            .ShouldReject(RejectionCode.AccountFrozen).Detail.ShouldContain(Alice.ToString());

    [Fact]
    public void a_hold_for_a_closed_account_is_rejected_as_account_closed() =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob), new AccountClosed(Bob, Yesterday)).When(Hold(Alice, Bob, 1))
            .ShouldReject(RejectionCode.AccountClosed).Detail.ShouldContain(Bob.ToString());

    [Fact]
    public void a_hold_above_the_per_transfer_maximum_is_rejected_as_limit_exceeded() =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob)).When(Hold(Alice, Bob, 101), Limits(maxTransfer: 100))
            .ShouldReject(RejectionCode.LimitExceeded).Detail.ShouldContain("per transfer");

    [Fact]
    public void a_hold_on_a_blocked_account_is_rejected_as_limit_exceeded() =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob)).When(Hold(Alice, Bob, 1), Limits(blocked: [Bob]))
            .ShouldReject(RejectionCode.LimitExceeded).Detail.ShouldContain("blocked");

    [Fact]
    public void open_holds_count_towards_the_daily_maximum() =>
        GivenPendingHold(60)
            .When(Hold(Alice, Bob, 41) with { TransferId = EarlierTransferId }, Limits(maxDaily: 100))
            .ShouldReject(RejectionCode.LimitExceeded).Detail.ShouldContain("holds 60 for debit");

    [Fact]
    public void a_hold_that_would_overflow_the_credited_account_is_rejected_as_limit_exceeded() =>
        Given(OpenedSettlement(Bank), Opened(Bob), Funded(Bob, long.MaxValue)).When(Hold(Bank, Bob, 1))
            .ShouldReject(RejectionCode.LimitExceeded).Detail.ShouldContain(Bob.ToString());

    [Fact]
    public void a_hold_that_would_overflow_what_an_overdraft_account_may_spend_is_rejected_as_limit_exceeded() =>
        Given(OpenedSettlement(Bank), Debited(Bank, long.MaxValue, -long.MaxValue, Yesterday), Opened(Bob))
            .When(Hold(Bank, Bob, 2))
            .ShouldReject(RejectionCode.LimitExceeded).Detail.ShouldContain(Bank.ToString());

    [Fact]
    public void deciding_with_the_state_of_another_account_is_a_bug() =>
        Should.Throw<ArgumentException>(() => PlaceHoldDecider.Decide(
            Hold(Alice, Bob, 1), AccountEvolution.Replay([Opened(Bob)]), AccountEvolution.Replay([Opened(Bob)]), RiskLimits.None));
}
