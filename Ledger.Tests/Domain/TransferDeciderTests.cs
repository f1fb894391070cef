using Ledger.Domain;
using Ledger.Domain.Accounts;
using Ledger.Domain.Risk;
using Ledger.Domain.Transfers;
using static Ledger.Tests.Domain.DomainSpec;

namespace Ledger.Tests.Domain;

public class TransferDeciderTests
{
    [Fact]
    public void a_funded_transfer_debits_the_source_then_credits_the_destination() =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob))
            .When(Transfer(Alice, Bob, 200))
            .ShouldEmit(
                new AccountDebited(Alice, TransferId, 200, Bob, BalanceAfterMinor: 300, "rent", Now),
                new AccountCredited(Bob, TransferId, 200, Alice, BalanceAfterMinor: 200, "rent", Now));

    [Fact]
    public void a_transfer_of_the_whole_balance_is_accepted() =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob)).When(Transfer(Alice, Bob, 500)).ShouldBeOfType<Accepted>();

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void a_transfer_of_a_non_positive_amount_is_a_bug(long amount) =>
        Should.Throw<ArgumentException>(() => Given(Opened(Alice), Opened(Bob)).When(Transfer(Alice, Bob, amount)));

    [Fact]
    public void a_transfer_to_the_same_account_is_a_bug() =>
        Should.Throw<ArgumentException>(() => Given(Opened(Alice), Funded(Alice, 500)).When(Transfer(Alice, Alice, 1)));

    [Fact]
    public void a_transfer_from_an_unknown_account_is_rejected_as_account_not_found() =>
        Given(Opened(Bob)).When(Transfer(Nobody, Bob, 1))
            .ShouldReject(RejectionCode.AccountNotFound).Detail.ShouldContain(Nobody.ToString());

    [Fact]
    public void a_transfer_to_an_unknown_account_is_rejected_as_account_not_found() =>
        Given(Opened(Alice), Funded(Alice, 500)).When(Transfer(Alice, Nobody, 1))
            .ShouldReject(RejectionCode.AccountNotFound).Detail.ShouldContain(Nobody.ToString());

    [Fact]
    public void an_unknown_source_wins_over_an_unknown_destination() =>
        Given().When(Transfer(Alice, Bob, 1))
            .ShouldReject(RejectionCode.AccountNotFound).Detail.ShouldContain(Alice.ToString());

    [Fact]
    public void a_transfer_in_another_currency_than_the_source_is_rejected_as_currency_mismatch() =>
        Given(Opened(Alice, "EUR"), Opened(Bob)).When(Transfer(Alice, Bob, 1))
            .ShouldReject(RejectionCode.CurrencyMismatch).Detail.ShouldContain(Alice.ToString());

    [Fact]
    public void a_transfer_in_another_currency_than_the_destination_is_rejected_as_currency_mismatch() =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob, "EUR")).When(Transfer(Alice, Bob, 1))
            .ShouldReject(RejectionCode.CurrencyMismatch).Detail.ShouldContain(Bob.ToString());

    [Fact]
    public void a_currency_mismatch_wins_over_a_closed_account() =>
        Given(Opened(Alice), new AccountClosed(Alice, Yesterday), Opened(Bob)).When(Transfer(Alice, Bob, 1, "EUR"))
            .ShouldReject(RejectionCode.CurrencyMismatch);

    [Fact]
    public void a_transfer_from_a_closed_account_is_rejected_as_account_closed() =>
        Given(Opened(Alice), new AccountClosed(Alice, Yesterday), Opened(Bob)).When(Transfer(Alice, Bob, 1))
            .ShouldReject(RejectionCode.AccountClosed).Detail.ShouldContain(Alice.ToString());

    [Fact]
    public void a_transfer_to_a_closed_account_is_rejected_as_account_closed() =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob), new AccountClosed(Bob, Yesterday)).When(Transfer(Alice, Bob, 1))
            .ShouldReject(RejectionCode.AccountClosed).Detail.ShouldContain(Bob.ToString());

    [Fact]
    public void a_closed_destination_wins_over_a_frozen_source() =>
        Given(Opened(Alice), new AccountFrozen(Alice, Yesterday), Opened(Bob), new AccountClosed(Bob, Yesterday))
            .When(Transfer(Alice, Bob, 1))
            .ShouldReject(RejectionCode.AccountClosed).Detail.ShouldContain(Bob.ToString());

    [Fact]
    public void a_transfer_from_a_frozen_account_is_rejected_as_account_frozen() =>
        Given(Opened(Alice), Funded(Alice, 500), new AccountFrozen(Alice, Yesterday), Opened(Bob)).When(Transfer(Alice, Bob, 1))
            .ShouldReject(RejectionCode.AccountFrozen).Detail.ShouldContain(Alice.ToString());

    [Fact]
    public void a_transfer_to_a_frozen_account_is_rejected_as_account_frozen() =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob), new AccountFrozen(Bob, Yesterday)).When(Transfer(Alice, Bob, 1))
            .ShouldReject(RejectionCode.AccountFrozen).Detail.ShouldContain(Bob.ToString());

    [Fact]
    public void a_frozen_account_wins_over_insufficient_funds() =>
        Given(Opened(Alice), new AccountFrozen(Alice, Yesterday), Opened(Bob)).When(Transfer(Alice, Bob, 900))
            .ShouldReject(RejectionCode.AccountFrozen);

    [Fact]
    public void a_transfer_without_enough_funds_is_rejected_as_insufficient_funds() =>
        Given(Opened(Alice), Funded(Alice, 500), Opened(Bob)).When(Transfer(Alice, Bob, 900))
            .ShouldReject(RejectionCode.InsufficientFunds).Detail
            .ShouldBe($"Account {Alice} has 500 USD minor units available; 900 requested.");

    [Fact]
    public void a_transfer_of_money_reserved_by_a_hold_is_rejected_as_insufficient_funds() =>
        GivenPendingHold(200).When(Transfer(Alice, Bob, 301) with { TransferId = EarlierTransferId })
            .ShouldReject(RejectionCode.InsufficientFunds).Detail
            .ShouldBe($"Account {Alice} has 300 USD minor units available; 301 requested.");

    [Fact]
    public void a_transfer_of_what_a_hold_leaves_available_is_accepted() =>
        GivenPendingHold(200).When(Transfer(Alice, Bob, 300) with { TransferId = EarlierTransferId })
            .ShouldEmit(
                new AccountDebited(Alice, EarlierTransferId, 300, Bob, BalanceAfterMinor: 200, "rent", Now),
                new AccountCredited(Bob, EarlierTransferId, 300, Alice, BalanceAfterMinor: 300, "rent", Now));

    [Fact]
    public void a_credit_that_would_leave_no_room_for_announced_credits_is_rejected_as_limit_exceeded() =>
        Given(OpenedSettlement(Bank), Opened(Bob), Funded(Bob, long.MaxValue - 100), CreditHeld(100, pendingAfter: 100))
            .When(Transfer(Bank, Bob, 1))
            .ShouldReject(RejectionCode.LimitExceeded).Detail.ShouldContain(Bob.ToString());

    [Fact]
    public void an_account_allowed_to_go_negative_can_be_debited_below_zero() =>
        Given(Opened(Alice, allowNegative: true), Funded(Alice, 500), Opened(Bob)).When(Transfer(Alice, Bob, 900))
            .ShouldEmit(
                new AccountDebited(Alice, TransferId, 900, Bob, BalanceAfterMinor: -400, "rent", Now),
                new AccountCredited(Bob, TransferId, 900, Alice, BalanceAfterMinor: 900, "rent", Now));

    [Fact]
    public void a_credit_that_would_overflow_the_destination_balance_is_rejected_as_limit_exceeded() =>
        Given(OpenedSettlement(Bank), Opened(Bob), Funded(Bob, long.MaxValue)).When(Transfer(Bank, Bob, 1))
            .ShouldReject(RejectionCode.LimitExceeded).Detail.ShouldContain(Bob.ToString());

    [Fact]
    public void a_debit_that_would_overflow_the_source_balance_is_rejected_as_limit_exceeded() =>
        Given(OpenedSettlement(Bank), Debited(Bank, long.MaxValue, -long.MaxValue, Yesterday), Opened(Bob))
            .When(Transfer(Bank, Bob, 2))
            .ShouldReject(RejectionCode.LimitExceeded).Detail.ShouldContain(Bank.ToString());

    [Fact]
    public void deciding_with_the_state_of_another_account_is_a_bug() =>
        Should.Throw<ArgumentException>(() => TransferDecider.Decide(
            Transfer(Alice, Bob, 1), AccountEvolution.Replay([Opened(Bob)]), AccountEvolution.Replay([Opened(Bob)]),
            RiskLimits.None));
}
