using Ledger.Domain;
using Ledger.Domain.Accounts;
using static Ledger.Tests.Domain.DomainSpec;

namespace Ledger.Tests.Domain;

public class AccountDeciderTests
{
    [Fact]
    public void opening_an_unknown_account_emits_account_opened() =>
        Given()
            .When(new OpenAccount(Alice, "USD", "Alice", AllowNegative: false, IsSettlement: false, Now))
            .ShouldEmit(new AccountOpened(Alice, "USD", "Alice", AllowNegative: false, IsSettlement: false, Now));

    [Fact]
    public void opening_an_existing_account_is_rejected_as_account_already_exists() =>
        Given(Opened(Alice))
            .When(new OpenAccount(Alice, "USD", null, AllowNegative: false, IsSettlement: false, Now))
            .ShouldReject(RejectionCode.AccountAlreadyExists);

    [Fact]
    public void opening_an_account_with_a_malformed_currency_is_a_bug() =>
        Should.Throw<ArgumentException>(() =>
            Given().When(new OpenAccount(Alice, "usd", null, AllowNegative: false, IsSettlement: false, Now)));

    [Fact]
    public void freezing_an_unknown_account_is_rejected_as_account_not_found() =>
        Given().When(new FreezeAccount(Alice, Now)).ShouldReject(RejectionCode.AccountNotFound);

    [Fact]
    public void freezing_an_active_account_emits_account_frozen() =>
        Given(Opened(Alice)).When(new FreezeAccount(Alice, Now)).ShouldEmit(new AccountFrozen(Alice, Now));

    [Fact]
    public void freezing_a_frozen_account_is_an_accepted_no_op() =>
        Given(Opened(Alice), new AccountFrozen(Alice, Yesterday))
            .When(new FreezeAccount(Alice, Now))
            .ShouldEmitNothing();

    [Fact]
    public void freezing_a_closed_account_is_rejected_as_account_closed() =>
        Given(Opened(Alice), new AccountClosed(Alice, Yesterday))
            .When(new FreezeAccount(Alice, Now))
            .ShouldReject(RejectionCode.AccountClosed);

    [Fact]
    public void unfreezing_an_unknown_account_is_rejected_as_account_not_found() =>
        Given().When(new UnfreezeAccount(Alice, Now)).ShouldReject(RejectionCode.AccountNotFound);

    [Fact]
    public void unfreezing_a_frozen_account_emits_account_unfrozen() =>
        Given(Opened(Alice), new AccountFrozen(Alice, Yesterday))
            .When(new UnfreezeAccount(Alice, Now))
            .ShouldEmit(new AccountUnfrozen(Alice, Now));

    [Fact]
    public void unfreezing_an_active_account_is_an_accepted_no_op() =>
        Given(Opened(Alice)).When(new UnfreezeAccount(Alice, Now)).ShouldEmitNothing();

    [Fact]
    public void unfreezing_a_closed_account_is_rejected_as_account_closed() =>
        Given(Opened(Alice), new AccountClosed(Alice, Yesterday))
            .When(new UnfreezeAccount(Alice, Now))
            .ShouldReject(RejectionCode.AccountClosed);

    [Fact]
    public void closing_an_unknown_account_is_rejected_as_account_not_found() =>
        Given().When(new CloseAccount(Alice, Now)).ShouldReject(RejectionCode.AccountNotFound);

    [Fact]
    public void closing_an_empty_active_account_emits_account_closed() =>
        Given(Opened(Alice)).When(new CloseAccount(Alice, Now)).ShouldEmit(new AccountClosed(Alice, Now));

    [Fact]
    public void closing_an_empty_frozen_account_emits_account_closed() =>
        Given(Opened(Alice), new AccountFrozen(Alice, Yesterday))
            .When(new CloseAccount(Alice, Now))
            .ShouldEmit(new AccountClosed(Alice, Now));

    [Fact]
    public void closing_a_closed_account_is_an_accepted_no_op() =>
        Given(Opened(Alice), new AccountClosed(Alice, Yesterday)).When(new CloseAccount(Alice, Now)).ShouldEmitNothing();

    [Fact]
    public void closing_an_account_with_a_balance_is_rejected_as_account_not_empty() =>
        Given(Opened(Alice), Funded(Alice, 500))
            .When(new CloseAccount(Alice, Now))
            .ShouldReject(RejectionCode.AccountNotEmpty)
            .Detail.ShouldContain("500");

    [Fact]
    public void closing_an_overdrawn_account_is_rejected_as_account_not_empty() =>
        Given(Opened(Alice, allowNegative: true), Debited(Alice, 300, balanceAfter: -300, Yesterday))
            .When(new CloseAccount(Alice, Now))
            .ShouldReject(RejectionCode.AccountNotEmpty);

    // Neither side of an open hold can be closed, so a post never meets a closed account.
    [Fact]
    public void closing_an_empty_account_with_an_open_hold_to_debit_is_rejected_as_account_not_empty() =>
        Given(Opened(Alice, allowNegative: true), DebitHeld(200, pendingAfter: 200)).When(new CloseAccount(Alice, Now))
            .ShouldReject(RejectionCode.AccountNotEmpty).Detail.ShouldContain("200 USD minor units to debit");

    [Fact]
    public void closing_an_empty_account_with_an_open_hold_to_credit_is_rejected_as_account_not_empty() =>
        GivenPendingHold(200).When(new CloseAccount(Bob, Now))
            .ShouldReject(RejectionCode.AccountNotEmpty).Detail.ShouldContain("200 to credit");

    [Fact]
    public void closing_an_account_whose_holds_were_all_released_emits_account_closed() =>
        GivenVoidedHold().When(new CloseAccount(Bob, Now)).ShouldEmit(new AccountClosed(Bob, Now));

    [Fact]
    public void closing_an_empty_settlement_account_is_rejected_as_settlement_account() =>
        Given(OpenedSettlement(Bank)).When(new CloseAccount(Bank, Now)).ShouldReject(RejectionCode.SettlementAccount);

    [Fact]
    public void closing_a_settlement_account_with_a_balance_is_rejected_as_account_not_empty() =>
        Given(OpenedSettlement(Bank), Debited(Bank, 300, balanceAfter: -300, Yesterday))
            .When(new CloseAccount(Bank, Now))
            .ShouldReject(RejectionCode.AccountNotEmpty);

    [Fact]
    public void deciding_with_the_state_of_another_account_is_a_bug() =>
        Should.Throw<ArgumentException>(() =>
            AccountDecider.Decide(new FreezeAccount(Bob, Now), AccountEvolution.Replay([Opened(Alice)])));

    [Fact]
    public void an_unknown_command_type_throws_naming_the_command_and_the_state() =>
        Should.Throw<InvalidOperationException>(() => Given(Opened(Alice)).When(new RenameAccount(Alice, Now)))
            .Message.ShouldSatisfyAllConditions(
                message => message.ShouldContain(nameof(RenameAccount)),
                message => message.ShouldContain(nameof(AccountState)));

    private sealed record RenameAccount(Guid AccountId, DateTimeOffset Now) : IAccountCommand;
}
