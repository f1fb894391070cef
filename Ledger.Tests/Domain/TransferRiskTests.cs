using Ledger.Domain;
using Ledger.Domain.Accounts;
using static Ledger.Tests.Domain.DomainSpec;

namespace Ledger.Tests.Domain;

public class TransferRiskTests
{
    [Fact]
    public void a_transfer_from_a_blocked_account_is_rejected_as_limit_exceeded() =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob)).When(Transfer(Alice, Bob, 1), Limits(blocked: [Alice]))
            .ShouldReject(RejectionCode.LimitExceeded).Detail.ShouldContain(Alice.ToString());

    [Fact]
    public void a_transfer_to_a_blocked_account_is_rejected_as_limit_exceeded() =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob)).When(Transfer(Alice, Bob, 1), Limits(blocked: [Bob]))
            .ShouldReject(RejectionCode.LimitExceeded).Detail.ShouldContain(Bob.ToString());

    [Fact]
    public void a_frozen_account_wins_over_a_blocked_account() =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob), new AccountFrozen(Bob, Yesterday))
            .When(Transfer(Alice, Bob, 1), Limits(blocked: [Alice]))
            .ShouldReject(RejectionCode.AccountFrozen);

    [Fact]
    public void a_blocked_settlement_account_is_exempt_on_its_own_side() =>
        Given(OpenedSettlement(Bank), Opened(Bob)).When(Transfer(Bank, Bob, 1), Limits(blocked: [Bank]))
            .ShouldBeOfType<Accepted>();

    [Fact]
    public void a_transfer_above_the_per_transfer_maximum_is_rejected_as_limit_exceeded() =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob)).When(Transfer(Alice, Bob, 101), Limits(maxTransfer: 100))
            .ShouldReject(RejectionCode.LimitExceeded).Detail.ShouldContain("100");

    [Fact]
    public void a_transfer_of_exactly_the_per_transfer_maximum_is_accepted() =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob)).When(Transfer(Alice, Bob, 100), Limits(maxTransfer: 100))
            .ShouldBeOfType<Accepted>();

    [Fact]
    public void the_per_transfer_maximum_applies_to_a_customer_receiving_from_settlement() =>
        Given(OpenedSettlement(Bank), Opened(Bob)).When(Transfer(Bank, Bob, 101), Limits(maxTransfer: 100))
            .ShouldReject(RejectionCode.LimitExceeded);

    [Fact]
    public void the_per_transfer_maximum_does_not_apply_between_two_settlement_accounts() =>
        Given(OpenedSettlement(Bank), OpenedSettlement(Alice)).When(Transfer(Bank, Alice, 101), Limits(maxTransfer: 100))
            .ShouldBeOfType<Accepted>();

    [Fact]
    public void an_unconfigured_currency_has_no_per_transfer_maximum() =>
        Given(Opened(Alice, "EUR"), Funded(Alice, 500), Opened(Bob, "EUR")).When(Transfer(Alice, Bob, 500, "EUR"), Limits(maxTransfer: 100))
            .ShouldBeOfType<Accepted>();

    [Fact]
    public void a_blocked_account_wins_over_the_per_transfer_maximum() =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob)).When(Transfer(Alice, Bob, 101), Limits(maxTransfer: 100, blocked: [Bob]))
            .ShouldReject(RejectionCode.LimitExceeded).Detail.ShouldContain("blocked");

    [Fact]
    public void a_debit_beyond_the_daily_maximum_for_today_is_rejected_as_limit_exceeded() =>
        Given(Opened(Alice), Funded(Alice, 500), Debited(Alice, 60, balanceAfter: 440, Now.AddHours(-1)), Opened(Bob))
            .When(Transfer(Alice, Bob, 41), Limits(maxDaily: 100))
            .ShouldReject(RejectionCode.LimitExceeded).Detail.ShouldContain("60");

    [Fact]
    public void a_debit_reaching_exactly_the_daily_maximum_is_accepted() =>
        Given(Opened(Alice), Funded(Alice, 500), Debited(Alice, 60, balanceAfter: 440, Now.AddHours(-1)), Opened(Bob))
            .When(Transfer(Alice, Bob, 40), Limits(maxDaily: 100))
            .ShouldBeOfType<Accepted>();

    // Each open hold may post today without a second check, so it counts as if debited today.
    [Fact]
    public void open_holds_count_towards_the_daily_maximum() =>
        GivenPendingHold(60).When(Transfer(Alice, Bob, 41) with { TransferId = EarlierTransferId }, Limits(maxDaily: 100))
            .ShouldReject(RejectionCode.LimitExceeded).Detail.ShouldContain("holds 60 for debit");

    [Fact]
    public void a_debit_reaching_exactly_the_daily_maximum_with_open_holds_is_accepted() =>
        GivenPendingHold(60).When(Transfer(Alice, Bob, 40) with { TransferId = EarlierTransferId }, Limits(maxDaily: 100))
            .ShouldBeOfType<Accepted>();

    [Fact]
    public void debits_from_an_earlier_utc_day_do_not_count_towards_the_daily_maximum() =>
        Given(Opened(Alice), Funded(Alice, 500), Debited(Alice, 90, balanceAfter: 410, Yesterday), Opened(Bob))
            .When(Transfer(Alice, Bob, 100), Limits(maxDaily: 100))
            .ShouldBeOfType<Accepted>();

    [Fact]
    public void a_settlement_account_has_no_daily_maximum() =>
        Given(OpenedSettlement(Bank), Debited(Bank, 90, balanceAfter: -90, Now), Opened(Bob))
            .When(Transfer(Bank, Bob, 100), Limits(maxDaily: 100))
            .ShouldBeOfType<Accepted>();

    [Fact]
    public void the_per_transfer_maximum_wins_over_the_daily_maximum() =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob)).When(Transfer(Alice, Bob, 300), Limits(maxTransfer: 200, maxDaily: 100))
            .ShouldReject(RejectionCode.LimitExceeded).Detail.ShouldContain("per transfer");

    [Fact]
    public void a_daily_limit_wins_over_insufficient_funds() =>
        Given(Opened(Alice), Funded(Alice, 50), Opened(Bob)).When(Transfer(Alice, Bob, 101), Limits(maxDaily: 100))
            .ShouldReject(RejectionCode.LimitExceeded);
}
